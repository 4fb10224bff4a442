"""Running a Python snippet in a fresh interpreter, as a Lambda cold start would, and reading its result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_probe(code: str, *args: str, marker: str, cwd: Path, **options: Any) -> Any:
    """Run ``code`` with ``args`` in a subprocess; return the JSON it printed after ``marker``.

    ``options`` go to :func:`subprocess.run` (``env``, ``input``). The probe must exit 0.
    """
    completed = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        **options,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    (line,) = [line for line in completed.stdout.splitlines() if line.startswith(marker)]
    return json.loads(line.removeprefix(marker))
