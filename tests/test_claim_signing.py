"""The claim signing key on both pipes (``_claim_signing.py``): the split may only make MACs, the retrieval
may only check them, both only with HMAC_SHA_256 on that one key; the key is checked at synth."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from _synth import arn_of, function_environment, new_stack, retrieval_pipe, role_statements, split_pipe
from cdk_claim_check import ClaimCheckStore
from cdk_claim_check.runtime.contract import ENV_CLAIM_MAC_KEY_ID

IMPORTED_KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555"


def _hmac_key(stack: Any) -> kms.Key:
    return kms.Key(
        stack, "ClaimKey", key_spec=kms.KeySpec.HMAC_256, key_usage=kms.KeyUsage.GENERATE_VERIFY_MAC
    )


def _key_statements(stack: Any, pipe: Any, key_arn: Any) -> list[dict[str, Any]]:
    return [s for s in role_statements(stack, pipe.function_role) if s["Resource"] == key_arn]


@pytest.mark.parametrize(
    ("make", "action"), [(split_pipe, "kms:GenerateMac"), (retrieval_pipe, "kms:VerifyMac")]
)
def test_each_function_gets_exactly_its_one_mac_action_on_the_key(make: Any, action: str) -> None:
    stack = new_stack()
    key = _hmac_key(stack)
    pipe = make(stack, store=ClaimCheckStore(stack, "Store"), claim_signing_key=key)
    key_arn = {"Fn::GetAtt": [arn_of(key)[1:-5], "Arn"]}
    assert _key_statements(stack, pipe, key_arn) == [
        {
            "Action": action,
            "Effect": "Allow",
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:MacAlgorithm": "HMAC_SHA_256"}},
        }
    ]
    assert function_environment(stack, pipe)[ENV_CLAIM_MAC_KEY_ID] == key_arn


def test_without_a_signing_key_no_mac_action_or_variable() -> None:
    stack = new_stack()
    pipe = split_pipe(stack, store=ClaimCheckStore(stack, "Store"))
    actions = {str(s["Action"]) for s in role_statements(stack, pipe.function_role)}
    assert not any("Mac" in action for action in actions)
    assert ENV_CLAIM_MAC_KEY_ID not in function_environment(stack, pipe)


def test_imported_key_is_accepted_and_checked_at_run_time() -> None:
    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "Imported", IMPORTED_KEY_ARN)
    pipe = retrieval_pipe(stack, store=ClaimCheckStore(stack, "Store"), claim_signing_key=key)
    assert function_environment(stack, pipe)[ENV_CLAIM_MAC_KEY_ID] == IMPORTED_KEY_ARN
    assert [s["Action"] for s in _key_statements(stack, pipe, IMPORTED_KEY_ARN)] == ["kms:VerifyMac"]


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"key_spec": kms.KeySpec.ECC_NIST_P256, "key_usage": kms.KeyUsage.SIGN_VERIFY},
        {"key_spec": kms.KeySpec.HMAC_512, "key_usage": kms.KeyUsage.GENERATE_VERIFY_MAC},
    ],
)
def test_key_that_is_not_an_hmac_256_key_is_rejected_naming_the_prop(props: dict[str, Any]) -> None:
    stack = new_stack()
    key = kms.Key(stack, "Key", **props)
    with pytest.raises(ValueError, match=r"claim_signing_key has key spec .*pass an HMAC key"):
        split_pipe(stack, store=ClaimCheckStore(stack, "Store"), claim_signing_key=key)


@pytest.mark.parametrize(
    ("grant", "action"), [("grant_issue", "kms:GenerateMac"), ("grant_redeem", "kms:VerifyMac")]
)
def test_store_grants_for_your_own_function_add_the_one_mac_action(grant: str, action: str) -> None:
    stack = new_stack()
    key = _hmac_key(stack)
    store = ClaimCheckStore(stack, "Store")
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    getattr(store, grant)(role, claim_signing_key=key)
    key_arn = {"Fn::GetAtt": [arn_of(key)[1:-5], "Arn"]}
    assert [s["Action"] for s in role_statements(stack, role) if s["Resource"] == key_arn] == [action]
