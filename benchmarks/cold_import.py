"""Cold import of each handler module, as Lambda does it, against ``import boto3``.

Lambda loads ``runtime.split`` from the asset directory as a top-level ``runtime`` package (see
docs/contract.md) with the function's environment set and no bytecode cache (the asset ships no
``__pycache__`` and /var/task is read-only), so each measurement builds that asset layout in a
temporary directory and imports from it in a fresh interpreter with bytecode writing off.
The import is timed inside the child in CPU seconds, so interpreter start-up is left out on both
sides, and the sides alternate.
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

from .lambda_env import FAKE_AWS_ENV

RUNTIME_SOURCE = Path(__file__).resolve().parents[1] / "src" / "cdk_claim_check" / "runtime"

_TIMED_IMPORT = """
import json, sys, time
started = time.process_time()
import {module}
print(json.dumps({{"cpu_seconds": time.process_time() - started}}))
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
            "CLAIM_CHECK_TABLE_NAME": "claims",
            "CLAIM_CHECK_BUCKET_NAME": "claims-bucket",
            "POWERTOOLS_SERVICE_NAME": "claim-check",
            "POWERTOOLS_METRICS_NAMESPACE": "ClaimCheck",
            "AWS_LAMBDA_FUNCTION_NAME": "claim-check-benchmark",
        }
    )
    return environ


def _import_cpu_seconds(module: str, cwd: Path, environ: dict[str, str]) -> float:
    completed = subprocess.run(
        [sys.executable, "-c", _TIMED_IMPORT.format(module=module)],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(json.loads(completed.stdout.strip().splitlines()[-1])["cpu_seconds"])


def measure(repetitions: int) -> dict[str, float]:
    """Median CPU seconds of each cold import: ``boto3``, ``runtime.split``, ``runtime.retrieval``."""
    samples: dict[str, list[float]] = {"boto3": [], "runtime.split": [], "runtime.retrieval": []}
    with lambda_asset() as asset:
        environ = _handler_environment(asset)
        for _ in range(repetitions):
            for module, values in samples.items():
                values.append(_import_cpu_seconds(module, asset, environ))
    return {module: statistics.median(values) for module, values in samples.items()}
