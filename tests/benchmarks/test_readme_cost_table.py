"""The README's cost table is the one the committed benchmark run produced."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.readme_table import END, START, render_cost_table, update_readme

ROOT = Path(__file__).resolve().parents[2]


def test_readme_cost_table_matches_the_committed_results() -> None:
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    readme = (ROOT / "README.md").read_text()
    committed = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert committed == render_cost_table(results).strip(), "run `bash scripts/benchmark`, commit README.md"


def test_update_readme_replaces_only_the_marked_section(tmp_path: Path) -> None:
    results = {
        "cost_usd_per_million": {
            "1 KB": {"baseline": 4.0, "ours": 2.0},
            "900 KB": {"baseline": None, "ours": 9.5},
        },
        "prices": {"as_of": "2026-11-29"},
        "date": "2026-11-29T00:00:00+00:00",
    }
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{START}\nold table\n{END}\nafter\n")
    update_readme(readme, results)
    text = readme.read_text()
    assert text.startswith("before\n") and text.endswith("after\n")
    assert "old table" not in text
    assert "| 1 KB | $4.00 | $2.00 | 0.50 |" in text
    assert "| 900 KB | cannot carry it (over the 400 KB item limit) | $9.50 | n/a |" in text
