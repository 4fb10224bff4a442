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

from . import cold_import, handler_cpu, synth_time
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


FULL = RunPlan(
    "full", FULL_SPECS, 20, (FULL_SPECS[0], FULL_SPECS[1], FULL_SPECS[3], FULL_SPECS[6]), 15, 11, 3
)
QUICK = RunPlan("quick", QUICK_SPECS, 10, (QUICK_SPECS[0],), 3, 3, 1)

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


def _cost(design: Any, resources: Any, payloads: list[str], spec: PayloadSpec) -> Cost:
    # One unmetered batch first: a cold start (boto3 clients, caches) happens once per execution
    # environment, not per message, and must not be billed to the few messages measured here.
    warm_up = [make_payload(spec, 1_000_000 + index) for index in range(design.batch_size)]
    run_design(design, resources, warm_up, spec.label)
    run = run_design(design, resources, payloads, spec.label)
    if run.failure is None and not run.restored_exactly:
        run.failure = "the payloads that came out differ from those that went in"
    cost = cost_of(
        run,
        memory_mb=design.lambda_memory_mb,
        architecture=design.lambda_architecture,
        storage_months=design.storage_months,
    )
    return cost


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
    results["cost_detail"] = {
        label: {
            c.design: {
                "failure": c.failure,
                "batch_size": c.batch_size,
                "total_usd_per_million": c.total_usd_per_million,
                "usd_per_million": c.usd_per_million,
                "billed_units_per_message": c.units_per_message,
                "requests_per_message": c.operations_per_message,
            }
            for c in row
        }
        for label, row in costs.items()
    }

    cpu: dict[str, Any] = {}
    for spec in plan.cpu_payloads:
        cpu[spec.label] = handler_cpu.measure(spec, plan.cpu_repetitions)
        split_ratio = cpu[spec.label]["split"] / cpu[spec.label]["bare_put"]
        retrieval_ratio = cpu[spec.label]["retrieval"] / cpu[spec.label]["bare_get"]
        cpu[spec.label].update(split_ratio=split_ratio, retrieval_ratio=retrieval_ratio)
        progress(f"handler CPU {spec.label:>14}: split x{split_ratio:.2f}, retrieval x{retrieval_ratio:.2f}")
    results["handler_cpu"] = cpu
    # The headline is the worst payload size measured, so a target met is met at every size.
    worst_split = max(cpu, key=lambda label: cpu[label]["split_ratio"])
    worst_retrieval = max(cpu, key=lambda label: cpu[label]["retrieval_ratio"])
    results["handler_cpu_ratio"] = {
        "split": cpu[worst_split]["split_ratio"],
        "retrieval": cpu[worst_retrieval]["retrieval_ratio"],
    }
    results["handler_cpu_worst_payload"] = {"split": worst_split, "retrieval": worst_retrieval}

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
    progress(f"synth: {synth['subject']} x{synth['ratio']:.2f} of the plain L1 stack")

    results["targets"] = [target.as_dict() for target in evaluate(results)]
    return results


def _headline(row: list[Cost]) -> dict[str, Any]:
    by_design = {c.design: c for c in row}
    baseline = by_design["baseline"]
    ours = by_design[f"ours ({DEFAULT_LAYOUT})"]
    headline: dict[str, Any] = {
        "baseline": baseline.total_usd_per_million,
        "ours": ours.total_usd_per_million,
    }
    for layout in S3_LAYOUTS:
        headline[f"ours_{layout}"] = by_design[f"ours ({layout})"].total_usd_per_million
    for cost in row:
        if cost.failure:
            headline[f"{cost.design} fails"] = cost.failure
    return headline
