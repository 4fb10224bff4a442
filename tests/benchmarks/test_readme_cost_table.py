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
    assert "| 1 KB | $4.00 | $2.00 | not measured | n/a | n/a | 0.50 |" in text
    assert "| 900 KB | cannot carry it (over the 400 KB item limit) | $9.50 | not measured |" in text


def test_readme_table_shows_one_message_per_batch_the_floor_and_the_peer() -> None:
    peer_costs = {"ours": {"total": 3.0}, "peer": {"total": 2.5}}
    results = {
        "cost_usd_per_million": {"200 KB": {"baseline": 160.0, "ours": 8.0, "floor": 6.4}},
        "realized_batches": {"200 KB": {"1": {"total_usd_per_million": 16.0}}},
        "extended_client": {"1 KB": {"usd_per_million": peer_costs, "cpu_ratio_ours_to_peer": 0.8}},
        "prices": {"as_of": "2026-11-29"},
        "date": "2026-12-05T00:00:00+00:00",
    }
    table = render_cost_table(results)
    assert "| 200 KB | $160.00 | $8.00 | $16.00 | $6.40 | x1.25 | 1/20 / 1/10 |" in table
    assert "| 1 KB | $3.00 | $2.50 | x0.80 |" in table
