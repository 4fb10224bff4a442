"""What both claim-check pipes are made of: an enrichment function, a pipe role, the pipe, logs, alarms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from aws_cdk import Annotations, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ._alarms import build_alarms
from ._asset import FUNCTION_RUNTIME, default_powertools_layer, handler_code
from ._nag import acknowledge
from ._source import consume_statements
from ._store_access import StoreRef
from ._targets import ResolvedTarget
from .runtime.contract import POWERTOOLS_ENVIRONMENT, PipeLogLevel, StateMachineInvocation

_MIN_MEMORY_MB, _MAX_MEMORY_MB = 128, 10_240
_MAX_TIMEOUT_SECONDS = 900
DEFAULT_FUNCTION_TIMEOUT = Duration.seconds(30)


@dataclass(frozen=True)
class FunctionSettings:
    """How the enrichment function is configured; out-of-range values raise ValueError naming the prop."""

    memory_size: int
    timeout: Duration
    architecture: lambda_.Architecture
    powertools_layer: lambda_.ILayerVersion | None
    environment_encryption_key: kms.IKey | None
    log_retention: logs.RetentionDays

    def __post_init__(self) -> None:
        if not _MIN_MEMORY_MB <= self.memory_size <= _MAX_MEMORY_MB:
            raise ValueError(
                f"function_memory_size={self.memory_size} MB is outside 128..10240 MB; "
                "pass a size in that range"
            )
        seconds = self.timeout.to_seconds()
        if not 1 <= seconds <= _MAX_TIMEOUT_SECONDS:
            raise ValueError(
                f"function_timeout={seconds} seconds is outside 1..900 seconds; pass one in that range"
            )


@dataclass(frozen=True)
class PipeSettings:
    source: sqs.IQueue
    target: ResolvedTarget
    batch_size: int
    batching_window_seconds: int | None
    detail_type: str
    event_source: str
    invocation: StateMachineInvocation
    log_level: PipeLogLevel
    alarms_enabled: bool
    dead_letter_queue: sqs.IQueue | None
    fifo_deduplication_path: str | None = None
    """JSON path of a FIFO target's deduplication id in the delivered item (None: content-based)."""


class ClaimCheckPipeBase(Construct):
    """Shared parts and attributes of :class:`ClaimCheckSplitPipe` and :class:`ClaimCheckRetrievalPipe`."""

    _store: StoreRef

    def _source_dead_letter_queue(
        self, given: sqs.IQueue | None, discovered: sqs.IQueue | None
    ) -> sqs.IQueue | None:
        """The source queue's DLQ (for its alarm); a warning when none is known."""
        dead_letter_queue = given or discovered
        if dead_letter_queue is None:
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:SourceWithoutDeadLetterQueue",
                "The source queue has no dead-letter queue that this construct knows of: a batch that keeps "
                "failing is retried until its messages expire. Give the queue a dead_letter_queue "
                "(maxReceiveCount >= 5), or pass source_dead_letter_queue for an imported queue.",
            )
        return dead_letter_queue

    def _build(
        self,
        *,
        handler: str,
        description: str,
        environment: Mapping[str, str],
        function_statements: Sequence[iam.PolicyStatement],
        function: FunctionSettings,
        pipe: PipeSettings,
    ) -> None:
        self._function_role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{description} (enrichment function)",
        )
        for statement in function_statements:
            self._function_role.add_to_principal_policy(statement)
        self._function_log_group = logs.LogGroup(self, "FunctionLogGroup", retention=function.log_retention)
        self._function_log_group.grant_write(self._function_role)
        layer = function.powertools_layer or default_powertools_layer(self, function.architecture)
        self._function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=FUNCTION_RUNTIME,
            architecture=function.architecture,
            code=handler_code(),
            handler=handler,
            layers=[layer],
            role=self._function_role,
            memory_size=function.memory_size,
            timeout=function.timeout,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self._function_log_group,
            environment={**POWERTOOLS_ENVIRONMENT, **environment},
            environment_encryption=function.environment_encryption_key,
        )
        # The role's policy must exist before the function runs, or its first invocations fail.
        self._function.node.add_dependency(self._function_role)
        acknowledge(
            self._function_role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions "
            "(tracing is on).",
        )

        self._pipe_role = iam.Role(
            self,
            "PipeRole",
            assumed_by=iam.ServicePrincipal(
                "pipes.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            ),
            description=f"{description} (pipe)",
        )
        for statement in consume_statements(pipe.source):
            self._pipe_role.add_to_principal_policy(statement)
        self._pipe_role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self._function.function_arn])
        )
        for statement in pipe.target.send_statements(pipe.invocation):
            self._pipe_role.add_to_principal_policy(statement)

        self._pipe_log_group: logs.LogGroup | None = None
        log_configuration = None
        if pipe.log_level is not PipeLogLevel.OFF:
            self._pipe_log_group = logs.LogGroup(self, "PipeLogGroup", retention=function.log_retention)
            self._pipe_log_group.grant_write(self._pipe_role)
            log_configuration = pipes.CfnPipe.PipeLogConfigurationProperty(
                level=pipe.log_level.value,
                cloudwatch_logs_log_destination=pipes.CfnPipe.CloudwatchLogsLogDestinationProperty(
                    log_group_arn=self._pipe_log_group.log_group_arn
                ),
            )

        self._pipe = pipes.CfnPipe(
            self,
            "Pipe",
            description=description,
            role_arn=self._pipe_role.role_arn,
            source=pipe.source.queue_arn,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                sqs_queue_parameters=pipes.CfnPipe.PipeSourceSqsQueueParametersProperty(
                    batch_size=pipe.batch_size,
                    maximum_batching_window_in_seconds=pipe.batching_window_seconds,
                )
            ),
            enrichment=self._function.function_arn,
            target=pipe.target.arn,
            target_parameters=pipe.target.target_parameters(
                detail_type=pipe.detail_type,
                event_source=pipe.event_source,
                invocation=pipe.invocation,
                fifo_deduplication_path=pipe.fifo_deduplication_path,
            ),
            log_configuration=log_configuration,
        )
        # Pipes checks its role's permissions on create: the policy has to be there first.
        self._pipe.node.add_dependency(self._pipe_role)

        self._alarms: Mapping[str, cloudwatch.Alarm] = MappingProxyType({})
        if pipe.alarms_enabled:
            self._alarms = build_alarms(
                self, pipe=self._pipe, function=self._function, dead_letter_queue=pipe.dead_letter_queue
            )

    @property
    def pipe(self) -> pipes.CfnPipe:
        """The EventBridge pipe (its ``ref`` is the pipe name)."""
        return self._pipe

    @property
    def pipe_role(self) -> iam.Role:
        """The pipe's execution role: consume the source, invoke the enrichment, deliver to the target."""
        return self._pipe_role

    @property
    def function(self) -> lambda_.Function:
        """The enrichment function."""
        return self._function

    @property
    def function_role(self) -> iam.Role:
        """The enrichment function's execution role."""
        return self._function_role

    @property
    def log_group(self) -> logs.LogGroup:
        """The enrichment function's log group."""
        return self._function_log_group

    @property
    def pipe_log_group(self) -> logs.LogGroup | None:
        """The pipe's log group, or None when ``pipe_log_level`` is OFF."""
        return self._pipe_log_group

    @property
    def alarms(self) -> Mapping[str, cloudwatch.Alarm]:
        """Alarms by name: ``PipeExecutionFailed``, ``PipeExecutionThrottled``, ``FunctionErrors`` and,
        when the source DLQ is known, ``SourceDeadLetterQueueNotEmpty``. Empty when alarms are off."""
        return self._alarms

    @property
    def table(self) -> dynamodb.ITable:
        """The store's DynamoDB table."""
        return self._store.table

    @property
    def bucket(self) -> s3.IBucket | None:
        """The store's overflow bucket, or None when the store has none."""
        return self._store.bucket
