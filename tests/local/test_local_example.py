"""The local run on the example app: the original sample's whole flow, end to end, without AWS."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from local_run_helpers import LocalRun

pytestmark = pytest.mark.slow

MESSAGES = 6
WORKFLOW_MAX_ORDER_BYTES = 80_000  # examples/claim_check_example/stack.py routes by this size


@pytest.fixture(scope="module")
def example_run(example_assembly: Path, run_local: Callable[..., LocalRun]) -> LocalRun:
    return run_local("--cdk-out", example_assembly, "--messages", str(MESSAGES))


def test_every_sample_order_comes_back_byte_exact(example_run: LocalRun) -> None:
    assert example_run.returncode == 0, example_run.stdout + example_run.stderr
    messages = example_run.report["messages"]
    assert len(messages) == MESSAGES
    assert {m["restored"] for m in messages} == {"exact"}
    sizes = sorted(m["size"] for m in messages)
    assert sizes[0] < 8_192 and sizes[-1] > 800_000  # both the inline and the S3 side of the store


def test_only_claim_checks_cross_the_application_bus(example_run: LocalRun) -> None:
    (audit,) = example_run.report["bus_audits"]  # the debug rule's log group: every bus event
    assert audit["events"] == audit["claim_checks"] == MESSAGES + 1  # + the tampered copy
    assert audit["largest_event_bytes"] < 1_024
    assert all(m["crossed_bytes"] < 512 for m in example_run.report["messages"])


def test_orders_are_routed_by_claim_check_size_to_the_workflow_or_the_lambda(example_run: LocalRun) -> None:
    for message in example_run.report["messages"]:
        expected_target = "state_machine" if message["size"] <= WORKFLOW_MAX_ORDER_BYTES else "function"
        assert message["delivered_to"].startswith(expected_target), message
    (to_workflow,) = [p for p in example_run.report["pipes"] if p["target"].startswith("state_machine")]
    # One execution per batch the pipe delivered, and each ran the workflow to the end.
    assert example_run.report["executions"] == {
        "SUCCEEDED": to_workflow["batches"] - to_workflow["failed_batches"]
    }


def test_tampered_claim_check_is_dead_lettered_by_the_processor_queue(example_run: LocalRun) -> None:
    (dead,) = example_run.report["dead_letters"]
    assert dead["queue"].startswith("ProcessorQueueDlq") and dead["expected"]
    assert "tampered" in dead["error"]
    assert "RESULT: OK" in example_run.stdout


def test_expired_claim_check_is_dead_lettered_with_expired(
    example_assembly: Path, run_local: Callable[..., LocalRun]
) -> None:
    run = run_local("--cdk-out", example_assembly, "--messages", "2", "--failure", "expired")
    assert run.returncode == 0, run.stdout + run.stderr
    (dead,) = run.report["dead_letters"]
    assert dead["expected"] and "expired" in dead["error"]


def test_the_cli_synthesizes_the_app_itself_and_prints_the_report(run_local: Callable[..., LocalRun]) -> None:
    run = run_local("--app", f"{sys.executable} examples/app.py", "--messages", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "synthesizing:" in run.stdout
    assert "restored byte-exact: 2, same JSON value: 0, lost: 0" in run.stdout


def test_a_producer_that_refuses_the_request_stops_the_run_with_its_error(
    example_assembly: Path, run_local: Callable[..., LocalRun]
) -> None:
    run = run_local("--cdk-out", example_assembly, "--messages", "5000")
    assert run.returncode == 2
    assert "count must be 1..1000" in run.stderr
