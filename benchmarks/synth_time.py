"""Synth time of the example app (or the constructs alone) against the plain L1 stack.

Each synth runs in a fresh interpreter, the two sides alternate, and both the whole process
(what a user waits for on ``cdk synth``: interpreter, ``import aws_cdk``, the jsii runtime,
building and synthesizing) and the part after ``import aws_cdk`` are recorded; the headline
ratio is the whole process tree's CPU time (Python and the jsii node runtime), medians of the runs.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .synth_apps import ASSETS_KEY, EXAMPLE_APP, MODULES_KEY

REPO_ROOT = Path(__file__).resolve().parents[1]


def _synth(kind: str, outdir: Path, template: Path | None = None) -> tuple[float, float, list[str]]:
    command = [sys.executable, "-m", "benchmarks.synth_apps", kind, str(outdir)]
    if template is not None:
        command.append(str(template))
    # CDK_OUTDIR must be in the environment the jsii runtime starts with, before ``import aws_cdk``.
    environ = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK_OUTDIR=str(outdir))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=environ, capture_output=True, text=True, check=False, timeout=600
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of the whole process tree (Python and the jsii node runtime it waits for): steadier than
    # wall time on a machine that other jobs share.
    elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if completed.returncode != 0:
        raise RuntimeError(f"synth of {kind!r} failed:\n{completed.stderr[-3000:]}")
    reported = json.loads(completed.stdout.strip().splitlines()[-1])
    return elapsed, float(reported["app_seconds"]), list(reported["modules"])


def _stack_templates(outdir: Path) -> list[Path]:
    templates = sorted(outdir.glob("*.template.json"))
    if not templates:
        raise RuntimeError(f"the app wrote no stack template into {outdir}")
    return templates


def _merged_template(outdir: Path) -> dict[str, Any]:
    """All stacks' resources and outputs in one template (the L1 side builds them in one stack)."""
    merged: dict[str, Any] = {"Resources": {}, "Outputs": {}}
    for path in _stack_templates(outdir):
        template = json.loads(path.read_text())
        merged["Resources"].update(template.get("Resources", {}))
        merged["Outputs"].update(template.get("Outputs", {}))
    return merged


def _file_assets(outdir: Path) -> list[str]:
    """The staged Lambda code and other file assets (not the templates) the apps' stacks ship."""
    paths: list[str] = []
    for manifest in sorted(outdir.glob("*.assets.json")):
        for asset in json.loads(manifest.read_text()).get("files", {}).values():
            source = asset["source"]["path"]
            if not source.endswith(".template.json"):
                paths.append(str(outdir / source))
    return paths


def measure(repetitions: int) -> dict[str, Any]:
    """Both denominators: plain ``CfnResource``s, and the same after importing the service modules
    the subject app imported (what typed L1 classes would import)."""
    subject = "example" if EXAMPLE_APP.exists() else "constructs"
    kinds = (subject, "l1", "l1_imports")
    samples: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="claim-check-synth-") as directory:
        root = Path(directory)
        elapsed, app_seconds, modules = _synth(subject, root / "subject-0")
        samples[subject].append((elapsed, app_seconds))
        template = root / "subject.template.json"
        merged = _merged_template(root / "subject-0")
        template.write_text(
            json.dumps({**merged, ASSETS_KEY: _file_assets(root / "subject-0"), MODULES_KEY: modules})
        )
        for kind in kinds[1:]:
            samples[kind].append(_synth(kind, root / f"{kind}-0", template)[:2])
        for run in range(1, repetitions):
            samples[subject].append(_synth(subject, root / f"subject-{run}")[:2])
            for kind in kinds[1:]:
                samples[kind].append(_synth(kind, root / f"{kind}-{run}", template)[:2])
        mirrored = _merged_template(root / "l1-0")
        same = sorted(mirrored["Resources"]) == sorted(
            r for r, v in merged["Resources"].items() if v["Type"] != "AWS::CDK::Metadata"
        )
    process = {kind: statistics.median(s[0] for s in samples[kind]) for kind in kinds}
    return {
        "subject": subject,
        "resources": sum(1 for v in merged["Resources"].values() if v["Type"] != "AWS::CDK::Metadata"),
        "same_resources": same,
        "imported_modules": modules,
        "process_seconds": {
            "subject": process[subject],
            "l1": process["l1"],
            "l1_imports": process["l1_imports"],
        },
        "app_seconds": {
            "subject": statistics.median(s[1] for s in samples[subject]),
            "l1": statistics.median(s[1] for s in samples["l1"]),
            "l1_imports": statistics.median(s[1] for s in samples["l1_imports"]),
        },
        "ratio": process[subject] / process["l1"],
        "ratio_same_imports": process[subject] / process["l1_imports"],
        "repetitions": repetitions,
    }
