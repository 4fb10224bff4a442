"""ClaimCheckSplitPipe into each target kind: target, parameters, delivery rights and target checks."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Template

from _synth import (
    SEND_ACTION,
    arn_of,
    expected_pipe_role_grants,
    grants,
    logical_id,
    new_stack,
    pipe_properties,
    queue_with_dlq,
    render,
    split_pipe,
    state_machine,
    targets,
)
from cdk_claim_check import (
    ClaimCheckSplitPipe,
    ClaimCheckStore,
    StateMachineInvocation,
)


@pytest.mark.parametrize("kind", sorted(SEND_ACTION))
def test_pipe_role_may_consume_source_invoke_enrichment_and_deliver_to_target_only(kind: str) -> None:
    stack = new_stack()
    inbox = queue_with_dlq(stack, "Inbox")
    target = targets(stack)[kind]  # one of each kind: the role must name only this one
    split = ClaimCheckSplitPipe(
        stack, "Split", source=inbox, store=ClaimCheckStore(stack, "Store"), target=target
    )
    assert grants(stack, split.pipe_role) == expected_pipe_role_grants(stack, split, inbox, kind, target)


@pytest.mark.parametrize(
    ("kind", "logical_prefix"),
    [
        ("bus", "Bus"),
        ("queue", "TargetQueue"),
        ("topic", "Topic"),
        ("function", "Consumer"),
        ("state_machine", "Workflow"),
    ],
)
def test_pipe_targets_the_given_resource(kind: str, logical_prefix: str) -> None:
    stack = new_stack()
    split_pipe(stack, kind)
    assert render(pipe_properties(stack)["Target"]).startswith(f"<{logical_prefix}")


def test_bus_target_gets_default_detail_type_and_source() -> None:
    stack = new_stack()
    split_pipe(stack, "bus")
    assert pipe_properties(stack)["TargetParameters"] == {
        "EventBridgeEventBusParameters": {"DetailType": "ClaimCheck", "Source": "claim-check"}
    }


@pytest.mark.parametrize("kind", ["queue", "topic", "function"])
def test_queue_topic_and_function_targets_have_no_target_parameters(kind: str) -> None:
    stack = new_stack()
    split_pipe(stack, kind)
    assert "TargetParameters" not in pipe_properties(stack)


def test_state_machine_target_is_started_fire_and_forget_by_default() -> None:
    stack = new_stack()
    split_pipe(stack, "state_machine")
    assert pipe_properties(stack)["TargetParameters"] == {
        "StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}
    }


def test_express_state_machine_can_be_started_request_response() -> None:
    stack = new_stack()
    express = state_machine(stack, "Express", kind=sfn.StateMachineType.EXPRESS)
    split = split_pipe(stack, "bus", state_machine_invocation=None)  # a second pipe must not interfere
    request_response = ClaimCheckSplitPipe(
        stack,
        "SplitToExpress",
        source=queue_with_dlq(stack, "ExpressInbox"),
        store=ClaimCheckStore(stack, "ExpressStore"),
        target=express,
        state_machine_invocation=StateMachineInvocation.REQUEST_RESPONSE,
    )
    pipe = Template.from_stack(stack).to_json()["Resources"][logical_id(request_response.pipe)]
    assert pipe["Properties"]["TargetParameters"] == {
        "StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}
    }
    assert ("states:StartSyncExecution", f"<{logical_id(express)}>") in grants(
        stack, request_response.pipe_role
    )
    assert ("states:StartSyncExecution", f"<{logical_id(express)}>") not in grants(stack, split.pipe_role)


def test_request_response_on_a_standard_state_machine_is_rejected() -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"state_machine_invocation=REQUEST_RESPONSE needs an EXPRESS"):
        split_pipe(stack, "state_machine", state_machine_invocation=StateMachineInvocation.REQUEST_RESPONSE)


def test_request_response_on_an_imported_state_machine_is_allowed() -> None:
    stack = new_stack()
    imported = sfn.StateMachine.from_state_machine_arn(
        stack, "ImportedWorkflow", "arn:aws:states:us-east-1:111111111111:stateMachine:imported"
    )
    split_pipe(stack, imported, state_machine_invocation=StateMachineInvocation.REQUEST_RESPONSE)
    assert pipe_properties(stack)["Target"] == "arn:aws:states:us-east-1:111111111111:stateMachine:imported"


def test_state_machine_invocation_on_another_target_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"state_machine_invocation is set but the target is an event bus"):
        split_pipe(new_stack(), "bus", state_machine_invocation=StateMachineInvocation.FIRE_AND_FORGET)


def test_unsupported_target_is_rejected() -> None:
    stack = new_stack()
    bucket = s3.Bucket(stack, "NotATarget")
    with pytest.raises(ValueError, match=r"target: Bucket is not a supported pipe target"):
        ClaimCheckSplitPipe(
            stack,
            "Split",
            source=queue_with_dlq(stack, "Inbox"),
            store=ClaimCheckStore(stack, "Store"),
            target=bucket,  # type: ignore[arg-type]
        )


@pytest.mark.parametrize(
    "encrypted",
    [
        lambda stack, key: sqs.Queue(
            stack, "EncryptedTarget", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key
        ),
        lambda stack, key: sns.Topic(stack, "EncryptedTopic", master_key=key),
    ],
    ids=["queue", "topic"],
)
def test_encrypted_target_lets_the_pipe_use_its_key(encrypted: Any) -> None:
    stack = new_stack()
    key = kms.Key(stack, "TargetKey")
    split = split_pipe(stack, encrypted(stack, key))
    assert {action for action, resource in grants(stack, split.pipe_role) if resource == arn_of(key)} == {
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }


def test_fifo_target_of_a_standard_source_gets_one_group_and_claim_id_deduplication() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    split_pipe(stack, fifo)
    assert pipe_properties(stack)["TargetParameters"] == {
        "SqsQueueParameters": {"MessageGroupId": "claim-check", "MessageDeduplicationId": "$.claimCheck.id"}
    }


def _fifo_inbox(stack: Any, id: str = "Inbox") -> sqs.Queue:
    return queue_with_dlq(stack, id, fifo=True)


def test_fifo_target_of_a_fifo_source_keeps_each_source_message_group() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    split_pipe(stack, fifo, source=_fifo_inbox(stack))
    assert pipe_properties(stack)["TargetParameters"] == {
        "SqsQueueParameters": {
            "MessageGroupId": "$.claimCheck.group",
            "MessageDeduplicationId": "$.claimCheck.id",
        }
    }


def test_imported_fifo_source_and_target_are_known_by_their_arns() -> None:
    stack = new_stack()
    source = sqs.Queue.from_queue_arn(stack, "Inbox", "arn:aws:sqs:us-east-1:123456789012:inbox.fifo")
    target = sqs.Queue.from_queue_arn(stack, "Ordered", "arn:aws:sqs:us-east-1:123456789012:ordered.fifo")
    split_pipe(stack, target, source=source, source_dead_letter_queue=sqs.Queue(stack, "Dlq"))
    assert pipe_properties(stack)["TargetParameters"]["SqsQueueParameters"]["MessageGroupId"] == (
        "$.claimCheck.group"
    )


@pytest.mark.parametrize("group", ["orders", "$.metadata.customerId"])
def test_fifo_message_group_id_sets_a_fixed_group_or_a_path(group: str) -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    split_pipe(stack, fifo, source=_fifo_inbox(stack), fifo_message_group_id=group)
    assert pipe_properties(stack)["TargetParameters"]["SqsQueueParameters"]["MessageGroupId"] == group


@pytest.mark.parametrize(
    "group",
    [
        pytest.param("", id="empty"),
        pytest.param("two words", id="space"),
        pytest.param("g" * 129, id="too-long"),
        pytest.param("$.claimCheck..group", id="bad-path"),
        pytest.param("$.a\n", id="path-with-newline"),
    ],
)
def test_fifo_message_group_id_that_sqs_or_pipes_would_refuse_fails_at_synth(group: str) -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    with pytest.raises(ValueError, match=r"fifo_message_group_id=.*pass one of those"):
        split_pipe(stack, fifo, fifo_message_group_id=group)


def test_fifo_message_group_id_for_a_target_that_is_not_a_fifo_queue_is_refused() -> None:
    with pytest.raises(ValueError, match=r"fifo_message_group_id='orders' is set but the target is not"):
        split_pipe(new_stack(), "queue", fifo_message_group_id="orders")


def test_an_sns_fifo_topic_is_refused_as_pipes_cannot_deliver_to_one() -> None:
    stack = new_stack()
    with pytest.raises(
        ValueError, match=r"target: an SNS FIFO topic, which EventBridge Pipes cannot deliver"
    ):
        split_pipe(stack, sns.Topic(stack, "Ordered", fifo=True), source=_fifo_inbox(stack))


def test_the_source_s_group_as_a_path_is_refused_when_the_source_is_not_fifo() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    with pytest.raises(
        ValueError, match=r"is the source message's group, but the source is not a FIFO queue"
    ):
        split_pipe(stack, fifo, fifo_message_group_id="$.claimCheck.group")


def test_a_group_written_as_an_input_template_placeholder_is_refused() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    with pytest.raises(ValueError, match=r"looks like an input-template placeholder; .* '\$.customerId'"):
        split_pipe(stack, fifo, fifo_message_group_id="<$.customerId>")
