"""docs/flow.png, the README's image of the flow, is what docs/gen_flow_diagram.py draws."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_flow_diagram", ROOT / "docs" / "gen_flow_diagram.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_committed_flow_png_matches_its_generator(tmp_path: Path) -> None:
    drawn = tmp_path / "flow.png"
    _generator().draw(drawn)
    assert drawn.read_bytes() == (ROOT / "docs" / "flow.png").read_bytes(), (
        "docs/flow.png is out of date: run `.venv/bin/python docs/gen_flow_diagram.py` and commit it"
    )


def test_the_diagram_names_both_constructs_and_the_store() -> None:
    generator = _generator()
    labels = " ".join([*(box.label for box in generator.BOXES.values()), *(f[0] for f in generator.FRAMES)])
    for name in ("ClaimCheckSplitPipe", "ClaimCheckRetrievalPipe", "ClaimCheckStore", "EventBridge bus"):
        assert name in labels
    assert all(a in generator.BOXES and b in generator.BOXES for a, b, _ in generator.ARROWS)


def test_the_readme_shows_the_diagram() -> None:
    assert "](docs/flow.png)" in (ROOT / "README.md").read_text()
