"""What can be known at synth time about a pipe's SQS source queue."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ._kms_grants import key_statement
from .runtime.contract import (
    SOURCE_MAX_RECEIVE_COUNT,
    SOURCE_VISIBILITY_TIMEOUT_FACTOR,
    SQS_MAX_MESSAGE_BYTES,
    SQS_MAX_RETENTION_SECONDS,
)

_SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30
_SQS_DEFAULT_RETENTION_SECONDS = 345_600


@dataclass(frozen=True)
class SourceFacts:
    """Facts about the source queue; None means "not knowable" (an imported queue or a token)."""

    max_message_bytes: int
    """The queue's maximum message size, or the SQS maximum when it cannot be read."""
    max_message_bytes_known: bool
    visibility_timeout_seconds: int | None
    dead_letter_queue: sqs.IQueue | None
    max_receive_count: int | None = None
    """Receives before the queue moves a message to its DLQ, when the app declares it."""


def _concrete_int(value: object) -> int | None:
    if isinstance(value, int) and not Token.is_unresolved(value):
        return value
    return None


def create_source_queue(
    scope: Construct,
    *,
    function_timeout: Duration,
    encryption_key: kms.IKey | None,
    max_retention_seconds: int | None,
) -> sqs.Queue:
    """A source queue with its DLQ, both encrypted and TLS-only, for a pipe whose caller passed none.

    The visibility timeout leaves room for the enrichment and the delivery to the target; the DLQ keeps
    a failed message as long as SQS can (or, when ``max_retention_seconds`` is set, no longer than the
    claims it refers to live).
    """
    encryption = sqs.QueueEncryption.SQS_MANAGED if encryption_key is None else sqs.QueueEncryption.KMS
    dlq_retention = SQS_MAX_RETENTION_SECONDS
    source_retention = _SQS_DEFAULT_RETENTION_SECONDS
    if max_retention_seconds is not None:
        dlq_retention = min(dlq_retention, max_retention_seconds)
        source_retention = min(source_retention, max_retention_seconds)
    dead_letter_queue = sqs.Queue(
        scope,
        "SourceDeadLetterQueue",
        encryption=encryption,
        encryption_master_key=encryption_key,
        enforce_ssl=True,
        retention_period=Duration.seconds(dlq_retention),
    )
    return sqs.Queue(
        scope,
        "SourceQueue",
        encryption=encryption,
        encryption_master_key=encryption_key,
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(
            int(function_timeout.to_seconds()) * SOURCE_VISIBILITY_TIMEOUT_FACTOR
        ),
        retention_period=Duration.seconds(source_retention),
        dead_letter_queue=sqs.DeadLetterQueue(
            max_receive_count=SOURCE_MAX_RECEIVE_COUNT, queue=dead_letter_queue
        ),
    )


def check_source(source: object) -> sqs.IQueue:
    """``source`` as the SQS queue a pipe polls; TypeError saying what to pass for anything else."""
    if isinstance(getattr(source, "queue_arn", None), str):
        return source  # type: ignore[return-value]
    hint = (
        " (to consume a topic, subscribe an SQS queue to it and pass the queue)"
        if isinstance(getattr(source, "topic_arn", None), str)
        else ""
    )
    raise TypeError(f"source: got {type(source).__name__}; pass an sqs.IQueue{hint}")


def inspect_source(source: sqs.IQueue) -> SourceFacts:
    if not isinstance(source, sqs.Queue):
        return SourceFacts(
            max_message_bytes=SQS_MAX_MESSAGE_BYTES,
            max_message_bytes_known=False,
            visibility_timeout_seconds=None,
            dead_letter_queue=None,
        )
    cfn = source.node.default_child
    declared_size = _concrete_int(getattr(cfn, "maximum_message_size", None))
    declared_visibility = getattr(cfn, "visibility_timeout", None)
    visibility = (
        _SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS
        if declared_visibility is None
        else _concrete_int(declared_visibility)
    )
    redrive = source.dead_letter_queue
    return SourceFacts(
        max_message_bytes=declared_size if declared_size is not None else SQS_MAX_MESSAGE_BYTES,
        max_message_bytes_known=True,
        visibility_timeout_seconds=visibility,
        dead_letter_queue=redrive.queue if redrive is not None else None,
        max_receive_count=_concrete_int(redrive.max_receive_count) if redrive is not None else None,
    )


def retention_seconds(queue: sqs.IQueue | None) -> int | None:
    """How long a queue defined in the app keeps a message (SQS default: 4 days); None when unknowable."""
    if not isinstance(queue, sqs.Queue):
        return None
    declared = getattr(queue.node.default_child, "message_retention_period", None)
    return _SQS_DEFAULT_RETENTION_SECONDS if declared is None else _concrete_int(declared)


def consume_statements(source: sqs.IQueue) -> list[iam.PolicyStatement]:
    """What a pipe needs to poll its SQS source (Pipes docs: receive, delete, read attributes)."""
    statements = [
        iam.PolicyStatement(
            actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            resources=[source.queue_arn],
        )
    ]
    if source.encryption_master_key is not None:
        statements.append(key_statement(source, source.encryption_master_key, ["kms:Decrypt"], service="sqs"))
    return statements
