"""Synth time of the example app (or the constructs alone) against the plain L1 stack.

Each synth runs in a fresh interpreter, the two sides alternate, and both the whole process
(what a user waits for on ``cdk synth``: interpreter, ``import aws_cdk``, the jsii runtime,
building and synthesizing) and the part after ``import aws_cdk`` are recorded; the headline
ratio is the whole process, medians of the runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .synth_apps import EXAMPLE_APP

REPO_ROOT = Path(__file__).resolve().parents[1]


def _synth(kind: str, outdir: Path, template: Path | None = None) -> tuple[float, float]:
    command = [sys.executable, "-m", "benchmarks.synth_apps", kind, str(outdir)]
    if template is not None:
        command.append(str(template))
    environ = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=environ, capture_output=True, text=True, check=False, timeout=600
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"synth of {kind!r} failed:\n{completed.stderr[-3000:]}")
    app_seconds = float(json.loads(completed.stdout.strip().splitlines()[-1])["app_seconds"])
    return elapsed, app_seconds


def _stack_templates(outdir: Path) -> list[Path]:
    return sorted(outdir.glob("*.template.json"))


def _merged_template(outdir: Path) -> dict[str, Any]:
    """All stacks' resources and outputs in one template (the L1 side builds them in one stack)."""
    merged: dict[str, Any] = {"Resources": {}, "Outputs": {}}
    for path in _stack_templates(outdir):
        template = json.loads(path.read_text())
        merged["Resources"].update(template.get("Resources", {}))
        merged["Outputs"].update(template.get("Outputs", {}))
    return merged


def measure(repetitions: int) -> dict[str, Any]:
    subject = "example" if EXAMPLE_APP.exists() else "constructs"
    samples: dict[str, list[tuple[float, float]]] = {subject: [], "l1": []}
    with tempfile.TemporaryDirectory(prefix="claim-check-synth-") as directory:
        root = Path(directory)
        samples[subject].append(_synth(subject, root / "subject-0"))
        template = root / "subject.template.json"
        merged = _merged_template(root / "subject-0")
        template.write_text(json.dumps(merged))
        samples["l1"].append(_synth("l1", root / "l1-0", template))
        for run in range(1, repetitions):
            samples[subject].append(_synth(subject, root / f"subject-{run}"))
            samples["l1"].append(_synth("l1", root / f"l1-{run}", template))
        mirrored = _merged_template(root / "l1-0")
        same = sorted(mirrored["Resources"]) == sorted(
            r for r, v in merged["Resources"].items() if v["Type"] != "AWS::CDK::Metadata"
        )
    subject_process = statistics.median(s[0] for s in samples[subject])
    l1_process = statistics.median(s[0] for s in samples["l1"])
    return {
        "subject": subject,
        "resources": sum(1 for v in merged["Resources"].values() if v["Type"] != "AWS::CDK::Metadata"),
        "same_resources": same,
        "process_seconds": {"subject": subject_process, "l1": l1_process},
        "app_seconds": {
            "subject": statistics.median(s[1] for s in samples[subject]),
            "l1": statistics.median(s[1] for s in samples["l1"]),
        },
        "ratio": subject_process / l1_process,
        "repetitions": repetitions,
    }
