"""The retrieval enrichment under store faults, with and without expire-after-retrieval."""

from __future__ import annotations

import pytest
from fault_proxy import rule
from reliability_helpers import Harness, expected_value, noise, retrieval_batch

BODIES = ['{"orderId": "o-1"}', noise(20_000, 3), "[1, 2, 3]", noise(30_000, 4), "text", ""]


@pytest.fixture
def issued(harness: Harness) -> tuple[list, list]:
    return harness.issued(BODIES)


def test_retrieval_batch_get_throttled_once_retries_and_returns(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("throttle", "dynamodb:BatchGetItem", times=1))
    assert harness.retrieval_rule(*issued).returned


def test_retrieval_batch_get_throttled_always_raises(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("throttle", "dynamodb:BatchGetItem", error_code="ThrottlingException"))
    assert not harness.retrieval_rule(*issued).returned


def test_retrieval_batch_get_unprocessed_keys_twice_retries_and_returns(
    harness: Harness, issued: tuple
) -> None:
    harness.proxy.add(rule("unprocessed", "dynamodb:BatchGetItem", times=2))
    assert harness.retrieval_rule(*issued).returned
    assert len(harness.proxy.faults("unprocessed")) == 2


def test_retrieval_batch_get_unprocessed_keys_always_fails(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("unprocessed", "dynamodb:BatchGetItem"))
    assert not harness.retrieval_rule(*issued).returned


def test_retrieval_batch_get_500_once_retries_and_returns(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("error500", "dynamodb:BatchGetItem", times=1))
    assert harness.retrieval_rule(*issued).returned


def test_retrieval_batch_get_answer_corrupted_raises_or_returns_correct(
    harness: Harness, issued: tuple
) -> None:
    harness.proxy.add(rule("corrupt", "dynamodb:BatchGetItem", times=1))
    harness.retrieval_rule(*issued)


def test_retrieval_batch_get_answer_truncated_retries(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("truncate", "dynamodb:BatchGetItem", times=1))
    harness.retrieval_rule(*issued)


def test_retrieval_batch_get_answer_held_past_timeout(
    harness: Harness, issued: tuple, held: set[str]
) -> None:
    harness.proxy.add(rule("hold", "dynamodb:BatchGetItem", seconds=30))
    assert harness.retrieval_rule(*issued).kind in held


def test_retrieval_ranged_get_slowdown_once_retries_and_returns(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("throttle", "s3:GET range", times=1))
    assert harness.retrieval_rule(*issued).returned


def test_retrieval_ranged_get_slowdown_always_raises(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("throttle", "s3:GET range"))
    assert not harness.retrieval_rule(*issued).returned


@pytest.mark.parametrize("fault", ["corrupt", "truncate"])
def test_retrieval_ranged_get_body_damaged_raises(harness: Harness, issued: tuple, fault: str) -> None:
    harness.proxy.add(rule(fault, "s3:GET range"))
    assert not harness.retrieval_rule(*issued).returned


def test_retrieval_ranged_get_dropped_once_retries_and_returns(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("drop", "s3:GET range", times=1))
    assert harness.retrieval_rule(*issued).returned


def test_retrieval_ranged_get_delayed_within_timeout_returns(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("delay", "s3:GET range", seconds=0.3))
    assert harness.retrieval_rule(*issued).returned


def test_retrieval_moto_stopped_before_s3_read_raises(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("moto_down", "s3"))
    assert not harness.retrieval_rule(*issued).returned


def test_retrieval_object_layout_whole_get_500_once_retries(harness: Harness) -> None:
    harness.configure(CLAIM_CHECK_S3_LAYOUT="object")
    batch, checks = harness.issued(BODIES)
    harness.proxy.add(rule("error500", "s3:GET whole", times=1))
    assert harness.retrieval_rule(batch, checks).returned


# --- expire after retrieval -----------------------------------------------------------------------
# Redemption shortens the claim's expiry to a grace period (UpdateItem) instead of deleting it, so a
# batch Pipes hands over again (a failed target delivery, a timed-out invocation) still redeems.

EXPIRY_WRITES = "dynamodb:UpdateItem"


@pytest.fixture
def expiring(harness: Harness) -> Harness:
    harness.configure(CLAIM_CHECK_REDEEMED_GRACE_SECONDS="3600")
    return harness


def test_expire_after_retrieval_redelivered_batch_redeems_again(expiring: Harness, issued: tuple) -> None:
    # The target delivery failed (or the execution was retried): Pipes hands the batch over again.
    # No fault here, so a function with time to spare: on the faults' 2 s timeout a loaded machine
    # leaves less than the runtime's margin for the expiry, which it then rightly skips.
    expiring.runner.timeout_seconds = 10
    expiring.configure(CLAIM_CHECK_FUNCTION_TIMEOUT_SECONDS="10")
    first = expiring.retrieve(retrieval_batch(issued[1]))
    assert first.returned
    assert EXPIRY_WRITES in expiring.proxy.operations()  # the claims were redeemed with expiry
    assert expiring.retrieval_rule(*issued).returned


def test_expire_after_retrieval_update_answer_held_past_timeout_redeems_again(
    expiring: Harness, issued: tuple, held: set[str]
) -> None:
    # The expiry update is applied but its answer never comes back before the function's time is up:
    # the runtime gives up on the update in time and returns; the redelivered batch still redeems.
    expiring.proxy.add(rule("hold", EXPIRY_WRITES, seconds=30))
    # The expiry never fails the batch: it returns, unless Lambda stops the function mid-update.
    assert expiring.retrieval_rule(*issued).kind in (held | {"returned"}) - {"raised"}


def test_expire_after_retrieval_object_layout_update_held_redeems_again(expiring: Harness) -> None:
    expiring.configure(CLAIM_CHECK_S3_LAYOUT="object")
    batch, checks = expiring.issued(BODIES)
    expiring.proxy.add(rule("hold", EXPIRY_WRITES, seconds=30))
    expiring.retrieval_rule(batch, checks, again=False)
    assert not [op for op in expiring.proxy.operations() if op.startswith("s3:DELETE")]
    again = expiring.retrieve(retrieval_batch(checks))
    assert again.returned
    assert again.value == [expected_value(body) for body in BODIES]


def test_expire_after_retrieval_update_throttled_returns_and_keeps_claims(
    expiring: Harness, issued: tuple
) -> None:
    expiring.proxy.add(rule("throttle", EXPIRY_WRITES))
    assert expiring.retrieval_rule(*issued).returned


@pytest.mark.parametrize(
    ("fault", "target"),
    [("throttle", "dynamodb:BatchGetItem"), ("corrupt", "s3:GET range")],
    ids=["batch_get_throttled", "ranged_get_corrupted"],
)
def test_expire_after_retrieval_failed_read_shortens_nothing(
    expiring: Harness, issued: tuple, fault: str, target: str
) -> None:
    expiring.proxy.add(rule(fault, target))
    outcome = expiring.retrieve(retrieval_batch(issued[1]))
    assert not outcome.returned
    assert EXPIRY_WRITES not in expiring.proxy.operations()
    expiring.clear()
    again = expiring.retrieve(retrieval_batch(issued[1]))
    assert again.returned
    assert again.value == [expected_value(body) for body in BODIES]
