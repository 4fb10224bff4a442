"""The split enrichment under store faults: it returns every claim check, correct and in order, or fails."""

from __future__ import annotations

import pytest
from fault_proxy import rule
from reliability_helpers import Harness, noise, split_batch

SMALL = ['{"orderId": "o-1", "lines": [1, 2, 3]}', "plain text", ""]
# The 2nd and 3rd overflow to S3 (incompressible beyond the inline limit), the others stay inline.
MIXED = ['{"orderId": "o-1"}', noise(20_000, 1) + "\u00e9", '{"blob": "' + noise(60_000, 2) + '"}', "tail"]


def test_split_round_trips_through_the_proxy_with_no_fault(harness: Harness) -> None:
    outcome = harness.split_rule(split_batch(MIXED))
    assert outcome.returned
    assert {"dynamodb:PutItem", "s3:PUT object"} <= set(harness.proxy.operations())


@pytest.mark.parametrize(
    "code",
    ["ProvisionedThroughputExceededException", "ThrottlingException"],
    ids=["provisioned", "throttling"],
)
def test_split_put_item_throttled_once_retries_and_returns(harness: Harness, code: str) -> None:
    harness.proxy.add(rule("throttle", "dynamodb:PutItem", times=1, error_code=code))
    assert harness.split_rule(split_batch(SMALL)).returned
    assert len(harness.proxy.faults("throttle")) == 1


def test_split_put_item_throttled_always_raises(harness: Harness) -> None:
    harness.proxy.add(rule("throttle", "dynamodb:PutItem"))
    assert not harness.split_rule(split_batch(SMALL)).returned


def test_split_s3_put_slowdown_once_retries_and_returns(harness: Harness) -> None:
    harness.proxy.add(rule("throttle", "s3:PUT object", times=1))
    assert harness.split_rule(split_batch(MIXED)).returned


def test_split_s3_put_slowdown_always_raises_before_any_item(harness: Harness) -> None:
    harness.proxy.add(rule("throttle", "s3:PUT object"))
    assert not harness.split_rule(split_batch(MIXED)).returned


def test_split_put_item_500_always_raises(harness: Harness) -> None:
    harness.proxy.add(rule("error500", "dynamodb:PutItem"))
    assert not harness.split_rule(split_batch(SMALL)).returned


def test_split_put_item_succeeds_two_then_fails(harness: Harness) -> None:
    harness.proxy.add(rule("error500", "dynamodb:PutItem", skip=2))
    assert not harness.split_rule(split_batch([*SMALL, "four", "five"])).returned


@pytest.mark.parametrize("fault", ["drop", "drop_after"], ids=["before_forwarding", "after_applied"])
def test_split_put_item_connection_dropped_once_retries(harness: Harness, fault: str) -> None:
    harness.proxy.add(rule(fault, "dynamodb:PutItem", times=1))
    assert harness.split_rule(split_batch(SMALL)).returned


def test_split_s3_put_connection_dropped_after_applied_retries(harness: Harness) -> None:
    harness.proxy.add(rule("drop_after", "s3:PUT object", times=1))
    assert harness.split_rule(split_batch(MIXED)).returned


def test_split_put_item_delayed_within_timeout_returns(harness: Harness) -> None:
    harness.proxy.add(rule("delay", "dynamodb:PutItem", seconds=0.3))
    assert harness.split_rule(split_batch(SMALL)).returned


def test_split_put_item_answer_held_past_timeout(harness: Harness, held: set[str]) -> None:
    # The item is written, the answer never reaches the function: it retries or Pipes does.
    harness.proxy.add(rule("hold", "dynamodb:PutItem", times=1, seconds=30))
    assert harness.split_rule(split_batch(SMALL)).kind in held
    if "timed_out" in held:
        assert harness.proxy.faults("hold_lost")  # the write was applied; its answer never came back


def test_split_s3_put_answer_held_past_timeout(harness: Harness, held: set[str]) -> None:
    harness.proxy.add(rule("hold", "s3:PUT object", seconds=30))
    assert harness.split_rule(split_batch(MIXED)).kind in held


def test_split_put_item_answer_truncated_retries(harness: Harness) -> None:
    harness.proxy.add(rule("truncate", "dynamodb:PutItem", times=1))
    assert harness.split_rule(split_batch(SMALL)).returned


def test_split_moto_stopped_mid_batch_raises(harness: Harness) -> None:
    harness.proxy.add(rule("moto_down", "dynamodb:PutItem", skip=1))
    assert not harness.split_rule(split_batch(SMALL)).returned


def test_split_redelivered_after_timeout_with_object_layout_round_trips(
    harness: Harness, held: set[str]
) -> None:
    harness.configure(CLAIM_CHECK_S3_LAYOUT="object")
    harness.proxy.add(rule("hold", "dynamodb:PutItem", skip=1, times=1, seconds=30))
    assert harness.split_rule(split_batch(MIXED)).kind in held
