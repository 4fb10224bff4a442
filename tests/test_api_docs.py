"""API.md is generated from the docstrings by docs/gen_api.py and must not drift from them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_api", ROOT / "docs" / "gen_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_md_matches_the_docstrings() -> None:
    expected = _generator().render()
    assert (ROOT / "API.md").read_text(encoding="utf-8") == expected, (
        "API.md is out of date: run `.venv/bin/python docs/gen_api.py` and commit API.md"
    )


def test_api_md_documents_every_public_name() -> None:
    import cdk_claim_check

    text = _generator().render()
    missing = [name for name in cdk_claim_check.__all__ if f"## `{name}`" not in text]
    assert missing == []
