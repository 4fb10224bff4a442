"""Claim checks are recognised in every shape a target receives them."""

from __future__ import annotations

import json

from cdk_claim_check.local.ledger import claim_check_of, metadata_of

CLAIM = {
    "claimCheck": {"v": 1, "id": "a" * 32, "bytes": 10, "sha256": "b" * 64},
    "metadata": {"orderId": "o-1"},
}


def test_a_claim_check_is_found_bare_in_an_envelope_or_as_json_text() -> None:
    envelope = {"version": "0", "detail-type": "OrderReceived", "detail": CLAIM}
    for item in (CLAIM, envelope, json.dumps(envelope)):
        assert claim_check_of(item) == CLAIM["claimCheck"]
        assert metadata_of(item) == {"orderId": "o-1"}


def test_a_payload_is_not_a_claim_check() -> None:
    assert claim_check_of({"orderId": "o-1"}) is None
    assert claim_check_of("plain text") is None
    assert metadata_of({"orderId": "o-1"}) == {}


def test_the_claim_check_of_a_parsed_item_is_the_items_own_object() -> None:
    forged = json.loads(json.dumps(CLAIM))
    claim = claim_check_of(forged)
    assert claim is not None
    claim["sha256"] = "c" * 64  # how the failure path forges a claim check
    assert forged["claimCheck"]["sha256"] == "c" * 64
