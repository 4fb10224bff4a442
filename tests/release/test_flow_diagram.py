"""docs/flow.png, the README's image of the flow, is what docs/gen_flow_diagram.py draws."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from _scripts import load_script

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    return load_script(Path("docs/gen_flow_diagram.py"))


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
