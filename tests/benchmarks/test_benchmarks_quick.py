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
    assert 0.2 < results["synth"]["ratio_same_imports"] < 20
    # the second denominator imports what the app imported: the constructs' service modules
    assert {"aws_cdk.aws_lambda", "aws_cdk.aws_pipes"} <= set(results["synth"]["imported_modules"])


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


def test_fewer_messages_per_batch_cost_more_and_never_less_than_the_floor(
    quick_run: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_run
    for label, sizes in results["realized_batches"].items():
        totals = [sizes[size]["total_usd_per_million"] for size in ("1", "3", "10")]
        assert totals[0] > totals[1] > totals[2], label
        for size, entry in sizes.items():
            assert entry["floor_usd_per_million"] < entry["total_usd_per_million"], (label, size)
            # one Lambda request per batch and pipe
            expected = 2 / int(size) * PRICES.lambda_request * 1e6
            assert entry["usd_per_million"]["lambda_requests"] == pytest.approx(expected), (label, size)


def test_spread_claims_read_each_packed_object_once_per_retrieval_batch(
    quick_run: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_run
    ((_, cases),) = results["spread_claims"].items()
    gets = {name: case["requests_per_message"].get("s3.GetObject", 0.0) for name, case in cases.items()}
    # 30 claims in 3 objects: together, a batch reads 1 object; interleaved, all 3; one by one, 1 each
    assert gets["claims of a batch together"] == pytest.approx(0.1)
    assert gets["claims interleaved across split batches"] == pytest.approx(0.3)
    assert gets["retrieval batch size 1"] == pytest.approx(1.0)


def test_traces_and_logs_are_priced_for_ours_and_only_logs_for_the_untraced_sample(
    quick_run: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_run
    for label, row in results["cost_detail"].items():
        ours, baseline = row["ours (packed)"], row["baseline"]
        # one trace per invocation, two invocations per batch of ten
        assert ours["billed_units_per_message"]["xray_traces"] == pytest.approx(0.2), label
        assert baseline["billed_units_per_message"]["xray_traces"] == 0.0, label
        assert (
            ours["usd_per_million"]["log_ingestion_gb"] > 0 < baseline["usd_per_million"]["log_ingestion_gb"]
        )
        assert ours["custom_metrics"], label


def test_the_peer_offloads_every_body_only_when_told_to(quick_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_run
    row = results["extended_client"]["1 KB"]["requests_per_message"]
    assert row["peer (always through S3)"]["s3.PutObject"] == pytest.approx(1.0)
    assert row["peer (always through S3)"]["s3.GetObject"] == pytest.approx(1.0)
    assert "s3.PutObject" not in row["peer (default, 256 KB threshold)"]  # 1 KB rides in the message
    assert row["ours (ClaimCheckClient.put / redeem)"]["dynamodb.PutItem"] == pytest.approx(1.0)
