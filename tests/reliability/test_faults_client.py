"""``ClaimCheckClient`` (put / redeem / redeem_batch) under store faults, run with a function's timeout."""

from __future__ import annotations

import pytest
from fault_proxy import rule
from reliability_helpers import Harness, Outcome, noise

from cdk_claim_check.runtime import ClaimCheckError

BODY = '{"orderId": "o-9", "note": "' + noise(12_000, 9) + '"}'


def _put(harness: Harness, body: str = BODY) -> Outcome:
    return harness.runner.call(lambda _: harness.client().put(body, message_id="client-1"))


def _put_rule(harness: Harness) -> Outcome:
    """A put either returns a redeemable claim or fails; once the fault clears, putting again works."""
    outcome = _put(harness)
    harness.clear()
    if outcome.returned:
        assert harness.client().redeem(outcome.value).body == BODY
    again = _put(harness)
    assert again.returned, again.error
    assert harness.client().redeem(again.value).body == BODY
    if outcome.returned:
        assert again.value == outcome.value  # the same message id: the same claim
    return outcome


def test_client_put_item_throttled_once_returns(harness: Harness) -> None:
    harness.proxy.add(rule("throttle", "dynamodb:PutItem", times=1))
    assert _put_rule(harness).returned


def test_client_put_s3_500_always_raises(harness: Harness) -> None:
    harness.proxy.add(rule("error500", "s3:PUT object"))
    assert not _put_rule(harness).returned


def test_client_put_item_held_past_timeout_then_put_again_is_idempotent(
    harness: Harness, held: set[str]
) -> None:
    harness.proxy.add(rule("hold", "dynamodb:PutItem", seconds=30))
    assert _put_rule(harness).kind in held


def test_client_put_different_body_same_message_id_raises_conflict(harness: Harness) -> None:
    assert _put(harness).returned
    outcome = _put(harness, BODY + " ")
    assert isinstance(outcome.error, ClaimCheckError)
    assert outcome.error.reason == "conflict"


@pytest.mark.parametrize(
    ("fault", "target"),
    [
        ("error500", "dynamodb:BatchGetItem"),
        ("unprocessed", "dynamodb:BatchGetItem"),
        ("drop", "s3:GET range"),
    ],
)
def test_client_redeem_transient_fault_once_returns(harness: Harness, fault: str, target: str) -> None:
    check = _put(harness).value
    harness.proxy.add(rule(fault, target, times=1))
    outcome = harness.runner.call(lambda _: harness.client().redeem(check).body)
    assert outcome.returned
    assert outcome.value == BODY


def test_client_redeem_batch_ranged_get_corrupted_raises_tampered(harness: Harness) -> None:
    checks = [harness.client().put(body) for body in (BODY, noise(9_000, 10), "small")]
    harness.proxy.add(rule("corrupt", "s3:GET range"))
    outcome = harness.runner.call(lambda _: harness.client().redeem_batch(checks))
    assert not outcome.returned
    harness.clear()
    assert [p.body for p in harness.client().redeem_batch(checks)] == [BODY, noise(9_000, 10), "small"]


def test_client_redeem_batch_expire_throttled_returns_payloads_and_keeps_claims(harness: Harness) -> None:
    checks = [harness.client().put(body) for body in (BODY, "small")]
    harness.proxy.add(rule("throttle", "dynamodb:UpdateItem"))
    harness.runner.timeout_seconds = 5  # user code in a function of its own, with time for the retries
    outcome = harness.runner.call(
        lambda _: [p.body for p in harness.client().redeem_batch(checks, expire_after_seconds=3600)]
    )
    assert outcome.value == [BODY, "small"]
    harness.clear()
    assert [p.body for p in harness.client().redeem_batch(checks)] == [BODY, "small"]


def test_client_redeem_with_expiry_then_redeem_again_within_grace(harness: Harness) -> None:
    check = harness.client().put(BODY)
    assert harness.client().redeem(check, expire_after_seconds=3600).body == BODY
    assert harness.client().redeem(check).body == BODY
