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


def _cost_rows(results: dict[str, Any]) -> list[str]:
    rows = [
        "| payload | original sample | ours, full batches of 10 | ours, one message per batch | floor "
        "| ours / floor | ours / sample (full / one per batch) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    realized = results.get("realized_batches", {})
    for size, cost in results["cost_usd_per_million"].items():
        baseline, ours, floor = cost["baseline"], cost["ours"], cost.get("floor")
        single_row = realized.get(size, {}).get("1")
        single = single_row["total_usd_per_million"] if single_row else None
        over_floor = f"x{ours / floor:.2f}" if floor else "n/a"
        if baseline is None:
            sample, ratios = "cannot carry it (over the 400 KB item limit)", "n/a"
        else:
            sample = f"${baseline:,.2f}"
            ratios = _ratio(ours, baseline) + (f" / {_ratio(single, baseline)}" if single else "")
        cells = [
            size,
            sample,
            f"${ours:,.2f}",
            f"${single:,.2f}" if single else "not measured",
            f"${floor:,.2f}" if floor else "n/a",
            over_floor,
            ratios,
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _peer_rows(results: dict[str, Any]) -> list[str]:
    peer = results.get("extended_client")
    if not peer:
        return []
    names = list(next(iter(peer.values()))["usd_per_million"])
    rows = [
        "",
        "| payload | " + " | ".join(names) + " | CPU, ours / peer (always through S3) |",
        "| --- |" + " ---: |" * (len(names) + 1),
    ]
    for size, row in peer.items():
        costs = [f"${row['usd_per_million'][name]['total']:,.2f}" for name in names]
        rows.append(f"| {size} | " + " | ".join(costs) + f" | x{row['cpu_ratio_ours_to_peer']:.2f} |")
    rows += [
        "",
        "One message at a time from plain code, USD per million (SQS, S3, DynamoDB, storage; the peer "
        "deletes each object with its message, ours keeps it for the TTL).",
    ]
    return rows


def render_cost_table(results: dict[str, Any]) -> str:
    """Markdown: cost per million messages, the sample's design against ours at full batches and at one
    message per batch, the floor; then ClaimCheckClient against the SQS Extended Client."""
    rows = _cost_rows(results)
    rows += [
        "",
        "USD per million messages end to end (SQS, Pipes, Lambda, EventBridge, DynamoDB, S3, storage "
        "for what the TTL and the lifecycle rule keep, X-Ray traces, CloudWatch Logs), us-east-1 prices "
        f"as of {results['prices']['as_of']}, run of {results['date'][:10]}. The floor is what SQS, "
        "Pipes and EventBridge charge any claim-check design on Pipes, plus one S3 PUT and GET per batch.",
    ]
    rows += _peer_rows(results)
    return "\n".join(rows)


def update_readme(readme: Path, results: dict[str, Any]) -> None:
    """Replace the text between the cost-table markers of ``readme`` with the rendered table."""
    text = readme.read_text()
    if not _SECTION.search(text):
        raise ValueError(f"{readme} has no {START} ... {END} section")
    readme.write_text(_SECTION.sub(lambda _: f"{START}\n{render_cost_table(results)}\n{END}", text))
