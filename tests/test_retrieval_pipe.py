"""ClaimCheckRetrievalPipe: read-only permissions, targets, batching and the Step Functions input check."""

from __future__ import annotations

import json

import pytest
from aws_cdk import Duration, Size
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Annotations, Match, Template

from _synth import (
    SEND_ACTION,
    arn_of,
    expected_pipe_role_grants,
    function_environment,
    grants,
    logical_id,
    new_stack,
    pipe_properties,
    queue_with_dlq,
    retrieval_pipe,
    role_statements,
    state_machine,
    store_object_grants,
    targets,
)
from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckStore, StateMachineInvocation

_retrieve = retrieval_pipe


_BASE_FUNCTION_GRANTS = {
    ("xray:PutTraceSegments", "*"),
    ("xray:PutTelemetryRecords", "*"),
}


def test_retrieval_function_may_read_the_store_but_not_write_or_delete() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    retrieve = _retrieve(stack, store=store)
    assert grants(stack, retrieve.function_role) == {
        ("dynamodb:BatchGetItem", arn_of(store.table)),
        *store_object_grants("s3:GetObject", arn_of(store.bucket)),
        ("logs:CreateLogStream", arn_of(retrieve.function_log_group)),
        ("logs:PutLogEvents", arn_of(retrieve.function_log_group)),
        *_BASE_FUNCTION_GRANTS,
    }


def test_expire_after_retrieval_adds_an_update_of_the_expiry_only() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    retrieve = _retrieve(stack, store=store, expire_after_retrieval=True)
    table, objects = arn_of(store.table), store_object_grants("s3:GetObject", arn_of(store.bucket))
    store_resources = {table} | {resource for _, resource in objects}
    assert {pair for pair in grants(stack, retrieve.function_role) if pair[1] in store_resources} == {
        ("dynamodb:BatchGetItem", table),
        ("dynamodb:UpdateItem", table),
        *objects,
    }
    (update,) = [
        statement
        for statement in role_statements(stack, retrieve.function_role)
        if statement["Action"] == "dynamodb:UpdateItem"
    ]
    assert update["Condition"]["ForAllValues:StringEquals"] == {"dynamodb:Attributes": ["id", "expires_at"]}
    assert function_environment(stack, retrieve)["CLAIM_CHECK_REDEEMED_GRACE_SECONDS"] == "3600"


def test_redeemed_grace_period_sets_the_grace() -> None:
    stack = new_stack()
    retrieve = _retrieve(stack, expire_after_retrieval=True, redeemed_grace_period=Duration.minutes(20))
    assert function_environment(stack, retrieve)["CLAIM_CHECK_REDEEMED_GRACE_SECONDS"] == "1200"


def test_extended_client_buckets_are_granted_get_object_only() -> None:
    stack = new_stack()
    foreign = s3.Bucket.from_bucket_name(stack, "ExtendedClientBucket", "extended-client-payloads")
    retrieve = _retrieve(stack, extended_client_buckets=[foreign])
    foreign_objects = "arn:<AWS::Partition>:s3:::extended-client-payloads/*"
    assert {
        action for action, resource in grants(stack, retrieve.function_role) if resource == foreign_objects
    } == {"s3:GetObject"}


def test_encrypted_store_lets_the_retrieval_function_decrypt_only() -> None:
    stack = new_stack()
    key = kms.Key(stack, "StoreKey")
    retrieve = _retrieve(stack, store=ClaimCheckStore(stack, "Store", encryption_key=key))
    assert {
        action for action, resource in grants(stack, retrieve.function_role) if resource == arn_of(key)
    } == {"kms:Decrypt"}


def test_existing_table_store_is_read_without_a_bucket() -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_name(stack, "Existing", "claims")
    retrieve = _retrieve(stack, store=ClaimCheckStore.from_table(stack, "Store", table=table))
    environment = function_environment(stack, retrieve)
    assert environment["CLAIM_CHECK_TABLE_NAME"] == "claims"
    assert "CLAIM_CHECK_BUCKET_NAME" not in environment
    assert not any(action.startswith("s3:") for action, _ in grants(stack, retrieve.function_role))


def test_environment_follows_the_runtime_contract() -> None:
    stack = new_stack()
    retrieve = _retrieve(stack)
    environment = function_environment(stack, retrieve)
    assert "CLAIM_CHECK_REDEEMED_GRACE_SECONDS" not in environment  # claims live their full time
    assert environment["CLAIM_CHECK_MAX_PAYLOAD_BYTES"] == "1048576"
    assert environment["CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS"] == "[]"
    assert environment["CLAIM_CHECK_EXPECTED_BUCKET_OWNER"] == {"Ref": "AWS::AccountId"}
    assert environment["CLAIM_CHECK_FUNCTION_TIMEOUT_SECONDS"] == "30"
    assert environment["CLAIM_CHECK_TABLE_NAME"] == {"Ref": logical_id(retrieve.table)}
    assert environment["CLAIM_CHECK_BUCKET_NAME"] == {"Ref": logical_id(retrieve.bucket)}
    assert "CLAIM_CHECK_TTL_SECONDS" not in environment


def test_function_runs_the_retrieval_handler() -> None:
    stack = new_stack()
    _retrieve(stack)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function",
        {"Handler": "runtime.retrieval.handler", "Runtime": "python3.14", "Architectures": ["arm64"]},
    )


@pytest.mark.parametrize("kind", sorted(SEND_ACTION))
def test_pipe_role_may_consume_invoke_and_deliver_to_its_target_only(kind: str) -> None:
    stack = new_stack()
    claims = queue_with_dlq(stack, "Claims")
    target = targets(stack)[kind]  # one of each kind: the role must name only this one
    retrieve = ClaimCheckRetrievalPipe(
        stack, "Retrieve", source=claims, store=ClaimCheckStore(stack, "Store"), target=target
    )
    assert grants(stack, retrieve.pipe_role) == expected_pipe_role_grants(
        stack, retrieve, claims, kind, target
    )


def test_bus_target_gets_a_redeemed_detail_type_by_default() -> None:
    stack = new_stack()
    _retrieve(stack, "bus")
    assert pipe_properties(stack)["TargetParameters"] == {
        "EventBridgeEventBusParameters": {"DetailType": "ClaimCheckRedeemed", "Source": "claim-check"}
    }


def test_state_machine_target_gets_one_claim_per_execution_by_default() -> None:
    stack = new_stack()
    _retrieve(stack)
    assert pipe_properties(stack)["SourceParameters"]["SqsQueueParameters"] == {"BatchSize": 1}


def test_state_machine_target_with_1_mib_payloads_warns_and_names_the_client() -> None:
    stack = new_stack()
    _retrieve(stack)
    Annotations.from_stack(stack).has_warning(
        "/Stack/Retrieve",
        Match.string_like_regexp(r"262,144-byte .*Step Functions.*ClaimCheckClient\.redeem"),
    )


def test_state_machine_target_with_payloads_that_fit_gets_no_warning() -> None:
    stack = new_stack()
    small_claims = queue_with_dlq(stack, "Claims", max_message_size_bytes=4096)
    _retrieve(stack, source=small_claims, max_payload_size=Size.kibibytes(64), batch_size=4)
    Annotations.from_stack(stack).has_no_warning("/Stack/Retrieve", Match.any_value())


def test_express_state_machine_can_be_started_request_response() -> None:
    stack = new_stack()
    express = state_machine(stack, "Express", kind=sfn.StateMachineType.EXPRESS)
    retrieve = _retrieve(stack, express, state_machine_invocation=StateMachineInvocation.REQUEST_RESPONSE)
    assert ("states:StartSyncExecution", f"<{logical_id(express)}>") in grants(stack, retrieve.pipe_role)


def test_batch_of_payloads_over_the_6_mb_response_limit_is_rejected() -> None:
    with pytest.raises(
        ValueError, match=r"batch_size=8 x up to 1,048,576 bytes per record \(max_payload_size"
    ):
        _retrieve(new_stack(), "function", batch_size=8)


def test_small_payloads_allow_larger_batches_into_a_function() -> None:
    stack = new_stack()
    small_claims = queue_with_dlq(stack, "Claims", max_message_size_bytes=4096)
    _retrieve(stack, "function", source=small_claims, max_payload_size=Size.kibibytes(256))
    assert pipe_properties(stack)["SourceParameters"]["SqsQueueParameters"] == {"BatchSize": 10}


def test_max_payload_size_above_1_mib_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"max_payload_size=2097152 bytes is outside"):
        _retrieve(new_stack(), max_payload_size=Size.mebibytes(2))


def test_batch_size_above_10_for_a_bus_target_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"batch_size=20 is outside 1\.\.10 for an event bus target"):
        _retrieve(new_stack(), "bus", batch_size=20)


def test_alarms_include_the_source_dlq() -> None:
    stack = new_stack()
    retrieve = _retrieve(stack)
    assert "SourceDeadLetterQueueNotEmpty" in retrieve.alarms
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 4)


def test_fifo_target_queue_gets_one_group_and_content_based_deduplication() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, content_based_deduplication=True, enforce_ssl=True)
    _retrieve(stack, fifo)
    assert pipe_properties(stack)["TargetParameters"] == {
        "SqsQueueParameters": {"MessageGroupId": "claim-check"}
    }


def test_fifo_target_queue_group_can_be_a_path_into_the_redeemed_payload() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, content_based_deduplication=True, enforce_ssl=True)
    _retrieve(stack, fifo, fifo_message_group_id="$.customerId")
    assert pipe_properties(stack)["TargetParameters"] == {
        "SqsQueueParameters": {"MessageGroupId": "$.customerId"}
    }


def test_a_group_path_into_the_claim_check_is_refused_as_the_retrieval_delivers_payloads() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, content_based_deduplication=True, enforce_ssl=True)
    with pytest.raises(ValueError, match=r"points into a claim check, but this pipe delivers the original"):
        _retrieve(stack, fifo, fifo_message_group_id="$.claimCheck.group")


def test_fifo_target_queue_without_content_based_deduplication_is_rejected() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    with pytest.raises(ValueError, match=r"FIFO queue without content-based deduplication"):
        _retrieve(stack, fifo)


def test_claims_kept_longer_than_the_store_keeps_payloads_get_a_warning() -> None:
    stack = new_stack()
    dlq = sqs.Queue(stack, "ClaimsDlq", enforce_ssl=True, retention_period=Duration.days(14))
    claims = sqs.Queue(
        stack,
        "Claims",
        enforce_ssl=True,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )
    _retrieve(stack, source=claims, store=ClaimCheckStore(stack, "Store", time_to_live=Duration.days(7)))
    Annotations.from_stack(stack).has_warning(
        "/Stack/Retrieve", Match.string_like_regexp(r"up to 1,209,600 seconds.*time_to_live \(604,800 s\)")
    )


def test_claims_kept_within_the_store_time_to_live_get_no_retention_warning() -> None:
    stack = new_stack()
    _retrieve(stack, "bus")  # SQS keeps messages 4 days by default; the store 7
    warnings = Annotations.from_stack(stack).find_warning("/Stack/Retrieve", Match.any_value())
    assert [w for w in warnings if "ClaimsMayOutliveTheirPayloads" in str(w)] == []


def test_source_is_filtered_to_claim_checks_by_default() -> None:
    stack = new_stack()
    _retrieve(stack, "bus")
    filters = pipe_properties(stack)["SourceParameters"]["FilterCriteria"]["Filters"]
    assert [json.loads(f["Pattern"]) for f in filters] == [
        {"body": {"claimCheck": {"v": [1]}}},
        {"body": {"detail": {"claimCheck": {"v": [1]}}}},
    ]
