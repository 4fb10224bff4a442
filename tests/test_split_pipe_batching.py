"""ClaimCheckSplitPipe batching and sources: defaults per target kind, size limits, DLQ and timeouts."""

from __future__ import annotations

import pytest

from _synth import (
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
    assert pipe_properties(stack)["SourceParameters"]["SqsQueueParameters"] == {"BatchSize": 10}


def test_default_batch_shrinks_to_5_for_1_mib_messages() -> None:
    stack = new_stack()
    split_pipe(stack, "bus")
    assert pipe_properties(stack)["SourceParameters"]["SqsQueueParameters"] == {"BatchSize": 5}


def test_default_batch_is_1_for_a_state_machine_target() -> None:
    stack = new_stack()
    split_pipe(stack, "state_machine", source=queue_with_dlq(stack, "Small", max_message_size_bytes=262_144))
    assert pipe_properties(stack)["SourceParameters"]["SqsQueueParameters"] == {"BatchSize": 1}


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
