"""Loading the repository's scripts (``docs/*.py``, ``hatch_build.py``) as modules, for their tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def load_script(path: Path) -> ModuleType:
    """The script at ``path`` (relative to the repository's root) as a module named after its file."""
    spec = importlib.util.spec_from_file_location(path.stem, ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
