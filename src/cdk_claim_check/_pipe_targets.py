"""Telling pipe targets apart and describing what each kind needs.

jsii interfaces are Protocols (``isinstance(x, events.IEventBus)`` raises TypeError), so the kind
is recognised by the ARN attribute that only that kind of resource has.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union

from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn

from ._kms_grants import key_statement
from .runtime.contract import PER_RECORD_TARGET_MAX_BATCH, SQS_SOURCE_MAX_BATCH, StateMachineInvocation

PipeTarget = Union[events.IEventBus, sqs.IQueue, sns.ITopic, lambda_.IFunction, sfn.IStateMachine]  # noqa: UP007
"""Every target kind a claim-check pipe accepts."""


class TargetKind(Enum):
    EVENT_BUS = "event bus"
    QUEUE = "SQS queue"
    TOPIC = "SNS topic"
    FUNCTION = "Lambda function"
    STATE_MACHINE = "Step Functions state machine"

    @property
    def gets_whole_batch(self) -> bool:
        """Lambda and Step Functions targets get one JSON array per batch; others one message per record."""
        return self in (TargetKind.FUNCTION, TargetKind.STATE_MACHINE)

    @property
    def max_batch_size(self) -> int:
        return SQS_SOURCE_MAX_BATCH if self.gets_whole_batch else PER_RECORD_TARGET_MAX_BATCH

    @property
    def default_batch_size(self) -> int:
        # One execution per message is what a workflow author expects and keeps each input small;
        # the other kinds get the largest batch their limits allow.
        return 1 if self is TargetKind.STATE_MACHINE else 10


# Checked in this order: a resource has exactly one of these, but test doubles may carry more.
_KIND_BY_ATTRIBUTE = (
    ("state_machine_arn", TargetKind.STATE_MACHINE),
    ("function_arn", TargetKind.FUNCTION),
    ("topic_arn", TargetKind.TOPIC),
    ("event_bus_arn", TargetKind.EVENT_BUS),
    ("queue_arn", TargetKind.QUEUE),
)


@dataclass(frozen=True)
class ResolvedTarget:
    """A target with its kind and ARN."""

    resource: PipeTarget
    kind: TargetKind
    arn: str

    def send_statements(self, invocation: StateMachineInvocation) -> list[iam.PolicyStatement]:
        """What the pipe role needs to deliver to this target, and nothing more."""
        if self.kind is TargetKind.EVENT_BUS:
            actions = ["events:PutEvents"]
        elif self.kind is TargetKind.QUEUE:
            actions = ["sqs:SendMessage"]
        elif self.kind is TargetKind.TOPIC:
            actions = ["sns:Publish"]
        elif self.kind is TargetKind.FUNCTION:
            actions = ["lambda:InvokeFunction"]
        elif invocation is StateMachineInvocation.REQUEST_RESPONSE:
            actions = ["states:StartSyncExecution"]
        else:
            actions = ["states:StartExecution"]
        statements = [iam.PolicyStatement(actions=actions, resources=[self.arn])]
        key = self.encryption_key
        if key is not None:
            service = "sqs" if self.kind is TargetKind.QUEUE else "sns"
            # SQS and SNS producers need both actions on a customer key, and only through that service.
            statements.append(
                key_statement(self.resource, key, ["kms:Decrypt", "kms:GenerateDataKey"], service=service)
            )
        return statements

    @property
    def is_fifo_queue(self) -> bool:
        """A FIFO queue target (known from the queue or, when imported, from its ARN's ``.fifo``)."""
        return self.kind is TargetKind.QUEUE and getattr(self.resource, "fifo", False) is True

    @property
    def encryption_key(self) -> kms.IKey | None:
        """Customer key of an encrypted queue or topic target, when the construct knows it."""
        if self.kind is TargetKind.QUEUE:
            key: kms.IKey | None = getattr(self.resource, "encryption_master_key", None)
            return key
        if self.kind is TargetKind.TOPIC:
            topic_key: kms.IKey | None = getattr(self.resource, "master_key", None)
            return topic_key
        return None

    def target_parameters(
        self,
        *,
        detail_type: str,
        event_source: str,
        invocation: StateMachineInvocation,
        fifo_message_group_id: str | None,
        fifo_deduplication_path: str | None,
    ) -> pipes.CfnPipe.PipeTargetParametersProperty | None:
        if self.kind is TargetKind.EVENT_BUS:
            return pipes.CfnPipe.PipeTargetParametersProperty(
                event_bridge_event_bus_parameters=pipes.CfnPipe.PipeTargetEventBridgeEventBusParametersProperty(
                    detail_type=detail_type, source=event_source
                )
            )
        if self.is_fifo_queue:
            # FIFO targets need a group (the carried source group, or one fixed group). A
            # deduplication id taken from the delivered item (the claim id) makes a redelivered
            # batch land once.
            return pipes.CfnPipe.PipeTargetParametersProperty(
                sqs_queue_parameters=pipes.CfnPipe.PipeTargetSqsQueueParametersProperty(
                    message_group_id=fifo_message_group_id, message_deduplication_id=fifo_deduplication_path
                )
            )
        if self.kind is TargetKind.STATE_MACHINE:
            return pipes.CfnPipe.PipeTargetParametersProperty(
                step_function_state_machine_parameters=pipes.CfnPipe.PipeTargetStateMachineParametersProperty(
                    invocation_type=invocation.value
                )
            )
        return None


def resolve_target(target: PipeTarget) -> ResolvedTarget:
    """Find the kind of ``target`` from the ARN attribute it carries; ValueError if it has none."""
    for attribute, kind in _KIND_BY_ATTRIBUTE:
        arn = getattr(target, attribute, None)
        if isinstance(arn, str):
            if kind is TargetKind.TOPIC and getattr(target, "fifo", False) is True:
                raise ValueError(
                    "target: an SNS FIFO topic, which EventBridge Pipes cannot deliver to; pass a standard "
                    "SNS topic, or an SQS FIFO queue"
                )
            return ResolvedTarget(resource=target, kind=kind, arn=arn)
    raise ValueError(
        f"target: {type(target).__name__} is not a supported pipe target; pass an events.IEventBus, "
        "sqs.IQueue, sns.ITopic, lambda_.IFunction or stepfunctions.IStateMachine"
    )


def state_machine_type(target: ResolvedTarget) -> str | None:
    """``STANDARD`` or ``EXPRESS`` for a state machine defined in the app; None when imported (unknowable)."""
    if not isinstance(target.resource, sfn.StateMachine):
        return None
    cfn = target.resource.node.default_child
    declared = getattr(cfn, "state_machine_type", None)
    return declared if isinstance(declared, str) else "STANDARD"
