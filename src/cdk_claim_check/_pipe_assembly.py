"""What both claim-check pipes are made of: the shared checks, an enrichment function, a pipe role, the
pipe, its logs and alarms. Each pipe's constructor adds only what is its own."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

from aws_cdk import Annotations, ArnFormat, Aws, Stack
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
from ._checks import (
    check_batching_window,
    check_bus_parameters,
    check_state_machine_invocation,
    check_visibility_timeout,
    resolve_batch_size,
)
from ._claim_signing import check_claim_signing_key, claim_signing_statement
from ._nag import PIPE_FINDINGS, UNENCRYPTED_LOGS_REASON, acknowledge, acknowledge_compliance_findings
from ._pipe_logs import build_pipe_logs, check_log_destinations
from ._pipe_options import PipeOptions, resolve_options
from ._pipe_targets import PipeTarget, TargetKind, resolve_target
from ._prop_types import own_prop_names
from ._resource_identity import same_queue
from ._source import check_source, consume_statements, create_source_queue, inspect_source
from .extended_client import extended_client_environment, resolve_extended_client_buckets
from .runtime.contract import (
    ENV_CLAIM_MAC_KEY_ID,
    ENV_EXPECTED_BUCKET_OWNER,
    ENV_EXTENDED_CLIENT_BUCKETS,
    ENV_FUNCTION_TIMEOUT_SECONDS,
    FIFO_FIXED_MESSAGE_GROUP_ID,
    POWERTOOLS_ENVIRONMENT,
    SOURCE_MAX_RECEIVE_COUNT,
)
from .runtime.wire import CLAIM_CHECK_KEY
from .store import IClaimCheckStore, check_store, check_table_home

DEFAULT_EVENT_SOURCE = "claim-check"


@dataclass(frozen=True)
class EnrichmentSpec:
    """What one kind of pipe puts into the shared assembly."""

    handler: str
    """The handler string of the enrichment function (``runtime.split.handler``)."""
    description: str
    environment: Mapping[str, str]
    """The function's environment per the runtime contract (the Powertools settings are added)."""
    function_statements: Sequence[iam.PolicyStatement]
    claim_mac_action: str
    """The function's one action on the claim signing key, when there is one (``kms:GenerateMac``)."""
    batch_size: int
    default_detail_type: str
    fifo_deduplication_path: str | None = None
    """JSON path of a FIFO target's deduplication id in the delivered item (None: content-based)."""
    carried_group_path: str | None = None
    """JSON path of the source message's group in the delivered item (None: the item carries none)."""
    default_filter_patterns: Sequence[Mapping[str, Any]] = ()
    """The source filter when ``filter_patterns`` is not given."""


class ClaimCheckPipeBase(Construct):
    """Shared parts and attributes of :class:`ClaimCheckSplitPipe` and :class:`ClaimCheckRetrievalPipe`.

    The constructor resolves and checks what both pipes share; the subclass then works out its own
    environment and grants and calls :meth:`_build` once.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: sqs.IQueue | None,
        store: IClaimCheckStore,
        target: PipeTarget,
        options: PipeOptions,
    ) -> None:
        super().__init__(scope, id)
        self._store = check_store(store)
        self._options = resolve_options(type(self).__name__, options, own_prop_names(type(self)))
        check_log_destinations(self._options, self._store.bucket)
        self._source = self._own_source_queue() if source is None else check_source(source)
        if source is not None and self._options["source_encryption_key"] is not None:
            raise ValueError(
                "source_encryption_key is set but a source queue was passed; it only encrypts the queue the "
                "construct creates when source=None: drop it, or encrypt your queue yourself"
            )
        self._source_facts = inspect_source(self._source)
        self._target = resolve_target(target)
        if self._target.kind is TargetKind.QUEUE and same_queue(
            cast(sqs.IQueue, self._target.resource), self._source
        ):
            raise ValueError(
                "target is the pipe's own source queue: everything it delivers would come back to it, "
                "forever; pass another queue as the target"
            )
        check_table_home(self, self._store.table)
        check_bus_parameters(
            self._target, detail_type=self._options["detail_type"], event_source=self._options["event_source"]
        )
        self._invocation = check_state_machine_invocation(
            self._target, self._options["state_machine_invocation"]
        )
        self._batching_window_seconds = check_batching_window(self._options["maximum_batching_window"])
        check_visibility_timeout(
            self._source_facts.visibility_timeout_seconds, self._options["function_timeout"]
        )
        self._source_dead_letter_queue = self._find_source_dead_letter_queue()
        self._extended_client_buckets = resolve_extended_client_buckets(
            self._store, self._options["extended_client_buckets"]
        )
        self._claim_signing_key = check_claim_signing_key(self._options["claim_signing_key"])

    _source_outlives_claims = False
    """Whether a message kept longer than the store's time to live is useless (a claim check is)."""

    def _own_source_queue(self) -> sqs.Queue:
        """The source queue and DLQ the construct makes when the caller passed no source."""
        if self._options["source_dead_letter_queue"] is not None:
            raise ValueError(
                "source_dead_letter_queue is set but source is None, so the construct creates the source "
                "queue and its DLQ itself; drop source_dead_letter_queue, or pass your own source"
            )
        ttl_seconds = int(self._store.time_to_live.to_seconds())
        return create_source_queue(
            self,
            function_timeout=self._options["function_timeout"],
            encryption_key=self._options["source_encryption_key"],
            max_retention_seconds=ttl_seconds if self._source_outlives_claims else None,
        )

    def _find_source_dead_letter_queue(self) -> sqs.IQueue | None:
        """The source queue's DLQ (for its alarm); a warning when none is known."""
        dead_letter_queue = self._options["source_dead_letter_queue"] or self._source_facts.dead_letter_queue
        if dead_letter_queue is None:
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:SourceWithoutDeadLetterQueue",
                "The source queue has no dead-letter queue that this construct knows of: a batch that keeps "
                "failing is retried until its messages expire. Give the queue a dead_letter_queue "
                "(maxReceiveCount >= 5), or pass source_dead_letter_queue for an imported queue.",
            )
        receives = self._source_facts.max_receive_count
        if receives is not None and receives < SOURCE_MAX_RECEIVE_COUNT:
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:SourceDeadLetterQueueTooEager",
                f"The source queue moves a message to its DLQ after {receives} receive(s): a batch that "
                "fails once for a passing reason (a throttled store, a function timeout), or beside one bad "
                f"message, lands in the DLQ. Use maxReceiveCount >= {SOURCE_MAX_RECEIVE_COUNT}.",
            )
        return dead_letter_queue

    def _resolve_batch_size(self, *, record_bytes: int, record_bytes_origin: str) -> int:
        return resolve_batch_size(
            self._options["batch_size"],
            target=self._target,
            record_bytes=record_bytes,
            record_bytes_origin=record_bytes_origin,
            batching_window=self._options["maximum_batching_window"],
        )

    def _build(self, spec: EnrichmentSpec) -> None:
        self._build_function(spec)
        self._build_pipe_role(spec)
        self._build_pipe(spec)
        findings = dict(PIPE_FINDINGS)
        if self._options["log_encryption_key"] is None:
            findings["CloudWatchLogGroupEncrypted"] = UNENCRYPTED_LOGS_REASON
        acknowledge_compliance_findings(self, findings)
        self._alarms: Mapping[str, cloudwatch.Alarm] = MappingProxyType({})
        if self._options["alarms_enabled"]:
            self._alarms = build_alarms(
                self,
                pipe=self._pipe,
                function=self._function,
                dead_letter_queue=self._source_dead_letter_queue,
            )

    def _log_group(self, id: str) -> logs.LogGroup:
        key = self._options["log_encryption_key"]
        if key is not None:
            allow_log_encryption(key)
        return logs.LogGroup(self, id, retention=self._options["log_retention"], encryption_key=key)

    def _build_function(self, spec: EnrichmentSpec) -> None:
        options = self._options
        self._function_role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.description} (enrichment function)",
        )
        for statement in spec.function_statements:
            self._function_role.add_to_principal_policy(statement)
        if self._claim_signing_key is not None:
            self._function_role.add_to_principal_policy(
                claim_signing_statement(self._claim_signing_key, spec.claim_mac_action)
            )
        self._function_log_group = self._log_group("FunctionLogGroup")
        self._function_log_group.grant_write(self._function_role)
        architecture = options["function_architecture"]
        self._function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            runtime=FUNCTION_RUNTIME,
            architecture=architecture,
            code=handler_code(),
            handler=spec.handler,
            layers=[options["powertools_layer"] or default_powertools_layer(self, architecture)],
            role=self._function_role,
            memory_size=options["function_memory_size"],
            timeout=options["function_timeout"],
            log_group=self._function_log_group,
            environment={**POWERTOOLS_ENVIRONMENT, **self._shared_environment(), **spec.environment},
            environment_encryption=options["environment_encryption_key"],
        )
        # Active tracing, set on the resource: the L2 would add its X-Ray statement to the role's default
        # policy; it gets a policy of its own instead, so the Resource::* acknowledgement covers that
        # statement alone and a wildcard anyone else adds to the role is still reported.
        cfn_function = self._function.node.default_child
        assert isinstance(cfn_function, lambda_.CfnFunction)
        cfn_function.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")
        tracing_policy = iam.Policy(
            self,
            "TracingPolicy",
            roles=[self._function_role],
            statements=[
                iam.PolicyStatement(
                    actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]
                )
            ],
        )
        acknowledge(
            tracing_policy,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions "
            "(tracing is on); this policy holds that statement alone.",
        )
        # The role's policies must exist before the function runs, or its first invocations fail.
        self._function.node.add_dependency(self._function_role, tracing_policy)

    def _shared_environment(self) -> dict[str, str]:
        """What both functions read besides their own settings (docs/contract.md)."""
        environment = {
            # Every S3 call checks the bucket owner: the stack's account, unless a bucket names its own.
            ENV_EXPECTED_BUCKET_OWNER: Aws.ACCOUNT_ID,
            ENV_EXTENDED_CLIENT_BUCKETS: extended_client_environment(self, self._extended_client_buckets),
            ENV_FUNCTION_TIMEOUT_SECONDS: str(int(self._options["function_timeout"].to_seconds())),
        }
        if self._claim_signing_key is not None:
            environment[ENV_CLAIM_MAC_KEY_ID] = self._claim_signing_key.key_arn
        return environment

    def _build_pipe_role(self, spec: EnrichmentSpec) -> None:
        self._pipe_role = iam.Role(
            self,
            "PipeRole",
            assumed_by=iam.ServicePrincipal(
                "pipes.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": Stack.of(self).account},
                    # Only pipes of this account and region may assume the role (confused deputy).
                    "ArnLike": {"aws:SourceArn": pipe_arn_pattern(self)},
                },
            ),
            description=f"{spec.description} (pipe)",
        )
        for statement in consume_statements(self._source):
            self._pipe_role.add_to_principal_policy(statement)
        self._pipe_role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self._function.function_arn])
        )
        for statement in self._target.send_statements(self._invocation):
            self._pipe_role.add_to_principal_policy(statement)

    def _pipe_log_configuration(self) -> pipes.CfnPipe.PipeLogConfigurationProperty | None:
        pipe_logs = build_pipe_logs(self._options, self._pipe_role, lambda: self._log_group("PipeLogGroup"))
        self._pipe_log_group: logs.ILogGroup | None = pipe_logs.log_group
        return pipe_logs.configuration

    def _filter_criteria(self, spec: EnrichmentSpec) -> pipes.CfnPipe.FilterCriteriaProperty | None:
        given = self._options["filter_patterns"]
        patterns = spec.default_filter_patterns if given is None else given
        if not patterns:
            return None
        return pipes.CfnPipe.FilterCriteriaProperty(
            filters=[pipes.CfnPipe.FilterProperty(pattern=json.dumps(pattern)) for pattern in patterns]
        )

    def _fifo_message_group_id(self, spec: EnrichmentSpec) -> str | None:
        """A FIFO target's group: the prop, else the carried group of a FIFO source, else one fixed group."""
        given = self._options["fifo_message_group_id"]
        source_is_fifo = getattr(self._source, "fifo", False) is True
        if not self._target.is_fifo_queue:
            if given is not None:
                raise ValueError(
                    f"fifo_message_group_id={given!r} is set but the target is not a FIFO queue; drop it"
                )
            return None
        if (
            given is not None
            and given.startswith(f"$.{CLAIM_CHECK_KEY}.")
            and spec.carried_group_path is None
        ):
            raise ValueError(
                f"fifo_message_group_id={given!r} points into a claim check, but this pipe delivers the "
                "original payloads; pass a path into the payload ('$.customerId') or a fixed group id"
            )
        if given is not None and given == spec.carried_group_path and not source_is_fifo:
            raise ValueError(
                f"fifo_message_group_id={given!r} is the source message's group, but the source is not a "
                "FIFO queue, so no claim check carries one; pass a fixed group id or another path"
            )
        if given is not None:
            return given
        if spec.carried_group_path is not None and source_is_fifo:
            return spec.carried_group_path
        return FIFO_FIXED_MESSAGE_GROUP_ID

    def _grant_pipe_encryption_key(self) -> str | None:
        key = self._options["pipe_encryption_key"]
        if key is None:
            return None
        self._pipe_role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn]
            )
        )
        return key.key_arn

    def _build_pipe(self, spec: EnrichmentSpec) -> None:
        self._pipe = pipes.CfnPipe(
            self,
            "Pipe",
            name=self._options["pipe_name"],
            description=self._options["pipe_description"] or spec.description,
            desired_state=self._options["desired_state"].value,
            kms_key_identifier=self._grant_pipe_encryption_key(),
            role_arn=self._pipe_role.role_arn,
            source=self._source.queue_arn,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                sqs_queue_parameters=pipes.CfnPipe.PipeSourceSqsQueueParametersProperty(
                    batch_size=spec.batch_size,
                    maximum_batching_window_in_seconds=self._batching_window_seconds,
                ),
                filter_criteria=self._filter_criteria(spec),
            ),
            enrichment=self._function.function_arn,
            target=self._target.arn,
            target_parameters=self._target.target_parameters(
                detail_type=self._options["detail_type"] or spec.default_detail_type,
                event_source=self._options["event_source"] or DEFAULT_EVENT_SOURCE,
                invocation=self._invocation,
                fifo_message_group_id=self._fifo_message_group_id(spec),
                fifo_deduplication_path=spec.fifo_deduplication_path,
            ),
            log_configuration=self._pipe_log_configuration(),
        )
        # Pipes checks its role's permissions on create: the policy has to be there first.
        self._pipe.node.add_dependency(self._pipe_role)

    @property
    def pipe(self) -> pipes.CfnPipe:
        """The EventBridge pipe (its ``ref`` is the pipe name)."""
        return self._pipe

    @property
    def source_queue(self) -> sqs.IQueue:
        """The queue the pipe polls: ``source``, or the queue created when ``source`` was None."""
        return self._source

    @property
    def source_dead_letter_queue(self) -> sqs.IQueue | None:
        """The source queue's DLQ: the one created with the source queue, the DLQ of a source queue
        defined in the app, or ``source_dead_letter_queue``; None when none is known."""
        return self._source_dead_letter_queue

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
    def function_log_group(self) -> logs.LogGroup:
        """The enrichment function's log group."""
        return self._function_log_group

    @property
    def pipe_log_group(self) -> logs.ILogGroup | None:
        """The pipe's log group (created, or ``pipe_log_group``), or None when ``pipe_log_level`` is OFF."""
        return self._pipe_log_group

    @property
    def alarms(self) -> Mapping[str, cloudwatch.Alarm]:
        """Alarms by name: ``PipeExecutionFailed``, ``PipeExecutionThrottled``, ``FunctionErrors`` and,
        when the source DLQ is known, ``SourceDeadLetterQueueNotEmpty``. Empty when alarms are off."""
        return self._alarms

    @property
    def store(self) -> IClaimCheckStore:
        """The store the pipe writes to or redeems from."""
        return self._store

    @property
    def table(self) -> dynamodb.ITable:
        """The store's DynamoDB table."""
        return self._store.table

    @property
    def bucket(self) -> s3.IBucket | None:
        """The store's overflow bucket, or None when the store has none."""
        return self._store.bucket


def pipe_arn_pattern(scope: Construct) -> str:
    """``arn:<partition>:pipes:<region>:<account>:pipe/*``: the pipes of the stack's account and region."""
    stack = Stack.of(scope)
    return stack.format_arn(service="pipes", resource="pipe", resource_name="*")


def allow_log_encryption(key: kms.IKey) -> None:
    """The key policy statement CloudWatch Logs needs to encrypt this account's log groups with ``key``
    (a no-op for an imported key, whose policy is its owner's)."""
    stack = Stack.of(key)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=[
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )
