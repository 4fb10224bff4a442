"""Fixtures for the local run's tests: synthesized apps (once per session) and a runner of the CLI.

End-to-end runs go through the real command (``python -m cdk_claim_check.local.cli``) in a child
process, as a user runs it: the local run owns its process's moto state, and the report it writes
with ``--report-json`` is what the tests read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from local_run_helpers import LocalRun

from cdk_claim_check.local.assembly import synthesize

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "apps"
EXAMPLES = ROOT / "examples"


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_VALIDATION": "false",
        **(extra or {}),
    }


def _synth(app: Path, out_dir: Path, extra_env: dict[str, str] | None = None) -> Path:
    saved = dict(os.environ)
    os.environ.update(_env(extra_env))
    try:
        return synthesize(f"{sys.executable} {app}", out_dir, cwd=ROOT)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def toy_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-written L1 toy app (split batch size 3)."""
    return _synth(APPS / "toy_app.py", tmp_path_factory.mktemp("toy") / "cdk.out")


@pytest.fixture(scope="session")
def toy_assembly_batch_one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy app with its split pipe's batch size changed to 1 in the app, nothing else."""
    return _synth(APPS / "toy_app.py", tmp_path_factory.mktemp("toy1") / "cdk.out", {"TOY_SPLIT_BATCH": "1"})


@pytest.fixture(scope="session")
def example_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``examples/app.py``, synthesized as the CDK CLI would."""
    return _synth(EXAMPLES / "app.py", tmp_path_factory.mktemp("example") / "cdk.out")


@pytest.fixture(scope="session")
def targets_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``examples/targets_app.py`` (SQS and Lambda targets)."""
    return _synth(EXAMPLES / "targets_app.py", tmp_path_factory.mktemp("targets") / "cdk.out")


@pytest.fixture(scope="session")
def run_local(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., LocalRun]:
    """Run ``cdk-claim-check-local`` with the given arguments; return its exit status and report."""

    def run(*args: str | Path) -> LocalRun:
        report_file = tmp_path_factory.mktemp("run") / "report.json"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cdk_claim_check.local.cli",
                *map(str, args),
                "--report-json",
                str(report_file),
            ],
            cwd=ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        report = json.loads(report_file.read_text()) if report_file.exists() else {}
        return LocalRun(result.returncode, result.stdout, result.stderr, report)

    return run


@pytest.fixture(scope="session")
def write_bodies(tmp_path_factory: pytest.TempPathFactory) -> Callable[[list[str]], Path]:
    """Write message bodies to a JSON Lines file for ``--messages-from``."""

    def write(bodies: list[str]) -> Path:
        path = tmp_path_factory.mktemp("bodies") / "messages.jsonl"
        path.write_text("".join(f"{body}\n" for body in bodies), encoding="utf-8")
        return path

    return write
