"""source=None: the construct creates its source queue and DLQ, encrypted, TLS-only, with a redrive policy."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from _synth import arn_of, grants, logical_id, new_stack, pipe_properties, retrieval_pipe, split_pipe
from cdk_claim_check import ClaimCheckStore

_BUILDERS = {"split": split_pipe, "retrieval": retrieval_pipe}


@pytest.fixture(params=sorted(_BUILDERS))
def kind(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def _queue_properties(stack: Any, queue: sqs.IQueue) -> dict[str, Any]:
    properties: dict[str, Any] = Template.from_stack(stack).to_json()["Resources"][logical_id(queue)][
        "Properties"
    ]
    return properties


def test_no_source_creates_a_source_queue_with_a_dead_letter_queue_for_the_pipe(kind: str) -> None:
    stack = new_stack()
    pipe = _BUILDERS[kind](stack, "bus", source=None)
    source, dlq = pipe.source_queue, pipe.source_dead_letter_queue
    assert isinstance(source, sqs.Queue) and isinstance(dlq, sqs.Queue)
    assert pipe_properties(stack)["Source"] == {"Fn::GetAtt": [logical_id(source), "Arn"]}
    properties = _queue_properties(stack, source)
    assert properties["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [logical_id(dlq), "Arn"]},
        "maxReceiveCount": 5,
    }
    assert properties["VisibilityTimeout"] == 180  # 6 x the 30 s function timeout
    for queue in (source, dlq):
        assert _queue_properties(stack, queue)["SqsManagedSseEnabled"] is True
    assert "SourceDeadLetterQueueNotEmpty" in pipe.alarms
    assert (
        Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("SourceWithoutDeadLetter"))
        == []
    )


def test_created_queues_refuse_requests_without_tls(kind: str) -> None:
    stack = new_stack()
    pipe = _BUILDERS[kind](stack, "bus", source=None)
    policies = Template.from_stack(stack).find_resources("AWS::SQS::QueuePolicy")
    denied = {
        policy["Properties"]["Queues"][0]["Ref"]
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    }
    assert {logical_id(pipe.source_queue), logical_id(pipe.source_dead_letter_queue)} <= denied


def test_split_dead_letter_queue_keeps_failures_as_long_as_sqs_can() -> None:
    stack = new_stack()
    pipe = split_pipe(stack, "bus", source=None)
    assert _queue_properties(stack, pipe.source_dead_letter_queue)["MessageRetentionPeriod"] == 1_209_600


def test_retrieval_queues_keep_claim_checks_no_longer_than_their_payloads_live() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store", time_to_live=Duration.days(2))
    pipe = retrieval_pipe(stack, "bus", source=None, store=store)
    for queue in (pipe.source_queue, pipe.source_dead_letter_queue):
        assert _queue_properties(stack, queue)["MessageRetentionPeriod"] == 172_800
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("ClaimsMayOutlive"))
    assert warnings == []


def test_source_encryption_key_encrypts_both_created_queues_and_the_pipe_may_decrypt(kind: str) -> None:
    stack = new_stack()
    key = kms.Key(stack, "QueueKey")
    pipe = _BUILDERS[kind](stack, "bus", source=None, source_encryption_key=key)
    for queue in (pipe.source_queue, pipe.source_dead_letter_queue):
        assert _queue_properties(stack, queue)["KmsMasterKeyId"] == {"Fn::GetAtt": [logical_id(key), "Arn"]}
    assert ("kms:Decrypt", arn_of(key)) in grants(stack, pipe.pipe_role)


def test_a_given_source_is_the_source_queue_attribute(kind: str) -> None:
    stack = new_stack()
    pipe = _BUILDERS[kind](stack, "bus")
    assert pipe.source_queue.node.id == ("Inbox" if kind == "split" else "Claims")
    assert pipe.source_dead_letter_queue is not None


def test_a_dead_letter_queue_for_a_queue_the_construct_creates_is_refused(kind: str) -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"source_dead_letter_queue is set but source is None"):
        _BUILDERS[kind](stack, "bus", source=None, source_dead_letter_queue=sqs.Queue(stack, "Dlq"))


def test_a_source_encryption_key_with_a_given_source_is_refused(kind: str) -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"source_encryption_key is set but a source queue was passed"):
        _BUILDERS[kind](stack, "bus", source_encryption_key=kms.Key(stack, "QueueKey"))
