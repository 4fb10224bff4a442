"""The claim signing key: checked at synth, granted exactly the one KMS MAC action each function makes."""

from __future__ import annotations

from aws_cdk import Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from ._prop_types import real_key
from .runtime.contract import CLAIM_MAC_ALGORITHM, CLAIM_MAC_KEY_SPEC

GENERATE_MAC = "kms:GenerateMac"
"""The split's only action on the key: it makes MACs and can never check or forge-test one."""
VERIFY_MAC = "kms:VerifyMac"
"""The retrieval's only action on the key: it checks MACs and can never make one."""
_MAC_USAGE = "GENERATE_VERIFY_MAC"


def check_claim_signing_key(key: kms.IKey | None) -> kms.IKey | None:
    """``key`` itself; a ``ValueError`` naming the prop when a key defined in the app is not an HMAC key
    of spec ``HMAC_256`` with usage ``GENERATE_VERIFY_MAC``. An imported key is checked at run time
    (KMS refuses ``GenerateMac`` on any other key: ``InvalidKeyUsageException``). An alias stands for
    its target key, which is checked and granted."""
    key = real_key("claim_signing_key", "claim_signing_key", key)
    if key is None:
        return None
    cfn = key.node.default_child
    if not isinstance(cfn, kms.CfnKey):
        return key
    spec, usage = cfn.key_spec, cfn.key_usage
    if any(value is not None and Token.is_unresolved(value) for value in (spec, usage)):
        return key
    if spec != CLAIM_MAC_KEY_SPEC or usage != _MAC_USAGE:
        raise ValueError(
            f"claim_signing_key has key spec {spec or 'SYMMETRIC_DEFAULT'} and usage "
            f"{usage or 'ENCRYPT_DECRYPT'}; pass an HMAC key: kms.Key(..., "
            f"key_spec=kms.KeySpec.{CLAIM_MAC_KEY_SPEC}, key_usage=kms.KeyUsage.{_MAC_USAGE})"
        )
    return key


def claim_signing_statement(key: kms.IKey, action: str) -> iam.PolicyStatement:
    """``action`` on ``key`` only, and only with the algorithm the runtime uses."""
    return iam.PolicyStatement(
        actions=[action],
        resources=[key.key_arn],
        conditions={"StringEquals": {"kms:MacAlgorithm": CLAIM_MAC_ALGORITHM}},
    )
