"""The package as a CDK user gets it: the built wheel in a fresh venv with only its declared deps.

A small app outside ``src/`` (consumer_app/app.py) that uses both pipes over imported resources
must synthesize there, ``mypy --strict`` must accept it against the installed package (and reject
a wrong prop type, so the check can fail), and ``cdk-claim-check-local`` must name the [local]
extra. The venv and mypy's cache live in the user's cache folder (``$XDG_CACHE_HOME`` or
~/.cache, under cdk-claim-check/consumer/), with uv's cache behind them, so later runs, from any
clone on the machine, take under a minute; the first run on a machine takes minutes, mostly mypy
reading aws-cdk-lib once. A file lock keeps two suites (two clones) from sharing the venv at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from release_helpers import ROOT, BuiltDist, uv

APP = Path(__file__).parent / "consumer_app" / "app.py"
WORK = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "cdk-claim-check"
    / "consumer"
    / f"py{sys.version_info.major}{sys.version_info.minor}"
)
VENV_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.consumer


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def consumer_work() -> Iterator[Path]:
    """The shared cache folder, held under an exclusive lock for the test's duration."""
    WORK.mkdir(parents=True, exist_ok=True)
    with (WORK / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield WORK


def test_wheel_alone_synthesizes_a_consumer_app_that_mypy_strict_accepts(
    built_dist: BuiltDist, consumer_work: Path, tmp_path: Path
) -> None:
    venv = consumer_work / "venv"
    python = str(venv / "bin" / "python")
    created = _run(uv(), "venv", "--quiet", "--clear", "--python", sys.executable, str(venv), cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    wheel = str(built_dist.wheel)
    installed = _run(uv(), "pip", "install", "--quiet", "--python", python, wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    # Only the declared dependencies: no runtime or local extra, and the package from the wheel.
    probe = _run(
        python,
        "-c",
        "import importlib.util, json, cdk_claim_check; print(json.dumps({'file': cdk_claim_check.__file__, "
        "'extras': [m for m in ('boto3', 'moto', 'aws_lambda_powertools') if importlib.util.find_spec(m)]}))",
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["extras"] == []
    assert str(venv) in found["file"] and str(ROOT / "src") not in found["file"]

    outdir = tmp_path / "cdk.out"
    synth = _run(python, str(APP), str(outdir), cwd=tmp_path)
    assert synth.returncode == 0, synth.stderr[-4000:]
    template = json.loads((outdir / "ExistingResources.template.json").read_text())
    kinds = [resource["Type"] for resource in template["Resources"].values()]
    assert kinds.count("AWS::Pipes::Pipe") == 2
    assert "AWS::DynamoDB::Table" not in kinds and "AWS::S3::Bucket" not in kinds  # imported, not created

    mypy = [str(VENV_BIN / "mypy"), "--strict", "--python-executable", python]
    mypy += ["--cache-dir", str(consumer_work / "mypy")]
    checked = _run(*mypy, str(APP), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "import aws_cdk as cdk\nfrom cdk_claim_check import ClaimCheckStore\n"
        "ClaimCheckStore(cdk.Stack(), 'Store', time_to_live=7)\n"
    )
    rejected = _run(*mypy, str(wrong), cwd=tmp_path)
    assert rejected.returncode == 1 and '"time_to_live"' in rejected.stdout, rejected.stdout

    local = _run(str(venv / "bin" / "cdk-claim-check-local"), "--help", cwd=tmp_path)
    assert local.returncode == 2
    assert "pip install 'cdk-claim-check[local]'" in local.stderr and "Traceback" not in local.stderr
