"""Writes the results: results.json, a markdown page with the tables, and the cost plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on CI machines
import matplotlib.pyplot as plt

from .batching_window import POLL_CYCLE_SECONDS, REALIZED_BATCH_SIZES
from .cost_model import LINE_ITEMS
from .designs import BASELINE_STORAGE_MONTHS
from .handler_cpu import RATIOS
from .prices import CUSTOM_METRIC_MONTH_USD, OBSERVABILITY_PRICES_AS_OF
from .storage_time import DYNAMODB_TTL_LAG_DAYS, dynamodb_storage_days, s3_storage_days

BEFORE_CHEAP_WINS = Path(__file__).resolve().parent / "cpu_before_cheap_wins.json"
BEFORE_COMMAND = "python -m benchmarks.cpu_snapshot --output benchmarks/cpu_before_cheap_wins.json"

REPRODUCE = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 uv run --frozen python -m benchmarks"
_DESIGNS = ("baseline", "ours (packed)", "ours (object)")
_COLOURS = {"baseline": "#c0504d", "ours (packed)": "#4f81bd", "ours (object)": "#9bbb59"}


def _fraction(ratio: float) -> str:
    """A ratio as a decimal, with 1/n beside it when it is below 1."""
    return f"{ratio:.3f} (1/{1 / ratio:,.1f})" if ratio < 1 else f"{ratio:.3f} (x{ratio:.1f})"


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
        "| payload | baseline (the sample) | ours, packed (default) | ours, object | floor | ours / floor "
        "| ours / baseline | our batch size | ours stores the body in |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, row in results["cost_usd_per_million"].items():
        baseline, ours, floor = row["baseline"], row["ours"], row.get("floor")
        batch = results["cost_detail"][label]["ours (packed)"]["batch_size"]
        ratio = f"{ours / baseline:.3f} (1/{baseline / ours:,.1f})" if baseline and ours else "n/a"
        over_floor = f"x{ours / floor:.2f}" if ours and floor else "n/a"
        requests = results["cost_detail"][label]["ours (packed)"]["requests_per_message"]
        where = "S3 (one object per batch)" if requests.get("s3.PutObject") else "the DynamoDB item"
        cells = [
            label,
            _usd(baseline),
            _usd(ours),
            _usd(row["ours_object"]),
            _usd(floor),
            over_floor,
            ratio,
            str(batch),
            where,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _realized_table(results: dict[str, Any]) -> str:
    sizes = [str(size) for size in REALIZED_BATCH_SIZES]
    lines = [
        "| payload | "
        + " | ".join(f"ours at batch size {size}" for size in sizes)
        + " | baseline | batch size 1 / baseline | each size / its floor |",
        "| --- |" + " ---: |" * (len(sizes) + 3),
    ]
    for label, row in results.get("realized_batches", {}).items():
        baseline = results["cost_usd_per_million"].get(label, {}).get("baseline")
        single = row["1"]["total_usd_per_million"]
        ratio = _fraction(single / baseline) if baseline else "n/a"
        floors = ", ".join(
            f"x{row[size]['total_usd_per_million'] / row[size]['floor_usd_per_million']:.2f}"
            for size in sizes
        )
        cells = [
            label,
            *(_usd(row[size]["total_usd_per_million"]) for size in sizes),
            _usd(baseline),
            ratio,
            floors,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _spread_table(results: dict[str, Any]) -> str:
    lines = [
        "| payload | case | S3 GET per message | USD per million | floor |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for label, cases in results.get("spread_claims", {}).items():
        for case, entry in cases.items():
            gets = entry["requests_per_message"].get("s3.GetObject", 0.0)
            lines.append(
                f"| {label} | {case} | {gets:.2f} | {_usd(entry['total_usd_per_million'])} "
                f"| {_usd(entry['floor_usd_per_million'])} |"
            )
    return "\n".join(lines)


def _window_table(results: dict[str, Any]) -> str:
    window = results.get("batching_window")
    if not window:
        return "(not measured)"
    labels = list(window["rows"][0]["usd_per_million"])
    lines = [
        "| arrivals per second | batching window | mean realized batch | mean added latency | "
        + " | ".join(f"{label} per million" for label in labels)
        + " |",
        "| ---: | ---: | ---: | ---: |" + " ---: |" * len(labels),
    ]
    for row in window["rows"]:
        costs = " | ".join(_usd(row["usd_per_million"][label]) for label in labels)
        shown = f"{row['window_seconds']} s" if row["window_seconds"] else "none"
        lines.append(
            f"| {row['rate_per_second']:g} | {shown} | {row['mean_batch']:.1f} "
            f"| {row['mean_added_latency_s']:.2f} s | {costs} |"
        )
    return "\n".join(lines)


def _observability_table(results: dict[str, Any]) -> str:
    lines = [
        "| payload | design | X-Ray traces | log ingestion | log storage | share of the total |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    items = ("xray_traces", "log_ingestion_gb", "log_storage_gb_months")
    for label, row in results["cost_detail"].items():
        for design in ("baseline", "ours (packed)"):
            entry = row[design]
            if entry["failure"]:
                continue
            usd = entry["usd_per_million"]
            share = sum(usd[item] for item in items) / entry["total_usd_per_million"]
            lines.append(
                f"| {label} | {design} | {_usd(usd['xray_traces'])} | {_usd(usd['log_ingestion_gb'])} "
                f"| {_usd(usd['log_storage_gb_months'])} | {share:.0%} |"
            )
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


def _ratio_cell(row: dict[str, Any], ratio: str) -> str:
    low, high = row["spread"][ratio]
    return f"x{row[ratio]:.2f} ({low:.2f}-{high:.2f})"


def _speed_table(results: dict[str, Any]) -> str:
    lines = [
        "| payload | split / bare put | split, object layout / bare put | retrieval / bare get "
        "| split / bare put, marshalled | object layout, marshalled | retrieval / bare get, marshalled "
        "| where the split's time goes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, row in results["handler_cpu"].items():
        cells = [_ratio_cell(row, ratio) for ratio in RATIOS]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {', '.join(row['split_hotspots'])} |")
    return "\n".join(lines)


def _peer_table(results: dict[str, Any]) -> str:
    peer = results.get("extended_client")
    if not peer:
        return "(not measured)"
    names = list(next(iter(peer.values()))["usd_per_million"])
    lines = [
        "| payload | "
        + " | ".join(f"{name}, USD per million" for name in names)
        + " | "
        + " | ".join(f"{name}, CPU ms/msg" for name in names)
        + " | CPU ours / peer (always through S3) |",
        "| --- |" + " ---: |" * (2 * len(names) + 1),
    ]
    for label, row in peer.items():
        costs = [_usd(row["usd_per_million"][name]["total"]) for name in names]
        cpu = [f"{row['cpu_seconds_per_message'][name] * 1e3:.3f}" for name in names]
        low, high = row["cpu_ratio_spread"]
        ratio = f"x{row['cpu_ratio_ours_to_peer']:.2f} ({low:.2f}-{high:.2f})"
        lines.append(f"| {label} | " + " | ".join([*costs, *cpu, ratio]) + " |")
    return "\n".join(lines)


def _cheap_wins_table(results: dict[str, Any], before: dict[str, Any] | None) -> str:
    if before is None:
        return "(no before snapshot)"
    lines = [
        "| ratio | payload | before | after | its side, ms/msg before | after |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    shown = ("split_object_ratio", "split_object_marshalled_ratio", "retrieval_marshalled_ratio")
    for label, row in results["handler_cpu"].items():
        old = before["handler_cpu"].get(label)
        if old is None:
            continue
        for ratio in shown:
            side = RATIOS[ratio][0]
            lines.append(
                f"| {ratio.removesuffix('_ratio').replace('_', ' ')} | {label} "
                f"| {_ratio_cell(old, ratio)} | {_ratio_cell(row, ratio)} "
                f"| {old[side] * 1e3:.2f} | {row[side] * 1e3:.2f} |"
            )
    for label, row in results.get("extended_client", {}).items():
        old = before["extended_client"].get(label)
        if old is None:
            continue
        ours = next(iter(row["cpu_seconds_per_message"]))
        lines.append(
            f"| ClaimCheckClient / Extended Client | {label} | x{old['cpu_ratio_ours_to_peer']:.2f} "
            f"| x{row['cpu_ratio_ours_to_peer']:.2f} | {old['cpu_seconds_per_message'][ours] * 1e3:.2f} "
            f"| {row['cpu_seconds_per_message'][ours] * 1e3:.2f} |"
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


def _metrics_line(results: dict[str, Any]) -> str:
    entry = results["cost_detail"][next(iter(results["cost_detail"]))]["ours (packed)"]
    metrics = entry.get("custom_metrics", [])
    return (
        f"The functions' embedded metric lines define {len(metrics)} CloudWatch custom metrics (counted "
        f"from the lines of this run), a fixed ${len(metrics) * CUSTOM_METRIC_MONTH_USD:.2f} per month per "
        f"deployment at ${CUSTOM_METRIC_MONTH_USD:.2f} per metric-month, whatever the traffic; not in the "
        "per-message figures."
    )


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
    before = json.loads(BEFORE_CHEAP_WINS.read_text()) if BEFORE_CHEAP_WINS.exists() else None
    ttl = defaults["ttl_days"]
    text = f"""# Benchmarks: cost and speed against the original AWS sample

Generated by `python -m benchmarks` ({results["mode"]} mode) on {results["date"]}; every figure
below comes from that run. Reproduce with:

```bash
{REPRODUCE}
```

Machine: {machine["platform"]}, {machine["cpu_count"]} CPUs. Versions: {versions}.
Prices: {results["prices"]["region"]}, as of {results["prices"]["as_of"]}; X-Ray and CloudWatch
prices as of {OBSERVABILITY_PRICES_AS_OF} (`benchmarks/prices.py`).

## Cost per million messages

Every line item a deployment of the defaults pays per message: SQS, Pipes, Lambda, EventBridge,
DynamoDB, S3, storage for what the TTL and the lifecycle rule keep, X-Ray traces (active tracing is
always on; every invocation counted as traced, the upper bound) and CloudWatch Logs (the functions'
own lines at the deployed INFO level, as captured in this run, plus Lambda's START/END/REPORT lines).
**Full batches** of 10: the producer enqueues everything before the pipes drain. The realistic case,
one message per batch, is the next table. The **floor** is what SQS, Pipes and EventBridge charge any
claim-check design on Pipes at the same batch size (a claim check of one 64 KB chunk is the least),
plus one S3 PUT per split batch and one GET per retrieval batch.

{cost_table(results)}

![cost per million messages]({plot_name})

"fails" means the design cannot carry that payload at all:

{chr(10).join(failures) or "- none"}

### Realized batch size

Both pipes at the same realized batch size ({BATCHING_NOTE}), packed layout, everything else as above:

{_realized_table(results)}

### What a batching window buys

{_window_table(results)}

A model, not a measurement (`benchmarks/batching_window.py`): Poisson arrivals; a batch closes at 10
messages or when the window has passed since its first message; without a window a batch holds what
arrives within one poll cycle, assumed {POLL_CYCLE_SECONDS} s (the real figure depends on the
enrichment's duration and on how many pollers Pipes runs, which only a deployed pipe can tell). Costs
are interpolated in 1 / batch size between the measured realized batch sizes above.

### Packed objects read by more than one retrieval batch

Split batches of 10 pack 10 bodies into one S3 object; each retrieval batch reads every object its
claims point into once (one ranged GET per object and batch):

{_spread_table(results)}

### Where the money goes at {focus} (USD per million messages, billed units per message)

{_breakdown_table(results, focus)}

### X-Ray and CloudWatch Logs

{_observability_table(results)}

{_metrics_line(results)}

### AWS requests per message at {focus}, as counted by botocore hooks

{_requests_table(results, focus)}

## The peer: SQS Extended Client for Python

`amazon-sqs-extended-client` against `ClaimCheckClient.put` / `redeem`, one message at a time through one
SQS queue on moto, in the same run (`benchmarks/extended_client.py`). The peer deletes each object with
its message (`delete_payload_from_s3`), so it pays no storage; ours keeps each body for its TTL (for
fan-out and redelivery), priced as above. USD per million messages (SQS, S3, DynamoDB, storage; no
Pipes or Lambda on either side); CPU per message from replayed replies, sides alternating, median of
the per-round ratio with its quartiles:

{_peer_table(results)}

## Speed

Handler CPU per message against a bare put / get of the same bytes, I/O replayed from a recording,
sides alternating, medians of the per-round ratios with their quartiles in brackets (batches of 10).
"Marshalled" adds what the Lambda Python runtime does around every invocation on both sides: parse
the event's JSON and serialise the result (the retrieval returns JSON bodies as parsed values, which
are serialised again; a bare get returns the body string):

{_speed_table(results)}

### Cheap wins, before and after

Before: `{BEFORE_COMMAND}` on the commit before the runtime changes; after: this run. The
`object` layout no longer inflates each body back after compressing it, and stops compressing once
the body is certain to overflow the item (the placement is the same); `redeem` no longer parses a
body until its value or format is read (the retrieval handler reads every value, so its ratio moves
little; `ClaimCheckClient.redeem` callers that only read `body` parse nothing). The two are separate
runs under different machine load, and the before snapshot ran the handlers at log level WARNING (the
benchmark's setting then) where this run uses the deployed INFO: a ratio that moves while its side's
milliseconds do not moved with its denominator:

{_cheap_wins_table(results, before)}

Cold import in a fresh interpreter, as Lambda loads the asset (medians of
{results["cold_import_repetitions"]} interpreters per module, CPU seconds; each interpreter times
`import boto3` and then the rest of the handler's import): `runtime.split`
{split_import["handler_seconds"]:.3f} s against {split_import["boto3_seconds"]:.3f} s for boto3
(x{results["cold_import_ratio"]["split"]:.2f}), `runtime.retrieval`
{retrieval_import["handler_seconds"]:.3f} s against {retrieval_import["boto3_seconds"]:.3f} s
(x{results["cold_import_ratio"]["retrieval"]:.2f}).

Synth ({synth["subject"]} app, {synth["resources"]} resources; medians of {synth["repetitions"]} fresh
processes each, alternating; CPU time of the whole synth process tree, Python and the jsii node
runtime) against two denominators with the same resources and the same Lambda code assets: plain
`CfnResource`s, {synth["process_seconds"]["subject"]:.1f} s vs {synth["process_seconds"]["l1"]:.1f} s
(x{synth["ratio"]:.2f}), and plain `CfnResource`s after importing the {len(synth["imported_modules"])}
`aws_cdk` service modules the app imported (what typed L1 classes such as `CfnFunction` would
import), {synth["process_seconds"]["l1_imports"]:.1f} s (x{synth["ratio_same_imports"]:.2f}). Wall time
after `import aws_cdk`: {synth["app_seconds"]["subject"]:.1f} s, {synth["app_seconds"]["l1"]:.1f} s and
{synth["app_seconds"]["l1_imports"]:.1f} s. Same resource ids on both sides: {synth["same_resources"]}.

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
  consistent GetItem per message; Node.js defaults of the sample: 128 MB, x86_64, no tracing. Its
  logs are Lambda's own lines only (the Python port writes nothing; what the Node.js sample logs
  is not counted).
- **Ours**: the library's runtime handlers (`runtime.split`, `runtime.retrieval`) with the
  constructs' defaults, read from their signatures: {defaults["lambda_memory_mb"]} MB,
  {defaults["lambda_architecture"]}, log level INFO, batches of 10 (fewer when 10 records would exceed
  Lambda's 6 MB request, as the constructs also require), both S3 layouts. Powertools disables the
  Tracer outside Lambda, so tracing's CPU is not in the Lambda line; its traces are priced.
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
- **Storage**: S3 objects for {s3_storage_days(ttl):g} days (the lifecycle rule's TTL + 1 day, plus
  half a day on average for S3 rounding each expiration up to midnight UTC), DynamoDB items for
  {dynamodb_storage_days(ttl):g} days (the TTL of {ttl:g} days plus an assumed {DYNAMODB_TTL_LAG_DAYS:g}
  days until TTL deletion: AWS says "typically within a few days"; unverified), with AWS's 100-byte
  item overhead. The sample never deletes: charged here for {BASELINE_STORAGE_MONTHS:g} month only,
  though it keeps growing every month after.
- **X-Ray**: one trace per invocation (two per batch of messages), $5.00 per million recorded; Lambda's
  default sampling (the first request each second, 5% of the rest) records fewer at high rates.
- **CloudWatch Logs**: the bytes of every line the functions wrote in this run, plus Lambda's own
  START/END/REPORT (and XRAY) lines per invocation, $0.50 per GB ingested and $0.03 per GB-month for
  the one-month default retention (charged on raw bytes; CloudWatch stores them compressed).
- Long-polling receives on idle queues cost the same in both designs and are left out.
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


BATCHING_NOTE = "one message per batch is what a trickle of messages with no batching window gets"
