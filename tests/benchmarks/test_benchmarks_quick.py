"""Runs ``python -m benchmarks --quick`` into a temporary directory so the benchmark cannot rot.

Asserts the structure and sanity of what it writes, never timings: request counts that follow
from each design (docs/contract.md for ours, the sample's handlers for the baseline), positive
costs, and a verdict for every target. The committed results are not touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    output = tmp_path_factory.mktemp("benchmarks")
    environ = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output-dir", str(output)],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return output, json.loads((output / "results.json").read_text())


pytestmark = pytest.mark.slow


def test_quick_run_writes_results_report_and_plot(quick_run: tuple[Path, dict[str, Any]]) -> None:
    output, results = quick_run
    for key in (
        "cost_usd_per_million",
        "handler_cpu_ratio",
        "cold_import_ratio",
        "synth_ratio",
        "date",
        "machine",
        "versions",
        "prices",
        "targets",
    ):
        assert key in results, key
    assert (output / "benchmarks.png").read_bytes().startswith(b"\x89PNG")
    markdown = (output / "benchmarks.md").read_text()
    assert "| 1 KB |" in markdown and "](benchmarks.png)" in markdown


def test_both_designs_cost_something_at_every_size(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_run
    for label, row in results["cost_usd_per_million"].items():
        assert row["baseline"] > 0, label
        assert row["ours"] > 0, label
        assert row["ours_object"] > 0, label


def test_baseline_makes_one_put_and_one_get_per_message(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_run
    for label, row in results["cost_detail"].items():
        requests = row["baseline"]["requests_per_message"]
        assert requests["dynamodb.PutItem"] == pytest.approx(1.0), label
        assert requests["dynamodb.GetItem"] == pytest.approx(1.0), label
        assert requests["sqs.ReceiveMessage"] == pytest.approx(2.0), label  # one per pipe, batch size 1
        assert row["baseline"]["batch_size"] == 1


def test_our_layouts_differ_in_s3_puts_as_the_contract_says(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_run
    # Random 16 KB bodies do not compress under the 8 KB inline limit, so they go to S3.
    row = results["cost_detail"]["16 KB random"]
    batch = row["ours (packed)"]["batch_size"]
    assert row["ours (packed)"]["requests_per_message"]["s3.PutObject"] == pytest.approx(1 / batch)
    assert row["ours (object)"]["requests_per_message"]["s3.PutObject"] == pytest.approx(1.0)


def test_every_ratio_is_positive_and_every_target_has_a_verdict(
    quick_run: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_run
    ratios = [
        *results["handler_cpu_ratio"].values(),
        *results["cold_import_ratio"].values(),
        results["synth_ratio"],
    ]
    assert all(ratio > 0 for ratio in ratios)
    assert results["targets"]
    assert all(isinstance(target["met"], bool) and target["note"] for target in results["targets"])
