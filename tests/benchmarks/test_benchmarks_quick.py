"""Runs ``python -m benchmarks --quick`` into a temporary directory so the benchmark cannot rot.

Asserts the structure of what it writes and bounds that follow from the designs, never timings:
request counts (docs/contract.md for ours, the sample's handlers for the baseline), costs above
what any design must pay and ours below the sample's, ratios within what their definitions allow,
and verdicts that agree with their figures. The committed results are not touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from benchmarks.prices import PRICES

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


def test_every_cost_is_above_the_floor_and_ours_is_below_the_samples(
    quick_run: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_run
    # Whatever the design, each message is sent by the producer, published once on the bus and
    # sent by the rule to the claims queue: two SQS request chunks and one event at least.
    floor = (2 * PRICES.sqs_request_chunk + PRICES.eventbridge_event_chunk) * 1e6
    for label, row in results["cost_usd_per_million"].items():
        assert floor <= row["ours"] < row["baseline"], label
        assert floor <= row["ours_object"] < row["baseline"], label
        # packed never makes more S3 requests than one object per payload
        assert row["ours_packed"] <= row["ours_object"] * 1.01, label


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
    assert batch > 1
    assert row["ours (packed)"]["requests_per_message"]["s3.PutObject"] == pytest.approx(1 / batch)
    assert row["ours (object)"]["requests_per_message"]["s3.PutObject"] == pytest.approx(1.0)
    assert row["ours (packed)"]["total_usd_per_million"] < row["ours (object)"]["total_usd_per_million"]


def test_every_ratio_is_within_what_its_definition_allows(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_run
    # A handler does at least part of a bare put / get's work and not twenty times all of it.
    for side, ratio in results["handler_cpu_ratio"].items():
        assert 0.05 < ratio < 20, side
    # The handler's cold import includes ``import boto3``, timed in the same process.
    for module, timing in results["cold_import_cpu_seconds"].items():
        assert timing["handler_seconds"] >= timing["boto3_seconds"] > 0, module
    for side, ratio in results["cold_import_ratio"].items():
        assert 1.0 <= ratio < 10, side
    assert 0.5 < results["synth_ratio"] < 20


def test_every_target_has_a_verdict_that_agrees_with_its_figure(
    quick_run: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_run
    assert results["targets"]
    for target in results["targets"]:
        assert target["note"], target["name"]
        if target["measured"] is None:
            assert target["met"] is False, target["name"]
        else:
            assert target["met"] is (target["measured"] <= target["limit"]), target["name"]
