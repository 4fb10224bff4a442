"""ClaimCheckSplitPipe batching and sources: defaults per target kind, size limits, DLQ and timeouts."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match

from _synth import (
    IMPORTED_QUEUE_ARN,
    arn_of,
    grants,
    imported_queue,
    new_stack,
    pipe_properties,
    queue_with_dlq,
    split_pipe,
)


@pytest.mark.parametrize("kind", ["bus", "queue", "topic", "function"])
def test_default_batch_is_10_when_ten_messages_fit_the_enrichment_limit(kind: str) -> None:
    stack = new_stack()
    split_pipe(stack, kind, source=queue_with_dlq(stack, "Small", max_message_size_bytes=262_144))
    assert pipe_properties(stack)["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 10}}


def test_default_batch_shrinks_to_5_for_1_mib_messages() -> None:
    stack = new_stack()
    split_pipe(stack, "bus")
    assert pipe_properties(stack)["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 5}}


def test_default_batch_is_1_for_a_state_machine_target() -> None:
    stack = new_stack()
    split_pipe(stack, "state_machine", source=queue_with_dlq(stack, "Small", max_message_size_bytes=262_144))
    assert pipe_properties(stack)["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 1}}


@pytest.mark.parametrize("kind", ["bus", "queue", "topic"])
def test_batch_size_above_10_for_a_per_record_target_is_rejected(kind: str) -> None:
    with pytest.raises(ValueError, match=r"batch_size=11 is outside 1..10 .*one message per record"):
        split_pipe(new_stack(), kind, batch_size=11)


def test_batch_size_0_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"batch_size=0 is outside 1..10"):
        split_pipe(new_stack(), "bus", batch_size=0)


def test_batch_of_1_mib_messages_over_the_6_mb_enrichment_limit_is_rejected() -> None:
    with pytest.raises(
        ValueError, match=r"batch_size=6 x up to 1,048,576 bytes .* pass batch_size=5 or less"
    ):
        split_pipe(new_stack(), "bus", batch_size=6)


def test_imported_source_is_assumed_to_carry_1_mib_messages() -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"batch_size=10 x up to 1,048,576 bytes per record .SQS maximum"):
        split_pipe(stack, "bus", source=imported_queue(stack), batch_size=10)


def test_batch_above_10_needs_a_batching_window() -> None:
    stack = new_stack()
    small = queue_with_dlq(stack, "Small", max_message_size_bytes=1024)
    with pytest.raises(ValueError, match=r"batch_size=100 is above 10.*maximum_batching_window"):
        split_pipe(stack, "function", source=small, batch_size=100)


def test_batch_above_10_with_a_batching_window_reaches_a_function_target() -> None:
    stack = new_stack()
    small = queue_with_dlq(stack, "Small", max_message_size_bytes=1024)
    split_pipe(stack, "function", source=small, batch_size=100, maximum_batching_window=Duration.seconds(5))
    assert pipe_properties(stack)["SourceParameters"] == {
        "SqsQueueParameters": {"BatchSize": 100, "MaximumBatchingWindowInSeconds": 5}
    }


def test_batching_window_over_300_seconds_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"maximum_batching_window=301 seconds"):
        split_pipe(new_stack(), "bus", maximum_batching_window=Duration.seconds(301))


def test_imported_source_is_consumed_by_arn() -> None:
    stack = new_stack()
    split = split_pipe(stack, "bus", source=imported_queue(stack))
    assert pipe_properties(stack)["Source"] == IMPORTED_QUEUE_ARN
    assert ("sqs:ReceiveMessage", IMPORTED_QUEUE_ARN) in grants(stack, split.pipe_role)


def test_imported_source_without_a_known_dlq_gets_a_warning() -> None:
    stack = new_stack()
    split_pipe(stack, "bus", source=imported_queue(stack))
    Annotations.from_stack(stack).has_warning(
        "/Stack/Split", Match.string_like_regexp("no dead-letter queue.*source_dead_letter_queue")
    )


def test_created_source_without_a_dlq_gets_a_warning() -> None:
    stack = new_stack()
    split_pipe(stack, "bus", source=sqs.Queue(stack, "Bare", enforce_ssl=True))
    Annotations.from_stack(stack).has_warning(
        "/Stack/Split", Match.string_like_regexp("no dead-letter queue")
    )


def test_created_source_with_a_dlq_gets_no_warning() -> None:
    stack = new_stack()
    split_pipe(stack, "bus")
    Annotations.from_stack(stack).has_no_warning("/Stack/Split", Match.any_value())


def test_visibility_timeout_shorter_than_the_function_timeout_is_rejected() -> None:
    stack = new_stack()
    hasty = queue_with_dlq(stack, "Hasty", visibility_timeout=Duration.seconds(20))
    with pytest.raises(ValueError, match=r"visibility timeout \(20 s\) is shorter .* timeout \(30 s\)"):
        split_pipe(stack, "bus", source=hasty)


def test_function_timeout_longer_than_the_default_visibility_timeout_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"visibility timeout \(30 s\) is shorter .* timeout \(60 s\)"):
        split_pipe(new_stack(), "bus", function_timeout=Duration.seconds(60))


def test_encrypted_source_lets_the_pipe_decrypt_with_its_key() -> None:
    stack = new_stack()
    key = kms.Key(stack, "QueueKey")
    encrypted = queue_with_dlq(
        stack, "Encrypted", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key
    )
    split = split_pipe(stack, "bus", source=encrypted)
    assert ("kms:Decrypt", arn_of(key)) in grants(stack, split.pipe_role)


def test_function_timeout_over_15_minutes_is_rejected() -> None:
    stack = new_stack()
    patient = queue_with_dlq(stack, "Patient", visibility_timeout=Duration.minutes(20))
    with pytest.raises(ValueError, match=r"function_timeout=901 seconds is outside 1\.\.900"):
        split_pipe(stack, "bus", source=patient, function_timeout=Duration.seconds(901))


def test_missing_dlq_warning_can_be_acknowledged_by_its_id() -> None:
    stack = new_stack()
    split = split_pipe(stack, "bus", source=imported_queue(stack))
    cdk.Annotations.of(split).acknowledge_warning(
        "cdk-claim-check:SourceWithoutDeadLetterQueue", "the imported queue's DLQ is monitored elsewhere"
    )
    Annotations.from_stack(stack).has_no_warning("/Stack/Split", Match.any_value())
