"""Makes the repository's ``benchmarks`` package importable in these tests.

pytest puts ``tests/`` on ``sys.path`` (no ``__init__.py`` files), where ``tests/benchmarks``
would otherwise be found as a namespace package of the same name.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
sys.modules.pop("benchmarks", None)
