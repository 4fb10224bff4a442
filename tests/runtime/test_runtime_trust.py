"""Regression tests of the trust defects: forged SQS Extended Client pointers, and redemption that
destroys what a redelivery needs. Each failed on the code before its fix."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from runtime_helpers import claims_batch, sqs_record

from cdk_claim_check.runtime import ClaimCheckError, retrieval, split
from cdk_claim_check.runtime.wire import EXTENDED_POINTER_CLASS

ACCOUNT = "123456789012"  # moto's account


def _pointer(bucket: str, key: str) -> str:
    return json.dumps([EXTENDED_POINTER_CLASS, {"s3BucketName": bucket, "s3Key": key}])


def _allowed(*entries: dict[str, str]) -> str:
    return json.dumps(list(entries))


@pytest.fixture
def api_calls() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every AWS call the runtime's clients make, as (operation, parameters), from botocore's event hooks."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, dict(params)))

    session = boto3._get_default_session()
    hook = f"trust-test-{uuid.uuid4().hex}"
    session.events.register("provide-client-params", record, unique_id=hook)
    yield calls
    session.events.unregister("provide-client-params", unique_id=hook)


@pytest.fixture
def after_call_raises() -> Iterator[Callable[[str], None]]:
    """Makes a DynamoDB operation time out *after* DynamoDB applied it (its answer never comes back)."""
    session = boto3._get_default_session()
    hooks: list[tuple[str, str]] = []

    def times_out(**_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="https://dynamodb.test")

    def arm(operation: str) -> None:
        event, hook = f"after-call.dynamodb.{operation}", f"trust-test-{uuid.uuid4().hex}"
        session.events.register(event, times_out, unique_id=hook)
        hooks.append((event, hook))

    yield arm
    for event, hook in hooks:
        session.events.unregister(event, unique_id=hook)


def _producer_bucket(resources: Any, objects: dict[str, bytes]) -> str:
    """A bucket of an SQS Extended Client sender, beside the store's, holding ``objects`` by key."""
    producer = f"{resources.bucket_name}-producer"
    resources.s3.create_bucket(Bucket=producer)
    for key, body in objects.items():
        resources.s3.put_object(Bucket=producer, Key=key, Body=body)
    return producer


def _store_item(resources: Any, claim_id: str) -> dict[str, Any]:
    return resources.dynamodb.get_item(TableName=resources.table_name, Key={"id": {"S": claim_id}})["Item"]


# --- Defect 1: forged SQS Extended Client pointers ------------------------------------------------


def test_split_refuses_a_pointer_into_the_stores_own_bucket_naming_another_claims_object(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    bucket = claim_check_resources.bucket_name
    configure_runtime(CLAIM_CHECK_INLINE_LIMIT_BYTES="0", CLAIM_CHECK_S3_LAYOUT="object")
    victim = split.handler([sqs_record("secret of another sender")], lambda_context)[0]
    key = json.loads(_store_item(claim_check_resources, victim["claimCheck"]["id"])["pointer"]["S"])[1][
        "s3Key"
    ]
    configure_runtime(
        CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS=_allowed({"bucket": bucket}),  # even if named: never the store's
    )
    forged = sqs_record(_pointer(bucket, key), message_id="forged-1")
    with pytest.raises(ClaimCheckError) as raised:
        split.handler([sqs_record("fine"), forged], lambda_context)
    assert (raised.value.reason, raised.value.position, raised.value.message_id) == (
        "pointer_not_allowed",
        1,
        "forged-1",
    )
    assert "secret" not in str(raised.value)


def test_retrieval_refuses_an_existing_item_whose_pointer_names_the_stores_own_bucket(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    bucket = claim_check_resources.bucket_name
    claim_check_resources.s3.put_object(Bucket=bucket, Key="objects/other/claim", Body=b"secret")
    producer = _producer_bucket(claim_check_resources, {})
    configure_runtime(CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS=_allowed({"bucket": producer}))
    check = split.handler([sqs_record(_pointer(producer, "k"))], lambda_context)[0]
    # An item written before a config change (or behind the runtime's back) points into the store's bucket.
    claim_check_resources.dynamodb.update_item(
        TableName=claim_check_resources.table_name,
        Key={"id": {"S": check["claimCheck"]["id"]}},
        UpdateExpression="SET pointer = :pointer",
        ExpressionAttributeValues={":pointer": {"S": _pointer(bucket, "objects/other/claim")}},
    )
    with pytest.raises(ClaimCheckError) as raised:
        retrieval.handler(claims_batch([check]), lambda_context)
    assert (raised.value.reason, raised.value.position) == ("pointer_not_allowed", 0)


def test_a_pointer_into_an_allowed_bucket_outside_its_key_prefix_is_refused(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    producer = _producer_bucket(
        claim_check_resources, {"payloads/ok": b"allowed", "private/other": b"not yours"}
    )
    configure_runtime(
        CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS=_allowed({"bucket": producer, "prefix": "payloads/"})
    )
    assert retrieval.handler(
        claims_batch(split.handler([sqs_record(_pointer(producer, "payloads/ok"))], lambda_context)),
        lambda_context,
    ) == ["allowed"]
    with pytest.raises(ClaimCheckError) as raised:
        split.handler([sqs_record(_pointer(producer, "private/other"))], lambda_context)
    assert raised.value.reason == "pointer_not_allowed"
    with pytest.raises(ClaimCheckError) as raised:  # another bucket whose name merely starts the same
        split.handler([sqs_record(_pointer(f"{producer}x", "payloads/ok"))], lambda_context)
    assert raised.value.reason == "pointer_not_allowed"


def test_an_allowed_pointer_to_an_object_above_max_payload_size_is_refused_without_reading_it_all(
    configure_runtime: Any,
    lambda_context: Any,
    claim_check_resources: Any,
    api_calls: list[tuple[str, dict[str, Any]]],
) -> None:
    producer = _producer_bucket(claim_check_resources, {"big": b"x" * 5_000})
    configure_runtime(
        CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS=_allowed({"bucket": producer}),
        CLAIM_CHECK_MAX_PAYLOAD_BYTES="1000",
    )
    check = split.handler([sqs_record(_pointer(producer, "big"))], lambda_context)[0]
    with pytest.raises(ClaimCheckError) as raised:
        retrieval.handler(claims_batch([check]), lambda_context)
    assert raised.value.reason == "too_large"
    gets = [params for operation, params in api_calls if operation == "GetObject"]
    assert [params.get("Range") for params in gets] == ["bytes=0-1000"]


def test_every_s3_call_sends_the_expected_bucket_owner(
    configure_runtime: Any,
    lambda_context: Any,
    claim_check_resources: Any,
    api_calls: list[tuple[str, dict[str, Any]]],
) -> None:
    producer = _producer_bucket(claim_check_resources, {"k": b"theirs"})
    for layout in ("packed", "object"):
        configure_runtime(
            CLAIM_CHECK_INLINE_LIMIT_BYTES="0",
            CLAIM_CHECK_S3_LAYOUT=layout,
            CLAIM_CHECK_EXPECTED_BUCKET_OWNER=ACCOUNT,
            CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS=_allowed({"bucket": producer, "owner": ACCOUNT}),
        )
        checks = split.handler(
            [sqs_record(f"{layout} body"), sqs_record(_pointer(producer, "k"))], lambda_context
        )
        assert retrieval.handler(claims_batch(checks), lambda_context) == [f"{layout} body", "theirs"]
    s3_calls = [(operation, params) for operation, params in api_calls if operation.endswith("Object")]
    assert {operation for operation, _ in s3_calls} == {"PutObject", "GetObject"}
    assert all(params.get("ExpectedBucketOwner") == ACCOUNT for _, params in s3_calls), s3_calls


# --- Defect 2: redemption never destroys what a redelivery needs -----------------------------------

_REDEEM_AND_EXPIRE = {"CLAIM_CHECK_REDEEMED_GRACE_SECONDS": "3600"}


@pytest.mark.parametrize("layout", ["packed", "object"])
def test_a_batch_redeemed_with_expiry_after_retrieval_redeems_byte_exact_when_redelivered(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any, layout: str
) -> None:
    settings = {"CLAIM_CHECK_INLINE_LIMIT_BYTES": "100", "CLAIM_CHECK_S3_LAYOUT": layout}
    configure_runtime(**settings)
    bodies = ["inline", '{"big": "' + "b" * 5_000 + '"}', "offloaded \u00e9 " * 1000]
    checks = split.handler([sqs_record(body) for body in bodies], lambda_context)
    configure_runtime(**settings, **_REDEEM_AND_EXPIRE)
    batch = claims_batch(checks)
    first = retrieval.handler(batch, lambda_context)
    again = retrieval.handler(batch, lambda_context)  # Pipes redelivers the same records (same messageIds)
    assert first == again == ["inline", json.loads(bodies[1]), bodies[2]]


def test_a_redemption_whose_expiry_update_never_answers_leaves_the_batch_redeemable(
    configure_runtime: Any,
    lambda_context: Any,
    claim_check_resources: Any,
    after_call_raises: Callable[[str], None],
) -> None:
    settings = {"CLAIM_CHECK_INLINE_LIMIT_BYTES": "100", "CLAIM_CHECK_S3_LAYOUT": "object"}
    configure_runtime(**settings)
    checks = split.handler([sqs_record("inline"), sqs_record("offloaded " * 1000)], lambda_context)
    configure_runtime(**settings, **_REDEEM_AND_EXPIRE)
    for operation in ("UpdateItem", "BatchWriteItem", "DeleteItem"):
        after_call_raises(operation)  # applied by DynamoDB, then the answer times out
    batch = claims_batch(checks)
    assert retrieval.handler(batch, lambda_context) == ["inline", "offloaded " * 1000]
    assert retrieval.handler(batch, lambda_context) == ["inline", "offloaded " * 1000]
