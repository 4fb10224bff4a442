"""Writes the results: results.json, a markdown page with the tables, and the cost plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on CI machines
import matplotlib.pyplot as plt

from .cost_model import LINE_ITEMS
from .designs import BASELINE_STORAGE_MONTHS

REPRODUCE = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 uv run --frozen python -m benchmarks"
_DESIGNS = ("baseline", "ours (packed)", "ours (object)")
_COLOURS = {"baseline": "#c0504d", "ours (packed)": "#4f81bd", "ours (object)": "#9bbb59"}


def _usd(value: float | None) -> str:
    if value is None:
        return "fails"
    return f"${value:,.2f}" if value >= 0.1 else f"${value:,.3f}"


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")


def write_plot(results: dict[str, Any], path: Path) -> None:
    detail = results["cost_detail"]
    labels = list(detail)
    width = 0.27
    figure, axes = plt.subplots(figsize=(10, 5))
    failed: list[float] = []
    for offset, design in enumerate(_DESIGNS):
        xs = [index + (offset - 1) * width for index in range(len(labels))]
        values = [detail[label][design]["total_usd_per_million"] for label in labels]
        axes.bar(xs, [v or 0 for v in values], width, label=design, color=_COLOURS[design])
        for x, value in zip(xs, values, strict=True):
            if value is None:
                failed.append(x)
            else:
                axes.text(x, value, _usd(value), ha="center", va="bottom", fontsize=7, rotation=90)
    axes.set_yscale("log")
    bottom, top = axes.get_ylim()
    axes.set_ylim(bottom, top * 4)  # room for the labels above the tallest bars
    for x in failed:  # a design that cannot carry the payload has no cost to draw
        axes.text(
            x, bottom * 1.05, "fails", ha="center", va="bottom", fontsize=8, rotation=90, color="#c0504d"
        )
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylabel("USD per million messages (log scale)")
    axes.set_title(f"Claim-check cost per million messages, us-east-1 prices of {results['prices']['as_of']}")
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def cost_table(results: dict[str, Any]) -> str:
    lines = [
        "| payload | baseline (the sample) | ours, packed (default) | ours, object | ours / baseline "
        "| our batch size | ours stores the body in |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, row in results["cost_usd_per_million"].items():
        baseline, ours = row["baseline"], row["ours"]
        batch = results["cost_detail"][label]["ours (packed)"]["batch_size"]
        ratio = f"{ours / baseline:.3f} (1/{baseline / ours:,.1f})" if baseline and ours else "n/a"
        requests = results["cost_detail"][label]["ours (packed)"]["requests_per_message"]
        where = "S3 (one object per batch)" if requests.get("s3.PutObject") else "the DynamoDB item"
        cells = [label, _usd(baseline), _usd(ours), _usd(row["ours_object"]), ratio, str(batch), where]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _breakdown_table(results: dict[str, Any], label: str) -> str:
    detail = results["cost_detail"][label]
    lines = ["| line item | " + " | ".join(_DESIGNS) + " |", "| --- |" + " ---: |" * len(_DESIGNS)]
    for item in LINE_ITEMS:
        cells = []
        for design in _DESIGNS:
            entry = detail[design]
            if entry["failure"]:
                cells.append("fails")
                continue
            units = entry["billed_units_per_message"][item]
            cells.append(f"{_usd(entry['usd_per_million'][item])} ({units:.4g}/msg)")
        lines.append(f"| {item.replace('_', ' ')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _requests_table(results: dict[str, Any], label: str) -> str:
    detail = results["cost_detail"][label]
    operations = sorted({op for design in _DESIGNS for op in detail[design]["requests_per_message"]})
    lines = ["| AWS request | " + " | ".join(_DESIGNS) + " |", "| --- |" + " ---: |" * len(_DESIGNS)]
    for operation in operations:
        cells = [f"{detail[d]['requests_per_message'].get(operation, 0):.2f}" for d in _DESIGNS]
        lines.append(f"| {operation} | " + " | ".join(cells) + " |")
    batches = [str(detail[d]["batch_size"]) for d in _DESIGNS]
    lines.append("| (pipe batch size) | " + " | ".join(batches) + " |")
    return "\n".join(lines)


def _speed_table(results: dict[str, Any]) -> str:
    lines = [
        "| payload | split ms/msg | bare PutItem ms/msg | split ratio | retrieval ms/msg "
        "| bare GetItem ms/msg | retrieval ratio | where the split's time goes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, row in results["handler_cpu"].items():
        lines.append(
            f"| {label} | {row['split'] * 1e3:.3f} | {row['bare_put'] * 1e3:.3f} | x{row['split_ratio']:.2f} "
            f"| {row['retrieval'] * 1e3:.3f} | {row['bare_get'] * 1e3:.3f} | x{row['retrieval_ratio']:.2f} "
            f"| {', '.join(row['split_hotspots'])} |"
        )
    return "\n".join(lines)


def _targets_table(results: dict[str, Any]) -> str:
    lines = ["| target | measured | limit | result | note |", "| --- | ---: | ---: | --- | --- |"]
    for target in results["targets"]:
        measured = "n/a" if target["measured"] is None else f"{target['measured']:.3f}"
        verdict = "met" if target["met"] else "**missed**"
        lines.append(
            f"| {target['name']} | {measured} | {target['comparison']} | {verdict} | {target['note']} |"
        )
    return "\n".join(lines)


def write_markdown(results: dict[str, Any], path: Path, plot_name: str) -> None:
    versions = ", ".join(f"{name} {version}" for name, version in results["versions"].items())
    machine = results["machine"]
    split_import = results["cold_import_cpu_seconds"]["runtime.split"]
    retrieval_import = results["cold_import_cpu_seconds"]["runtime.retrieval"]
    synth = results["synth"]
    defaults = results["our_defaults"]
    focus = "200 KB" if "200 KB" in results["cost_detail"] else next(iter(results["cost_detail"]))
    failures = [
        f"- {label}, {design}: {entry['failure']}"
        for label, row in results["cost_detail"].items()
        for design, entry in row.items()
        if entry["failure"]
    ]
    text = f"""# Benchmarks: cost and speed against the original AWS sample

Generated by `python -m benchmarks` ({results["mode"]} mode) on {results["date"]}; every figure
below comes from that run. Reproduce with:

```bash
{REPRODUCE}
```

Machine: {machine["platform"]}, {machine["cpu_count"]} CPUs. Versions: {versions}.
Prices: {results["prices"]["region"]}, as of {results["prices"]["as_of"]} (`benchmarks/prices.py`).

## Cost per million messages

{cost_table(results)}

![cost per million messages]({plot_name})

"fails" means the design cannot carry that payload at all:

{chr(10).join(failures) or "- none"}

### Where the money goes at {focus} (USD per million messages, billed units per message)

{_breakdown_table(results, focus)}

### AWS requests per message at {focus}, as counted by botocore hooks

{_requests_table(results, focus)}

## Speed

Handler CPU per message, I/O replayed from a recording (median of alternating runs, batches of 10):

{_speed_table(results)}

Cold import in a fresh interpreter, as Lambda loads the asset (medians of
{results["cold_import_repetitions"]} interpreters per module, CPU seconds; each interpreter times
`import boto3` and then the rest of the handler's import): `runtime.split`
{split_import["handler_seconds"]:.3f} s against {split_import["boto3_seconds"]:.3f} s for boto3
(x{results["cold_import_ratio"]["split"]:.2f}), `runtime.retrieval`
{retrieval_import["handler_seconds"]:.3f} s against {retrieval_import["boto3_seconds"]:.3f} s
(x{results["cold_import_ratio"]["retrieval"]:.2f}).

Synth ({synth["subject"]} app, {synth["resources"]} resources, against the same resources declared
as plain `CfnResource`s with the same Lambda code assets; medians of {synth["repetitions"]} fresh
processes each, alternating): CPU time of the whole synth process tree (Python and the jsii node
runtime) {synth["process_seconds"]["subject"]:.1f} s vs {synth["process_seconds"]["l1"]:.1f} s
(x{synth["ratio"]:.2f}); wall time after `import aws_cdk` {synth["app_seconds"]["subject"]:.1f} s vs
{synth["app_seconds"]["l1"]:.1f} s. Same resource ids on both sides: {synth["same_resources"]}.

## Targets

{_targets_table(results)}

## How it is measured

- **Path**: producer -> source queue -> split pipe (Lambda enrichment) -> event bus -> rule ->
  claims queue -> retrieval pipe (Lambda enrichment), on moto in-process. The local run's Pipes
  player (`cdk_claim_check.local.pipes`) plays the two pipes (receive a batch, invoke the
  enrichment with the Pipes event, pass the output on, delete the batch) and checks that what
  comes out equals what went in. The final target (the sample's workflow) is the consumer's own
  cost and is left out for both designs.
- **Baseline** (`benchmarks/baseline.py`): the sample's design as written: batch size 1, the
  whole body as one DynamoDB item keyed by its `id`, no compression, no TTL, one eventually
  consistent GetItem per message; Node.js defaults of the sample: 128 MB, x86_64.
- **Ours**: the library's runtime handlers (`runtime.split`, `runtime.retrieval`) with the
  constructs' defaults, read from their signatures: {defaults["lambda_memory_mb"]} MB,
  {defaults["lambda_architecture"]}, batches of 10 (fewer when 10 records would exceed
  Lambda's 6 MB request, as the constructs also require), both S3 layouts. Tracing is off locally
  (Powertools disables the Tracer outside Lambda), so X-Ray's share is not in the figures.
- **Requests** are counted with botocore `before-parameter-build` / `before-call` / `after-call`
  hooks on every client; SQS, Pipes and EventBridge are billed per 64 KB chunk of what each
  request carried; the bus's delivery to the claims queue is one SQS request per delivered event.
- **DynamoDB units** come from the items' sizes by AWS's rules (moto's ConsumedCapacity is a
  constant): 1 write unit per KB written, 1 read unit per 4 KB read strongly consistent, half
  for eventually consistent reads.
- **Lambda GB-seconds**: each invocation's CPU time on this machine with moto's own CPU time
  taken out (real DynamoDB works on its own servers), rounded up to the millisecond, times the
  configured memory. Waiting for AWS is not modelled (moto cannot tell it) for either design,
  nor is Lambda's CPU share (one vCPU at 1,769 MB), which would stretch both designs' durations
  and the baseline's (128 MB) most; Lambda is a small line item either way.
- **Storage**: ours for the store's default TTL ({defaults["ttl_days"]:g} days
  of a 30-day month), DynamoDB items with AWS's 100-byte overhead, S3 objects by size. The
  sample never deletes: charged here for {BASELINE_STORAGE_MONTHS:g} month only, though it
  keeps growing every month after.
- Long-polling receives on idle queues cost the same in both designs and are left out.
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
