"""Claim authenticity under KMS faults: GenerateMac in the split and VerifyMac in the retrieval
throttled, failing with 500, or held past the function's timeout. The rule holds: a complete,
correct, in-order answer or an error, and once the fault clears the same batch round-trips (and
every returned claim check carries a MAC that the retrieval accepts)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from fault_proxy import rule
from reliability_helpers import Harness, noise, split_batch

from cdk_claim_check.runtime.contract import ENV_CLAIM_MAC_KEY_ID

BODIES = ['{"orderId": "o-1"}', noise(20_000, 5), "text", noise(9_000, 6)]


@pytest.fixture(autouse=True)
def signing_key(harness: Harness, moto_server: str) -> str:
    """An HMAC key made on moto directly (not through the proxy); both handlers configured with it."""
    kms = boto3.client("kms", endpoint_url=moto_server, region_name="us-east-1")
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
    harness.configure(**{ENV_CLAIM_MAC_KEY_ID: key})
    return str(key)


def _all_signed(checks: Any) -> bool:
    return all("mac" in check["claimCheck"] for check in checks)


def test_split_generate_mac_throttled_once_retries_and_returns_signed_claims(harness: Harness) -> None:
    harness.proxy.add(rule("throttle", "kms:GenerateMac", times=1))
    outcome = harness.split_rule(split_batch(BODIES))
    assert outcome.returned and _all_signed(outcome.value)
    assert [entry.operation for entry in harness.proxy.faults("throttle")] == ["GenerateMac"]


def test_split_generate_mac_500_always_raises_and_writes_nothing(harness: Harness) -> None:
    harness.proxy.add(rule("error500", "kms:GenerateMac"))
    outcome = harness.split(split_batch(BODIES))
    assert not outcome.returned
    # The MACs come before any write: a failing key leaves no item or object behind.
    operations = harness.proxy.operations()
    assert "kms:GenerateMac" in operations
    assert "dynamodb:PutItem" not in operations and "s3:PUT object" not in operations
    harness.proxy.clear()
    harness.round_trip(split_batch(BODIES))


def test_split_generate_mac_held_past_timeout_then_redelivery_round_trips(
    harness: Harness, held: set[str]
) -> None:
    harness.proxy.add(rule("hold", "kms:GenerateMac", seconds=30))
    assert harness.split_rule(split_batch(BODIES)).kind in held


@pytest.fixture
def issued(harness: Harness) -> tuple[list[Any], list[Any]]:
    batch, checks = harness.issued(BODIES)
    assert _all_signed(checks)
    return batch, checks


def test_retrieval_verify_mac_throttled_once_retries_and_returns(harness: Harness, issued: tuple) -> None:
    harness.proxy.add(rule("throttle", "kms:VerifyMac", times=1))
    assert harness.retrieval_rule(*issued).returned


def test_retrieval_verify_mac_500_always_raises_not_forged_and_redeems_after(
    harness: Harness, issued: tuple
) -> None:
    harness.proxy.add(rule("error500", "kms:VerifyMac"))
    outcome = harness.retrieval_rule(*issued)
    assert not outcome.returned
    # A KMS failure is not a verdict: the batch is retried, never refused as forged.
    assert getattr(outcome.error, "reason", None) != "forged"


def test_retrieval_verify_mac_held_past_timeout_then_redelivery_redeems(
    harness: Harness, issued: tuple, held: set[str]
) -> None:
    harness.proxy.add(rule("hold", "kms:VerifyMac", seconds=30))
    assert harness.retrieval_rule(*issued).kind in held
