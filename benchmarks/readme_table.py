"""The README's cost table, rendered from ``results.json`` so the README never drifts from a run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

START = "<!-- cost-table:start -->"
END = "<!-- cost-table:end -->"
_SECTION = re.compile(re.escape(START) + r"\n.*?" + re.escape(END), re.DOTALL)


def _ratio(ours: float, baseline: float) -> str:
    ratio = ours / baseline
    return f"{ratio:.2f}" if ratio > 0.2 else f"1/{1 / ratio:.0f}"


def render_cost_table(results: dict[str, Any]) -> str:
    """Markdown table: cost per million messages, the sample's design against ours, per payload."""
    rows = [
        "| payload | original sample | cdk-claim-check (defaults) | ours / sample |",
        "| --- | ---: | ---: | ---: |",
    ]
    for size, cost in results["cost_usd_per_million"].items():
        baseline, ours = cost["baseline"], cost["ours"]
        if baseline is None:
            rows.append(f"| {size} | cannot carry it (over the 400 KB item limit) | ${ours:,.2f} | n/a |")
        else:
            rows.append(f"| {size} | ${baseline:,.2f} | ${ours:,.2f} | {_ratio(ours, baseline)} |")
    rows += [
        "",
        "USD per million messages end to end (SQS, Pipes, Lambda, EventBridge, DynamoDB, S3, storage "
        f"for the time to live), us-east-1 prices as of {results['prices']['as_of']}, "
        f"run of {results['date'][:10]}.",
    ]
    return "\n".join(rows)


def update_readme(readme: Path, results: dict[str, Any]) -> None:
    """Replace the text between the cost-table markers of ``readme`` with the rendered table."""
    text = readme.read_text()
    if not _SECTION.search(text):
        raise ValueError(f"{readme} has no {START} ... {END} section")
    readme.write_text(_SECTION.sub(lambda _: f"{START}\n{render_cost_table(results)}\n{END}", text))
