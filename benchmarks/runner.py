"""Runs every measurement of one benchmark run and gathers them into the results document."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from typing import Any

from moto import mock_aws

from cdk_claim_check.runtime.contract import PER_RECORD_TARGET_MAX_BATCH

from . import batching_window, cold_import, extended_client, handler_cpu, synth_time
from .cost_model import Cost, cost_of
from .designs import S3_LAYOUTS, baseline_design, batch_size_that_fits, construct_defaults, our_design
from .goals import evaluate
from .payloads import FULL_SPECS, QUICK_SPECS, PayloadSpec, make_payload
from .pipeline import create_resources, run_design
from .prices import PRICES, PRICES_AS_OF, PRICES_REGION, PRICES_SOURCE

DEFAULT_LAYOUT = "packed"  # the runtime's default S3 layout: "ours" in the headline figures


@dataclass(frozen=True)
class RunPlan:
    mode: str
    payloads: tuple[PayloadSpec, ...]
    messages: int  # per design and payload size; a multiple of the batch size
    cpu_payloads: tuple[PayloadSpec, ...]
    cpu_repetitions: int
    import_repetitions: int
    synth_repetitions: int
    batching_payloads: tuple[PayloadSpec, ...]  # priced at every realized batch size
    spread_payload: PayloadSpec  # packed claims spread across retrieval batches
    peer_payloads: tuple[PayloadSpec, ...]  # the SQS Extended Client side by side
    peer_repetitions: int


BATCHING_MESSAGES = 30  # a multiple of every realized batch size
FULL = RunPlan(
    "full",
    FULL_SPECS,
    20,
    (FULL_SPECS[0], FULL_SPECS[1], FULL_SPECS[3], FULL_SPECS[6]),
    15,
    11,
    3,
    (FULL_SPECS[0], FULL_SPECS[1], FULL_SPECS[3]),
    FULL_SPECS[3],
    extended_client.SPECS,
    15,
)
QUICK = RunPlan(
    "quick",
    QUICK_SPECS,
    10,
    (QUICK_SPECS[0],),
    3,
    3,
    1,
    (QUICK_SPECS[0],),
    QUICK_SPECS[2],
    QUICK_SPECS[:1],
    3,
)

Progress = Callable[[str], None]


def _versions() -> dict[str, str]:
    names = (
        "cdk-claim-check",
        "aws-cdk-lib",
        "constructs",
        "boto3",
        "botocore",
        "moto",
        "aws-lambda-powertools",
    )
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["python"] = platform.python_version()
    return found


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "cpu_count": os.cpu_count(),
        "python_executable": sys.executable,
    }


def _cost_row(spec: PayloadSpec, messages: int, progress: Progress) -> list[Cost]:
    payloads = [make_payload(spec, index) for index in range(messages)]
    record_bytes = len(json.dumps(payloads[0]))
    costs: list[Cost] = []
    suffix = spec.label.replace(" ", "").lower()
    with mock_aws():
        resources = create_resources(f"base{suffix}")
        design = baseline_design(resources)
        costs.append(_cost(design, resources, payloads, spec))
        for layout in S3_LAYOUTS:
            resources = create_resources(f"{layout}{suffix}")
            design = our_design(resources, layout, batch_size_that_fits(record_bytes))
            costs.append(_cost(design, resources, payloads, spec))
    progress(
        f"cost {spec.label:>14}: "
        + ", ".join(
            f"{c.design} "
            + (f"${c.total_usd_per_million:,.2f}/M" if c.total_usd_per_million is not None else "fails")
            for c in costs
        )
    )
    return costs


def _cost(
    design: Any, resources: Any, payloads: list[str], spec: PayloadSpec, *, interleave: bool = False
) -> Cost:
    # One unmetered batch first: a cold start (boto3 clients, caches) happens once per execution
    # environment, not per message, and must not be billed to the few messages measured here.
    warm_up = [make_payload(spec, 1_000_000 + index) for index in range(design.batch_size)]
    run_design(design, resources, warm_up, spec.label)
    run = run_design(design, resources, payloads, spec.label, interleave=interleave)
    if run.failure is None and not run.restored_exactly:
        run.failure = "the payloads that came out differ from those that went in"
    cost = cost_of(
        run,
        memory_mb=design.lambda_memory_mb,
        architecture=design.lambda_architecture,
        storage_months=design.storage_months,
        s3_storage_months=design.s3_storage_months,
        traced=design.traced,
    )
    return cost


def _detail(cost: Cost) -> dict[str, Any]:
    return {
        "failure": cost.failure,
        "batch_size": cost.batch_size,
        "retrieval_batch_size": cost.retrieval_batch_size,
        "total_usd_per_million": cost.total_usd_per_million,
        "floor_usd_per_million": cost.floor_usd_per_million,
        "usd_per_million": cost.usd_per_million,
        "billed_units_per_message": cost.units_per_message,
        "requests_per_message": cost.operations_per_message,
        "custom_metrics": cost.custom_metrics,
    }


def _realized_batches(spec: PayloadSpec, progress: Progress) -> dict[str, Any]:
    """Ours (packed) at every realized batch size, both pipes alike, against the sample's cost."""
    payloads = [make_payload(spec, index) for index in range(BATCHING_MESSAGES)]
    suffix = spec.label.replace(" ", "").lower()
    row: dict[str, Any] = {}
    with mock_aws():
        for size in batching_window.REALIZED_BATCH_SIZES:
            resources = create_resources(f"b{size}{suffix}")
            cost = _cost(our_design(resources, DEFAULT_LAYOUT, size), resources, payloads, spec)
            row[str(size)] = _detail(cost)
    progress(
        f"realized batches {spec.label:>14}: "
        + ", ".join(f"b={size} ${row[size]['total_usd_per_million']:,.2f}/M" for size in row)
    )
    return row


def _spread_claims(spec: PayloadSpec, progress: Progress) -> dict[str, Any]:
    """Packed claims redeemed by more than one retrieval batch: full split batches, then the claims
    reordered across batches, or redeemed one at a time."""
    payloads = [make_payload(spec, index) for index in range(BATCHING_MESSAGES)]
    suffix = spec.label.replace(" ", "").lower()
    full = PER_RECORD_TARGET_MAX_BATCH
    cases: dict[str, Any] = {}
    with mock_aws():
        resources = create_resources(f"together{suffix}")
        cases["claims of a batch together"] = _detail(
            _cost(our_design(resources, DEFAULT_LAYOUT, full), resources, payloads, spec)
        )
        resources = create_resources(f"spread{suffix}")
        cases["claims interleaved across split batches"] = _detail(
            _cost(our_design(resources, DEFAULT_LAYOUT, full), resources, payloads, spec, interleave=True)
        )
        resources = create_resources(f"single{suffix}")
        cases["retrieval batch size 1"] = _detail(
            _cost(our_design(resources, DEFAULT_LAYOUT, full, 1), resources, payloads, spec)
        )
    progress(
        f"spread claims {spec.label}: "
        + ", ".join(
            f"{name} {case['requests_per_message'].get('s3.GetObject', 0):.2f} GET/msg"
            for name, case in cases.items()
        )
    )
    return cases


def run(plan: RunPlan, progress: Progress) -> dict[str, Any]:
    results: dict[str, Any] = {
        "mode": plan.mode,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "versions": _versions(),
        "prices": {
            "as_of": PRICES_AS_OF,
            "region": PRICES_REGION,
            "source": PRICES_SOURCE,
            "usd_per_unit": PRICES.as_dict(),
        },
    }
    results["our_defaults"] = asdict(construct_defaults())
    costs: dict[str, list[Cost]] = {}
    for spec in plan.payloads:
        costs[spec.label] = _cost_row(spec, plan.messages, progress)
    results["messages_per_design_and_size"] = plan.messages
    results["cost_usd_per_million"] = {label: _headline(row) for label, row in costs.items()}
    results["cost_detail"] = {label: {c.design: _detail(c) for c in row} for label, row in costs.items()}
    results["realized_batches"] = {
        spec.label: _realized_batches(spec, progress) for spec in plan.batching_payloads
    }
    results["spread_claims"] = {plan.spread_payload.label: _spread_claims(plan.spread_payload, progress)}
    results["batching_window"] = batching_window.tradeoff(results["realized_batches"])

    cpu: dict[str, Any] = {}
    for spec in plan.cpu_payloads:
        cpu[spec.label] = row = handler_cpu.measure(spec, plan.cpu_repetitions)
        progress(
            f"handler CPU {spec.label:>14}: "
            + ", ".join(f"{name.removesuffix('_ratio')} x{row[name]:.2f}" for name in handler_cpu.RATIOS)
        )
    results["handler_cpu"] = cpu
    # The headline is the worst payload size measured, so a target met is met at every size.
    # Marshalling included: the Lambda runtime parses every event and serialises every result.
    headline = {
        "split": "split_marshalled_ratio",
        "split_object": "split_object_marshalled_ratio",
        "retrieval": "retrieval_marshalled_ratio",
    }
    worst = {side: max(cpu, key=lambda label, r=ratio: cpu[label][r]) for side, ratio in headline.items()}
    results["handler_cpu_ratio"] = {side: cpu[worst[side]][ratio] for side, ratio in headline.items()}
    results["handler_cpu_worst_payload"] = worst

    imports = cold_import.measure(plan.import_repetitions)
    results["cold_import_cpu_seconds"] = imports
    results["cold_import_ratio"] = {
        "split": imports["runtime.split"]["ratio"],
        "retrieval": imports["runtime.retrieval"]["ratio"],
    }
    results["cold_import_repetitions"] = plan.import_repetitions
    progress(
        f"cold import: split x{results['cold_import_ratio']['split']:.2f}, "
        f"retrieval x{results['cold_import_ratio']['retrieval']:.2f} of import boto3"
    )

    progress("synth: running the apps in fresh interpreters (tens of seconds each)")
    synth = synth_time.measure(plan.synth_repetitions)
    results["synth"] = synth
    results["synth_ratio"] = synth["ratio"]
    progress(
        f"synth: {synth['subject']} x{synth['ratio']:.2f} of the plain L1 stack, "
        f"x{synth['ratio_same_imports']:.2f} of it with the same imports"
    )

    progress("peer: the SQS Extended Client against ClaimCheckClient, one message at a time")
    results["extended_client"] = extended_client.measure_all(plan.peer_repetitions, plan.peer_payloads)
    for label, row in results["extended_client"].items():
        progress(f"peer {label:>7}: ours / peer CPU x{row['cpu_ratio_ours_to_peer']:.2f}")

    results["targets"] = [target.as_dict() for target in evaluate(results)]
    return results


def _headline(row: list[Cost]) -> dict[str, Any]:
    by_design = {c.design: c for c in row}
    baseline = by_design["baseline"]
    ours = by_design[f"ours ({DEFAULT_LAYOUT})"]
    headline: dict[str, Any] = {
        "baseline": baseline.total_usd_per_million,
        "ours": ours.total_usd_per_million,
        "floor": ours.floor_usd_per_million,
    }
    for layout in S3_LAYOUTS:
        headline[f"ours_{layout}"] = by_design[f"ours ({layout})"].total_usd_per_million
    for cost in row:
        if cost.failure:
            headline[f"{cost.design} fails"] = cost.failure
    return headline
