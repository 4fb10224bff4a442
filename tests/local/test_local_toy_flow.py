"""The local run on a hand-written app of plain L1 pipes: it plays whatever the template says."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from local_run_helpers import LocalRun

pytestmark = pytest.mark.slow

BODIES = [
    json.dumps({"orderId": "o-1", "note": "héllo wörld"}, separators=(",", ":"), ensure_ascii=False),
    json.dumps({"orderId": "o-2", "lines": list(range(200))}, separators=(",", ":")),
    "plain text, not JSON: ünïcödé",
    json.dumps({"orderId": "o-4"}, separators=(",", ":")),
    json.dumps({"orderId": "o-5", "pad": "x" * 5000}, separators=(",", ":")),
    json.dumps({"orderId": "o-6", "nested": {"a": [1.5, None, True]}}, separators=(",", ":")),
    json.dumps({"orderId": "o-7"}, separators=(",", ":")),
]


@pytest.fixture(scope="module")
def toy_run(
    toy_assembly: Path, run_local: Callable[..., LocalRun], write_bodies: Callable[[list[str]], Path]
) -> LocalRun:
    return run_local("--cdk-out", toy_assembly, "--messages-from", write_bodies(BODIES))


def test_toy_flow_restores_every_body_byte_exact_and_exits_zero(toy_run: LocalRun) -> None:
    assert toy_run.returncode == 0, toy_run.stdout + toy_run.stderr
    assert [m["size"] for m in toy_run.report["messages"]] == [len(b.encode()) for b in BODIES]
    assert {m["restored"] for m in toy_run.report["messages"]} == {"exact"}
    assert "RESULT: OK" in toy_run.stdout


def test_toy_flow_delivers_to_the_workflow_and_to_the_lambda_target(toy_run: LocalRun) -> None:
    executions = toy_run.report["executions"]
    assert set(executions) == {"SUCCEEDED"} and executions["SUCCEEDED"] >= 1
    assert toy_run.pipe("RetrieveToLambda")["target"].startswith("function ")
    assert toy_run.pipe("RetrieveToLambda")["batches"] >= 1
    assert toy_run.pipe("Retrieve")["target"].startswith("state_machine ")


def test_toy_flow_publishes_restored_payloads_to_the_topic_and_its_subscribed_queue(
    toy_run: LocalRun,
) -> None:
    assert toy_run.pipe("RetrieveToTopic")["target"].startswith("topic ")
    (sink,) = toy_run.report["waiting"]
    assert sink.startswith("RestoredSink") and toy_run.report["waiting"][sink] == len(BODIES)


def test_toy_flow_sends_only_small_claim_checks_across_the_bus(toy_run: LocalRun) -> None:
    for message in toy_run.report["messages"]:
        assert message["crossed_via"].startswith("ToyStackBus")
        assert message["crossed_bytes"] < 400
    largest = max(toy_run.report["messages"], key=lambda m: m["size"])
    assert largest["size"] > 5000 > largest["crossed_bytes"]


def test_tampered_claim_check_ends_in_the_dead_letter_queues_with_its_error(toy_run: LocalRun) -> None:
    dead = toy_run.report["dead_letters"]
    # The rule fans the forged event out to the three claim queues; each DLQ must hold its copy.
    assert sorted(d["queue"].rstrip("0123456789ABCDEF") for d in dead) == [
        "ClaimsDlq",
        "ToLambdaDlq",
        "ToTopicDlq",
    ]
    assert all(d["expected"] and "tampered" in d["error"] for d in dead)


def test_split_batches_follow_the_batch_size_in_the_template(
    toy_assembly: Path,
    toy_assembly_batch_one: Path,
    run_local: Callable[..., LocalRun],
    write_bodies: Callable[[list[str]], Path],
) -> None:
    bodies = write_bodies(BODIES)
    by_three = run_local("--cdk-out", toy_assembly, "--messages-from", bodies, "--failure", "none")
    by_one = run_local("--cdk-out", toy_assembly_batch_one, "--messages-from", bodies, "--failure", "none")
    assert by_three.returncode == by_one.returncode == 0, by_three.stdout + by_one.stdout
    assert (by_three.pipe("Split")["batch_size"], by_three.pipe("Split")["batches"]) == (3, 3)
    assert (by_one.pipe("Split")["batch_size"], by_one.pipe("Split")["batches"]) == (1, len(BODIES))


def test_a_body_the_split_rejects_lands_in_the_inbox_dlq_and_fails_the_run(
    toy_assembly_batch_one: Path,
    run_local: Callable[..., LocalRun],
    write_bodies: Callable[[list[str]], Path],
) -> None:
    bodies = [BODIES[0], "poison pill", BODIES[1]]
    run = run_local(
        "--cdk-out", toy_assembly_batch_one, "--messages-from", write_bodies(bodies), "--failure", "none"
    )
    assert run.returncode == 1
    outcome = {m["size"]: m["restored"] for m in run.report["messages"]}
    assert outcome == {
        len(BODIES[0].encode()): "exact",
        len(b"poison pill"): "no",
        len(BODIES[1].encode()): "exact",
    }
    (dead,) = run.report["dead_letters"]
    assert dead["queue"].startswith("InboxDlq") and not dead["expected"]
    assert "poison" in dead["error"]
    assert run.pipe("Split")["failed_batches"] == 2  # the inbox's maxReceiveCount
    assert "lost" in run.stdout and "RESULT: FAILED" in run.stdout
