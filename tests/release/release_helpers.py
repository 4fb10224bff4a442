"""Helpers shared by the release checks."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class BuiltDist:
    """The sdist and the wheel that ``uv build`` made from it (as the release's package task does)."""

    sdist: Path
    wheel: Path


def uv() -> str:
    """The uv that bash scripts/test puts on PATH (bootstrap.sh installs it when missing)."""
    path = shutil.which("uv")
    assert path, "uv is not on PATH: run the suite with `bash scripts/test`"
    return path
