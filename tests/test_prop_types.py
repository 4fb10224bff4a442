"""Props of the wrong kind fail at synth, naming the prop and what to pass; an alias stands for its key."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Size
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_

from _synth import arn_of, grants, new_stack, retrieval_pipe, role_statements, split_pipe
from cdk_claim_check import (
    ClaimCheckRetrievalPipe,
    ClaimCheckRuntimeLayer,
    ClaimCheckSplitPipe,
    ClaimCheckStore,
    ExtendedClientBucket,
    PipeOptions,
)

PIPES = {"split": split_pipe, "retrieval": retrieval_pipe}


def _bool_props(cls: Any) -> list[str]:
    hints = {**typing.get_type_hints(PipeOptions), **typing.get_type_hints(cls.__init__)}
    return sorted(name for name, hint in hints.items() if hint is bool)


@pytest.mark.parametrize(
    ("kind", "prop"),
    [("split", prop) for prop in _bool_props(ClaimCheckSplitPipe)]
    + [("retrieval", prop) for prop in _bool_props(ClaimCheckRetrievalPipe)],
)
def test_every_yes_or_no_prop_of_the_pipes_refuses_a_string(kind: str, prop: str) -> None:
    # "false" is what `cdk synth -c flag=false` gives, and a non-empty string is truthy.
    with pytest.raises(TypeError, match=rf"{prop}='false' is a str; pass True or False"):
        PIPES[kind](new_stack(), **{prop: "false"})


def test_the_yes_or_no_props_found_include_the_ones_that_turn_on_payload_logging_and_expiry() -> None:
    assert {"pipe_log_include_execution_data", "expire_after_retrieval", "alarms_enabled"} <= set(
        _bool_props(ClaimCheckRetrievalPipe)
    )


@pytest.mark.parametrize("prop", ["overflow_bucket", "point_in_time_recovery"])
def test_store_yes_or_no_props_refuse_a_string(prop: str) -> None:
    with pytest.raises(TypeError, match=rf"ClaimCheckStore: {prop}='no' is a str; pass True or False"):
        ClaimCheckStore(new_stack(), "Store", **{prop: "no"})


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"function_timeout": 60}, r"function_timeout=60 is an int; pass a Duration"),
        ({"maximum_batching_window": 5}, r"maximum_batching_window=5 is an int; pass a Duration"),
        ({"claim_signing_key": "alias/x"}, r"claim_signing_key='alias/x' is a str; pass a kms.IKey"),
        (
            {"pipe_encryption_key": "arn:aws:kms:x"},
            r"pipe_encryption_key='arn:aws:kms:x' is a str; pass a kms",
        ),
        ({"pipe_log_group": "/aws/x"}, r"pipe_log_group='/aws/x' is a str; pass a logs.ILogGroup"),
        (
            {"source_dead_letter_queue": "arn:x"},
            r"source_dead_letter_queue='arn:x' is a str; pass an sqs.IQueue",
        ),
        (
            {"extended_client_buckets": ["my-bucket"]},
            r"extended_client_buckets=\['my-bucket'\] is a list; pass a list of ExtendedClientBucket or s3",
        ),
        ({"max_payload_size": 200_000}, r"max_payload_size=200000 is an int; pass a Size"),
        ({"redeemed_grace_period": 3600}, r"redeemed_grace_period=3600 is an int; pass a Duration"),
    ],
)
def test_retrieval_props_of_the_wrong_kind_name_the_prop_and_what_to_pass(
    props: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=rf"ClaimCheckRetrievalPipe: {message}"):
        retrieval_pipe(new_stack(), **props)


def test_store_methods_and_other_constructors_check_their_props_too() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    with pytest.raises(TypeError, match=r"ClaimCheckStore.grant_redeem: grantee='fn' is a str; pass an iam"):
        store.grant_redeem("fn")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ClaimCheckStore.from_table: table='claims' is a str"):
        ClaimCheckStore.from_table(stack, "Existing", table="claims")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ClaimCheckStore: time_to_live=7 is an int; pass a Duration"):
        ClaimCheckStore(stack, "Other", time_to_live=7)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ExtendedClientBucket: bucket='my-bucket' is a str; pass an s3"):
        ExtendedClientBucket("my-bucket")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"ClaimCheckRuntimeLayer: compatible_runtimes=.* is a Runtime; pass a list"
    ):
        ClaimCheckRuntimeLayer(stack, "Layer", compatible_runtimes=lambda_.Runtime.PYTHON_3_13)  # type: ignore[arg-type]


def test_a_duration_or_size_that_is_a_token_is_refused_as_unknown_at_synth() -> None:
    stack = new_stack()
    seconds = cdk.CfnParameter(stack, "Timeout", type="Number").value_as_number
    with pytest.raises(
        ValueError, match=r"function_timeout is an unresolved token; .* pass a plain Duration"
    ):
        split_pipe(stack, function_timeout=Duration.seconds(seconds))
    with pytest.raises(ValueError, match=r"max_payload_size is an unresolved token; .* pass a plain Size"):
        retrieval_pipe(new_stack(), max_payload_size=Size.bytes(seconds))


@pytest.mark.parametrize(
    ("kind", "typo", "meant"),
    [
        ("split", "keep_field", "keep_fields"),
        ("retrieval", "expire_after_retreival", "expire_after_retrieval"),
    ],
)
def test_a_misspelt_prop_of_the_pipe_itself_names_the_one_meant(kind: str, typo: str, meant: str) -> None:
    with pytest.raises(TypeError, match=rf"unexpected prop '{typo}'; did you mean '{meant}'\?"):
        PIPES[kind](new_stack(), **{typo: True})


def test_right_kinds_pass_the_checks_untouched() -> None:
    stack = new_stack()
    pipe = retrieval_pipe(
        stack,
        function_timeout=Duration.seconds(20),
        alarms_enabled=False,
        expire_after_retrieval=True,
        max_payload_size=Size.kibibytes(200),
    )
    assert pipe.function.timeout is not None and pipe.function.timeout.to_seconds() == 20


def _mac_key(stack: cdk.Stack) -> kms.Key:
    return kms.Key(stack, "Mac", key_spec=kms.KeySpec.HMAC_256, key_usage=kms.KeyUsage.GENERATE_VERIFY_MAC)


def test_an_alias_as_claim_signing_key_is_granted_and_configured_as_its_target_key() -> None:
    stack = new_stack()
    key = _mac_key(stack)
    alias = kms.Alias(stack, "MacAlias", alias_name="alias/claims-mac", target_key=key)
    pipe = split_pipe(stack, claim_signing_key=alias)
    key_arn = stack.resolve(key.key_arn)
    mac_statements = [
        s for s in role_statements(stack, pipe.function.role) if s["Action"] == "kms:GenerateMac"
    ]
    assert [s["Resource"] for s in mac_statements] == [key_arn]


def test_an_alias_over_a_symmetric_key_is_refused_as_a_signing_key_as_the_key_itself_is() -> None:
    stack = new_stack()
    alias = kms.Alias(stack, "Alias", alias_name="alias/not-mac", target_key=kms.Key(stack, "Symmetric"))
    with pytest.raises(ValueError, match=r"claim_signing_key has key spec SYMMETRIC_DEFAULT"):
        split_pipe(stack, claim_signing_key=alias)


@pytest.mark.parametrize("prop", ["claim_signing_key", "pipe_encryption_key", "source_encryption_key"])
def test_an_alias_imported_by_name_is_refused_since_a_policy_cannot_name_its_key(prop: str) -> None:
    stack = new_stack()
    alias = kms.Alias.from_alias_name(stack, "Alias", "alias/somewhere")
    props: dict[str, Any] = {prop: alias}
    if prop == "source_encryption_key":
        props["source"] = None
    with pytest.raises(ValueError, match=rf"{prop} is a KMS alias whose key is unknown here"):
        split_pipe(stack, **props)


def test_an_alias_as_the_store_key_grants_the_functions_its_target_key() -> None:
    stack = new_stack()
    key = kms.Key(stack, "StoreKey")
    alias = kms.Alias(stack, "StoreAlias", alias_name="alias/store", target_key=key)
    store = ClaimCheckStore(stack, "Store", encryption_key=alias)
    grantee = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    store.grant_redeem(grantee)
    key_grants = {resource for action, resource in grants(stack, grantee) if action.startswith("kms:")}
    assert key_grants == {arn_of(key)}


def test_the_checked_signatures_still_show_their_own_parameters() -> None:
    # API.md is generated from these signatures: the check must not hide them behind *args.
    parameters = inspect.signature(ClaimCheckSplitPipe.__init__).parameters
    assert {"source", "store", "target", "keep_fields"} <= set(parameters)
