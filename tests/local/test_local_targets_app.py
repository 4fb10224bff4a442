"""The local run on the second example app: claim checks through an SQS queue into a Lambda target."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from local_run_helpers import LocalRun

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "sample_data_creator"))
from orders import generate_orders  # noqa: E402

SPACED_JSON = '{"orderId": "spaced", "lines": [1, 2, 3]}'
TEXT = "not JSON at all — ünïcödé text"


@pytest.fixture(scope="module")
def bodies() -> list[str]:
    return [*generate_orders(4, seed=11), TEXT, SPACED_JSON]


@pytest.fixture(scope="module")
def targets_run(
    targets_assembly: Path,
    run_local: Callable[..., LocalRun],
    write_bodies: Callable[[list[str]], Path],
    bodies: list[str],
) -> LocalRun:
    return run_local("--cdk-out", targets_assembly, "--messages-from", write_bodies(bodies))


def test_every_body_reaches_the_lambda_target_restored(targets_run: LocalRun, bodies: list[str]) -> None:
    assert targets_run.returncode == 0, targets_run.stdout + targets_run.stderr
    restored = [(m["size"], m["restored"]) for m in targets_run.report["messages"]]
    expected = [(len(b.encode()), "exact") for b in bodies[:-1]]
    # A JSON body reaches a JSON target as its value: the spaces of the original are not kept.
    assert restored == [*expected, (len(SPACED_JSON.encode()), "json-equal")]
    assert all(m["delivered_to"].startswith("function ") for m in targets_run.report["messages"])


def test_the_claims_queue_carries_only_claim_checks(targets_run: LocalRun) -> None:
    for message in targets_run.report["messages"]:
        assert message["crossed_via"].startswith("ClaimCheckTargets-Claims")
        assert message["crossed_bytes"] < 512
    assert targets_run.report["bus_audits"] == []


def test_the_tampered_claim_check_is_dead_lettered_by_the_claims_queue(targets_run: LocalRun) -> None:
    (dead,) = targets_run.report["dead_letters"]
    assert dead["queue"].startswith("ClaimsDlq") and dead["expected"]
    assert "tampered" in dead["error"]


def test_the_retrieval_batch_size_of_the_app_is_the_one_played(targets_run: LocalRun) -> None:
    (to_lambda,) = [p for p in targets_run.report["pipes"] if p["target"].startswith("function")]
    assert to_lambda["batch_size"] == 4
    # Six claim checks in batches of at most four: two deliveries (the rest are the tampered copy's retries).
    assert to_lambda["batches"] - to_lambda["failed_batches"] == 2
