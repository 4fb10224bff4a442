"""Cold import of each handler module, as Lambda does it, against ``import boto3``.

Lambda loads ``runtime.split`` from the asset directory as a top-level ``runtime`` package (see
docs/contract.md) with the function's environment set and no bytecode cache (the asset ships no
``__pycache__`` and /var/task is read-only), so each measurement builds that asset layout in a
temporary directory and imports from it in a fresh interpreter with bytecode writing off.
Each fresh interpreter times ``import boto3`` and then the rest of the handler's import, in CPU
seconds (interpreter start-up is left out): the handler's cold import is the sum, and the pair,
measured in the same process a moment apart, sees the same machine load. The ratio is the median
of the per-process ratios.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cdk_claim_check.runtime.contract import ENV_BUCKET_NAME, ENV_TABLE_NAME, POWERTOOLS_ENVIRONMENT

from .lambda_env import CODE_ROOT, FAKE_AWS_ENV

RUNTIME_SOURCE = CODE_ROOT / "runtime"

_TIMED_IMPORT = """
import json, time
started = time.process_time()
import boto3
boto3_done = time.process_time()
import {module}
print(json.dumps({{"boto3": boto3_done - started, "handler": time.process_time() - started}}))
"""


@contextmanager
def lambda_asset() -> Iterator[Path]:
    """The function's asset as the constructs ship it: only ``runtime/``, no bytecode."""
    with tempfile.TemporaryDirectory(prefix="claim-check-asset-") as directory:
        shutil.copytree(
            RUNTIME_SOURCE, Path(directory) / "runtime", ignore=shutil.ignore_patterns("__pycache__")
        )
        yield Path(directory)


def _handler_environment(asset: Path) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    environ.update(FAKE_AWS_ENV)
    environ.update(
        {
            "PYTHONPATH": str(asset),
            "PYTHONDONTWRITEBYTECODE": "1",
            ENV_TABLE_NAME: "claims",
            ENV_BUCKET_NAME: "claims-bucket",
            "POWERTOOLS_SERVICE_NAME": POWERTOOLS_ENVIRONMENT["POWERTOOLS_SERVICE_NAME"],
            "POWERTOOLS_METRICS_NAMESPACE": POWERTOOLS_ENVIRONMENT["POWERTOOLS_METRICS_NAMESPACE"],
            "AWS_LAMBDA_FUNCTION_NAME": "claim-check-benchmark",
        }
    )
    return environ


def _import_cpu_seconds(module: str, cwd: Path, environ: dict[str, str]) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-c", _TIMED_IMPORT.format(module=module)],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    timings: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return timings


def measure(repetitions: int) -> dict[str, dict[str, float]]:
    """Per handler module: median CPU seconds of ``import boto3`` and of the handler's whole cold
    import (boto3 included), and the median of the per-process ratios."""
    modules = ("runtime.split", "runtime.retrieval")
    samples: dict[str, list[dict[str, float]]] = {module: [] for module in modules}
    with lambda_asset() as asset:
        environ = _handler_environment(asset)
        for _ in range(repetitions):
            for module in modules:  # alternate the modules within each round
                samples[module].append(_import_cpu_seconds(module, asset, environ))
    return {
        module: {
            "boto3_seconds": statistics.median(s["boto3"] for s in runs),
            "handler_seconds": statistics.median(s["handler"] for s in runs),
            "ratio": statistics.median(s["handler"] / s["boto3"] for s in runs),
        }
        for module, runs in samples.items()
    }
