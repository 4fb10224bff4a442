"""The split handler against a moto server: one claim check per record, in order, stored for good."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from aws_cdk import aws_sqs as sqs
from runtime_helpers import SOURCE_ARN, claims_batch, sqs_record

from _synth import new_stack, pipe_properties, queue_with_dlq, split_pipe
from cdk_claim_check.local.delivery import Target, deliver
from cdk_claim_check.local.ledger import Ledger
from cdk_claim_check.local.server import Clients
from cdk_claim_check.runtime import ClaimCheckError, claim_id, retrieval, split
from cdk_claim_check.runtime.codec import sha256_hex

_REGION = "us-east-1"


def _item(resources: Any, ident: str) -> dict[str, Any]:
    reply = resources.dynamodb.get_item(TableName=resources.table_name, Key={"id": {"S": ident}})
    return dict(reply["Item"])


def _object_count(resources: Any) -> int:
    return int(resources.s3.list_objects_v2(Bucket=resources.bucket_name).get("KeyCount", 0))


def test_split_returns_one_claim_check_per_record_in_order(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    batch = pipes_event("pipes_sqs_mixed_bodies")
    checks = split.handler(batch, lambda_context)
    assert [check["claimCheck"]["id"] for check in checks] == [
        claim_id(record["eventSourceARN"], record["messageId"]) for record in batch
    ]
    assert [check["claimCheck"]["sha256"] for check in checks] == [
        sha256_hex(record["body"].encode()) for record in batch
    ]
    assert [check["claimCheck"]["bytes"] for check in checks] == [
        len(record["body"].encode()) for record in batch
    ]


def test_split_item_holds_body_digest_times_and_attributes(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any, claim_check_resources: Any
) -> None:
    batch = pipes_event("pipes_sqs_mixed_bodies")
    check = split.handler(batch, lambda_context)[0]["claimCheck"]
    item = _item(claim_check_resources, check["id"])
    assert item["sha256"]["S"] == check["sha256"]
    assert item["format"]["S"] == "detect"  # no keep_fields: the split does not parse the body
    assert int(item["expires_at"]["N"]) - int(item["created_at"]["N"]) == 604_800
    assert json.loads(item["attributes"]["S"]) == batch[0]["messageAttributes"]
    assert item["message_id"]["S"] == batch[0]["messageId"]
    assert "body" in item


def test_split_copies_keep_fields_from_json_bodies_into_metadata(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    configure_runtime(CLAIM_CHECK_KEEP_FIELDS='["orderId", "customer.tier", "absent"]')
    checks = split.handler(pipes_event("pipes_sqs_mixed_bodies"), lambda_context)
    assert checks[0]["metadata"] == {"orderId": "o-1", "customer.tier": "gold"}
    assert checks[1]["metadata"] == {}


def test_split_stores_non_json_body_as_text_when_keep_fields_make_it_parse(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_KEEP_FIELDS='["orderId"]')
    bodies = ["{this is not json, and that is fine", '{"orderId": "o-1"}']
    checks = split.handler([sqs_record(body) for body in bodies], lambda_context)
    formats = [_item(claim_check_resources, c["claimCheck"]["id"])["format"]["S"] for c in checks]
    assert formats == ["text", "json"]
    assert retrieval.handler(claims_batch(checks), lambda_context) == [bodies[0], {"orderId": "o-1"}]


def test_split_without_keep_fields_leaves_the_format_to_retrieval_which_applies_the_same_rule(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    bodies = [
        '{"a": [1, 2.5, "x"]}',
        ' [1, {"b": null}] ',
        "{this is not json, and that is fine",
        "42",
        '"quoted"',
        "",
        "[NaN]",
        '{"a": Infinity}',
        "[" * 100_000,
        '["just", "data"]',
    ]
    checks = split.handler([sqs_record(body) for body in bodies], lambda_context)
    formats = {_item(claim_check_resources, c["claimCheck"]["id"])["format"]["S"] for c in checks}
    assert formats == {"detect"}
    restored = retrieval.handler(claims_batch(checks), lambda_context)
    assert restored == [{"a": [1, 2.5, "x"]}, [1, {"b": None}], *bodies[2:9], ["just", "data"]]


@pytest.mark.parametrize(
    "class_name",
    [
        "software.amazon.payloadoffloading.PayloadS3Pointer",
        "com.amazon.sqs.javamessaging.MessageS3Pointer",
        "\\u0073oftware.amazon.payloadoffloading.PayloadS3Pointer",  # an escape decodes to the name
    ],
)
def test_split_without_keep_fields_still_recognises_a_foreign_pointer_however_it_is_written(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any, class_name: str
) -> None:
    configure_runtime(CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS='[{"bucket": "producer"}]')
    body = f' [ "{class_name}" , {{"s3BucketName": "producer", "s3Key": "k"}}]'
    check = split.handler([sqs_record(body)], lambda_context)[0]
    item = _item(claim_check_resources, check["claimCheck"]["id"])
    assert item["integrity"]["S"] == "pointer"
    assert '"s3BucketName":"producer"' in item["pointer"]["S"]


def test_split_accepts_empty_body(configure_runtime: Any, lambda_context: Any) -> None:
    check = split.handler([sqs_record("")], lambda_context)[0]
    assert check["claimCheck"]["bytes"] == 0
    assert retrieval.handler(claims_batch([check]), lambda_context) == [""]


def test_split_is_idempotent_on_redelivery(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_INLINE_LIMIT_BYTES="0")
    first = split.handler(pipes_event("pipes_sqs_batch_of_10"), lambda_context)
    objects_after_first = _object_count(claim_check_resources)
    second = split.handler(pipes_event("pipes_sqs_batch_of_10"), lambda_context)
    assert second == first
    assert _object_count(claim_check_resources) == objects_after_first == 1
    scanned = claim_check_resources.dynamodb.scan(TableName=claim_check_resources.table_name)
    assert scanned["Count"] == 10


def test_split_fails_on_duplicate_message_id_with_a_different_body(
    configure_runtime: Any, lambda_context: Any
) -> None:
    split.handler([sqs_record('{"orderId": "o-1"}', message_id="dup-1")], lambda_context)
    with pytest.raises(ClaimCheckError) as raised:
        split.handler([sqs_record('{"orderId": "o-2"}', message_id="dup-1")], lambda_context)
    assert raised.value.reason == "conflict"
    assert "dup-1" in str(raised.value)


def test_split_of_10_with_one_bad_record_names_that_record(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    batch = pipes_event("pipes_sqs_batch_of_10")
    batch[6]["body"] = '["software.amazon.payloadoffloading.PayloadS3Pointer", {"s3Key": "k"}]'
    with pytest.raises(ClaimCheckError) as raised:
        split.handler(batch, lambda_context)
    assert raised.value.position == 6
    assert raised.value.message_id == batch[6]["messageId"]
    assert str(raised.value).startswith(f"record 6 (messageId '{batch[6]['messageId']}'): malformed")


def test_split_rejects_a_body_with_a_lone_surrogate_as_malformed_naming_the_record(
    configure_runtime: Any, lambda_context: Any
) -> None:
    batch = [sqs_record("fine"), {**sqs_record("broken"), "body": "broken \ud800"}]
    with pytest.raises(ClaimCheckError) as raised:
        split.handler(batch, lambda_context)
    assert (raised.value.reason, raised.value.position) == ("malformed", 1)
    assert str(raised.value).startswith(f"record 1 (messageId '{batch[1]['messageId']}'): malformed: ")


def test_split_rejects_malformed_extended_client_pointer_naming_the_record(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    batch = pipes_event("pipes_sqs_malformed_pointer")
    with pytest.raises(ClaimCheckError, match=batch[0]["messageId"]) as raised:
        split.handler(batch, lambda_context)
    assert raised.value.reason == "malformed"


def test_split_claims_foreign_pointer_without_copying_and_redeems_from_its_bucket(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any, claim_check_resources: Any
) -> None:
    s3 = claim_check_resources.s3
    producer_bucket = f"{claim_check_resources.bucket_name}-producer"
    s3.create_bucket(Bucket=producer_bucket)
    configure_runtime(
        CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS=json.dumps([{"bucket": producer_bucket, "prefix": "large/"}])
    )
    payloads = ['{"orderId": "big-1", "blob": "' + "z" * 300_000 + '"}', "large plain text " * 20_000]
    for key, payload in zip(["large/payload-1", "large/payload-2"], payloads, strict=True):
        s3.put_object(Bucket=producer_bucket, Key=key, Body=payload.encode())
    batch = pipes_event("pipes_sqs_extended_client_pointers")
    for record in batch:
        record["body"] = record["body"].replace("REPLACED-BY-TEST", producer_bucket)
    batch[0]["messageAttributes"]["ExtendedPayloadSize"]["stringValue"] = str(len(payloads[0]))

    checks = split.handler(batch, lambda_context)

    assert _object_count(claim_check_resources) == 0  # nothing copied into the overflow bucket
    assert checks[0]["claimCheck"]["bytes"] == len(payloads[0])  # the declared size
    assert checks[0]["claimCheck"]["sha256"] == sha256_hex(batch[0]["body"].encode())  # of the pointer
    item = _item(claim_check_resources, checks[0]["claimCheck"]["id"])
    assert producer_bucket in item["pointer"]["S"]
    assert item["integrity"]["S"] == "pointer"
    restored = retrieval.handler(claims_batch(checks), lambda_context)
    assert restored == [json.loads(payloads[0]), payloads[1]]


def test_split_offloads_bodies_above_the_inline_limit_to_s3(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_COMPRESSION="none")
    small, large = "s" * 8192, "l" * 8193
    checks = split.handler([sqs_record(small), sqs_record(large)], lambda_context)
    assert "body" in _item(claim_check_resources, checks[0]["claimCheck"]["id"])
    assert "s3" in _item(claim_check_resources, checks[1]["claimCheck"]["id"])
    assert _object_count(claim_check_resources) == 1


def test_split_without_bucket_keeps_bodies_up_to_the_item_limit_inline(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_BUCKET_NAME=None, CLAIM_CHECK_COMPRESSION="none")
    check = split.handler([sqs_record("x" * 300_000)], lambda_context)[0]
    assert len(_item(claim_check_resources, check["claimCheck"]["id"])["body"]["B"]) == 300_000


def test_split_without_bucket_fails_too_large_for_a_body_beyond_the_item_limit(
    configure_runtime: Any, lambda_context: Any
) -> None:
    configure_runtime(CLAIM_CHECK_BUCKET_NAME=None, CLAIM_CHECK_COMPRESSION="none")
    record = sqs_record("x" * 400_000)
    with pytest.raises(ClaimCheckError, match=record["messageId"]) as raised:
        split.handler([record], lambda_context)
    assert raised.value.reason == "too_large"


def test_split_refuses_an_event_that_is_not_a_batch(configure_runtime: Any, lambda_context: Any) -> None:
    with pytest.raises(ClaimCheckError) as raised:
        split.handler({"Records": []}, lambda_context)
    assert raised.value.reason == "malformed"


def test_split_namespaces_ids_by_source_queue(configure_runtime: Any, lambda_context: Any) -> None:
    record = sqs_record("same", message_id="m-1")
    other_queue = {**record, "eventSourceARN": SOURCE_ARN + "-other"}
    first, second = split.handler([record, other_queue], lambda_context)
    assert first["claimCheck"]["id"] != second["claimCheck"]["id"]


def test_split_object_layout_from_the_environment_writes_one_object_per_offloaded_body(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_S3_LAYOUT="object", CLAIM_CHECK_COMPRESSION="none")
    bodies = ["a" * 9000, "small", "b" * 9000]
    checks = split.handler([sqs_record(body) for body in bodies], lambda_context)
    assert _object_count(claim_check_resources) == 2
    assert "pointer" in _item(claim_check_resources, checks[0]["claimCheck"]["id"])
    assert retrieval.handler(claims_batch(checks), lambda_context) == bodies


def test_split_redelivery_in_a_different_batch_keeps_every_claim_redeemable(
    configure_runtime: Any, lambda_context: Any
) -> None:
    configure_runtime(CLAIM_CHECK_COMPRESSION="none")
    first, second, third = (sqs_record(letter * 9000) for letter in "xyz")
    checks = split.handler([first, second], lambda_context)
    checks += split.handler([second, third], lambda_context)[1:]  # second redelivered with a new neighbour
    assert retrieval.handler(claims_batch(checks), lambda_context) == ["x" * 9000, "y" * 9000, "z" * 9000]


def test_split_carries_each_fifo_record_s_message_group_in_its_claim_check(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    batch = pipes_event("pipes_sqs_fifo_groups")
    checks = split.handler(batch, lambda_context)
    assert [check["claimCheck"]["group"] for check in checks] == ["customer-7", "customer-9", "customer-7"]


def test_split_of_a_standard_queue_record_puts_no_group_in_the_claim_check(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    checks = split.handler(pipes_event("pipes_sqs_mixed_bodies"), lambda_context)
    assert all("group" not in check["claimCheck"] for check in checks)


def test_split_refuses_a_message_group_id_sqs_would_never_send_naming_the_record(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    batch = pipes_event("pipes_sqs_fifo_groups")
    batch[1]["attributes"]["MessageGroupId"] = "has space"
    with pytest.raises(ClaimCheckError) as raised:
        split.handler(batch, lambda_context)
    assert (raised.value.reason, raised.value.position) == ("malformed", 1)
    assert raised.value.message_id == batch[1]["messageId"]


def test_retrieval_hands_the_carried_group_to_client_code_and_redeems_checks_without_one(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    grouped = split.handler(pipes_event("pipes_sqs_fifo_groups"), lambda_context)
    plain = split.handler(pipes_event("pipes_sqs_mixed_bodies"), lambda_context)
    assert retrieval.handler(claims_batch(grouped[:1] + plain[:1]), lambda_context)[0] == {"orderId": "o-1"}
    client = retrieval._runtime()[1]
    assert client.redeem(grouped[1]).message_group_id == "customer-9"
    assert client.redeem(plain[0]).message_group_id is None


def test_fifo_groups_reach_a_fifo_target_apart_as_the_synthesized_pipe_sends_them(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any, aws_endpoint: str
) -> None:
    """Template, handler and delivery together: each claim check lands in its source message's group."""
    stack = new_stack()
    ordered = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    split_pipe(stack, ordered, source=queue_with_dlq(stack, "Inbox", fifo=True))
    parameters = pipe_properties(stack)["TargetParameters"]
    clients = Clients.for_endpoint(aws_endpoint, _REGION)
    name = f"ordered-{uuid.uuid4().hex[:8]}.fifo"
    url = clients.sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
    checks = split.handler(pipes_event("pipes_sqs_fifo_groups"), lambda_context)
    target = Target(
        kind="queue", arn=f"arn:aws:sqs:{_REGION}:123456789012:{name}", name=name, parameters=parameters
    )
    deliver(target, checks, pipe="split", clients=clients, resources=None, ledger=Ledger())
    received = clients.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
    groups = sorted(
        (m["Attributes"]["MessageGroupId"], json.loads(m["Body"])["claimCheck"]["id"])
        for m in received["Messages"]
    )
    assert groups == sorted((check["claimCheck"]["group"], check["claimCheck"]["id"]) for check in checks)
    assert {group for group, _ in groups} == {"customer-7", "customer-9"}
