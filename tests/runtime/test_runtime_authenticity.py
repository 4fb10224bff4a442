"""Claim authenticity (``runtime/authenticity.py``): the split MACs each claim check with a KMS HMAC key
and a retrieval with that key refuses a claim check that is forged, altered or unsigned, before it
reads the store. Runs on moto's KMS (``GenerateMac`` / ``VerifyMac`` with an ``HMAC_256`` key)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from runtime_helpers import LambdaContext, claims_batch, sqs_record

from cdk_claim_check.runtime import (
    ClaimCheckClient,
    ClaimCheckError,
    ConfigError,
    load_config,
    retrieval,
    split,
)
from cdk_claim_check.runtime.authenticity import mac_message
from cdk_claim_check.runtime.contract import ENV_CLAIM_MAC_KEY_ID

BODY = json.dumps({"orderId": "o-1", "type": "order", "lines": ["x" * 40] * 300})


@pytest.fixture
def kms(aws_endpoint: str) -> Any:
    return boto3.client("kms", endpoint_url=aws_endpoint, region_name="us-east-1")


@pytest.fixture
def hmac_key(kms: Any) -> Callable[[], str]:
    def create() -> str:
        key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
        return str(key["KeyMetadata"]["Arn"])

    return create


def _client(resources: Any, kms: Any, key_id: str | None) -> ClaimCheckClient:
    client: ClaimCheckClient = resources.client(
        keep_fields=["orderId", "type"], mac_key_id=key_id, kms_client=kms
    )
    return client


@pytest.fixture
def signed(claim_check_resources: Any, kms: Any, hmac_key: Callable[[], str]) -> ClaimCheckClient:
    return _client(claim_check_resources, kms, hmac_key())


def _forged_reason(client: ClaimCheckClient, check: Any) -> str:
    with pytest.raises(ClaimCheckError) as raised:
        client.redeem(check)
    return raised.value.reason


def test_signed_claim_check_carries_a_mac_and_redeems(signed: ClaimCheckClient) -> None:
    check = signed.put(BODY, message_id="m-1")
    assert len(base64.b64decode(check["claimCheck"]["mac"])) == 32
    assert signed.redeem(check).body == BODY


def test_mac_is_deterministic_so_redelivery_issues_the_same_claim_check(signed: ClaimCheckClient) -> None:
    assert signed.put(BODY, message_id="m-1") == signed.put(BODY, message_id="m-1")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("metadata", "type"), "refund"),
        (("metadata", "extra"), "added"),
        (("claimCheck", "bytes"), 1),
        (("claimCheck", "sha256"), "0" * 64),
        (("claimCheck", "groupId"), "added-field"),
    ],
)
def test_altered_claim_check_is_refused_as_forged(
    signed: ClaimCheckClient, path: tuple[str, str], value: Any
) -> None:
    check = copy.deepcopy(signed.put(BODY, message_id="m-1"))
    check[path[0]][path[1]] = value
    assert _forged_reason(signed, check) == "forged"


def test_metadata_stripped_is_refused_as_forged(signed: ClaimCheckClient) -> None:
    check = signed.put(BODY, message_id="m-1")
    assert _forged_reason(signed, {"claimCheck": check["claimCheck"]}) == "forged"


def test_claim_check_of_another_claim_with_its_mac_is_refused(signed: ClaimCheckClient) -> None:
    first = signed.put(BODY, message_id="m-1")
    second = signed.put(BODY + " ", message_id="m-2")
    swapped = copy.deepcopy(second)
    swapped["claimCheck"]["mac"] = first["claimCheck"]["mac"]
    assert _forged_reason(signed, swapped) == "forged"


def test_unsigned_claim_check_is_refused_where_a_key_is_configured(
    signed: ClaimCheckClient, claim_check_resources: Any, kms: Any
) -> None:
    unsigned = _client(claim_check_resources, kms, None).put(BODY, message_id="m-1")
    assert "mac" not in unsigned["claimCheck"]
    with pytest.raises(ClaimCheckError, match="carries no MAC") as raised:
        signed.redeem(unsigned)
    assert raised.value.reason == "forged"


def test_mac_of_another_key_is_refused(
    signed: ClaimCheckClient, claim_check_resources: Any, kms: Any, hmac_key: Callable[[], str]
) -> None:
    other = _client(claim_check_resources, kms, hmac_key())
    assert _forged_reason(signed, other.put(BODY, message_id="m-1")) == "forged"


def test_forged_claim_is_refused_before_the_store_is_read(signed: ClaimCheckClient) -> None:
    # An id that is not in the store would be "missing" if the store were read first.
    check = copy.deepcopy(signed.put(BODY, message_id="m-1"))
    check["claimCheck"]["id"] = "f" * 32
    assert _forged_reason(signed, check) == "forged"


def test_mac_of_wrong_length_is_forged_and_non_base64_is_malformed(signed: ClaimCheckClient) -> None:
    check = copy.deepcopy(signed.put(BODY, message_id="m-1"))
    check["claimCheck"]["mac"] = base64.b64encode(b"\0" * 40).decode()
    assert _forged_reason(signed, check) == "forged"
    check["claimCheck"]["mac"] = "not base64 at all!"
    assert _forged_reason(signed, check) == "malformed"


def test_batch_names_the_first_forged_record(signed: ClaimCheckClient) -> None:
    good = signed.put(BODY, message_id="m-1")
    bad = copy.deepcopy(signed.put(BODY, message_id="m-2"))
    bad["metadata"]["orderId"] = "o-2"
    with pytest.raises(ClaimCheckError) as raised:
        signed.redeem_batch([good, bad, good], message_ids=["a", "b", "c"])
    assert (raised.value.reason, raised.value.position, raised.value.message_id) == ("forged", 1, "b")


def test_retrieval_without_a_key_still_redeems_signed_claims(
    signed: ClaimCheckClient, claim_check_resources: Any, kms: Any
) -> None:
    check = signed.put(BODY, message_id="m-1")
    assert _client(claim_check_resources, kms, None).redeem(check).body == BODY


def test_claim_check_inside_an_eventbridge_envelope_verifies(signed: ClaimCheckClient) -> None:
    check = signed.put(BODY, message_id="m-1")
    event = {"version": "0", "id": "e-1", "detail-type": "ClaimCheck", "source": "shop", "detail": check}
    assert signed.redeem(json.dumps(event)).body == BODY


def test_mac_message_is_canonical() -> None:
    wire = {"claimCheck": {"v": 1, "id": "a" * 32, "bytes": 3, "sha256": "b" * 64}, "metadata": {"n": 1}}
    reordered = {"metadata": {"n": 1.0}, "claimCheck": dict(reversed(list(wire["claimCheck"].items())))}
    with_mac = copy.deepcopy(wire)
    with_mac["claimCheck"]["mac"] = "ignored"
    assert mac_message(wire) == mac_message(reordered) == mac_message(with_mac)
    assert mac_message(wire) != mac_message({**wire, "metadata": {"n": 2}})


def test_handlers_sign_and_verify_from_the_environment(
    configure_runtime: Callable[..., None], hmac_key: Callable[[], str], lambda_context: LambdaContext
) -> None:
    configure_runtime(**{ENV_CLAIM_MAC_KEY_ID: hmac_key()})
    checks = split.handler([sqs_record(BODY)], lambda_context)
    assert "mac" in checks[0]["claimCheck"]
    assert retrieval.handler(claims_batch(checks), lambda_context) == [json.loads(BODY)]
    unsigned = copy.deepcopy(checks)
    del unsigned[0]["claimCheck"]["mac"]
    with pytest.raises(ClaimCheckError) as raised:
        retrieval.handler(claims_batch(unsigned), lambda_context)
    assert raised.value.reason == "forged"


@pytest.mark.parametrize("value", ["", "   ", "arn:aws:kms:us-east-1:1:key/a b"])
def test_blank_or_spaced_key_id_fails_the_cold_start(value: str) -> None:
    with pytest.raises(ConfigError, match=ENV_CLAIM_MAC_KEY_ID):
        load_config({"CLAIM_CHECK_TABLE_NAME": "t", ENV_CLAIM_MAC_KEY_ID: value})
