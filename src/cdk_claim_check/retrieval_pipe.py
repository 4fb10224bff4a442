"""ClaimCheckRetrievalPipe: SQS source of claim checks -> pipe with a redeeming enrichment -> target."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Annotations, Duration, Size, Token
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ._asset import RETRIEVAL_HANDLER
from ._checks import (
    check_batching_window,
    check_bus_parameters,
    check_fifo_target_deduplicates,
    check_state_machine_invocation,
    check_visibility_timeout,
    resolve_batch_size,
)
from ._pipe import (
    DEFAULT_FUNCTION_TIMEOUT,
    ClaimCheckPipeBase,
    FunctionSettings,
    PipeSettings,
)
from ._source import inspect_source, retention_seconds
from ._store_access import StoreLike, StoreRef, reader_statements, resolve_store
from ._targets import PipeTarget, TargetKind, resolve_target
from .runtime.contract import (
    ENV_BUCKET_NAME,
    ENV_DELETE_AFTER_RETRIEVAL,
    ENV_TABLE_NAME,
    SQS_MAX_MESSAGE_BYTES,
    STEP_FUNCTIONS_INPUT_LIMIT_BYTES,
    PipeLogLevel,
    StateMachineInvocation,
)

DEFAULT_DETAIL_TYPE = "ClaimCheckRedeemed"
DEFAULT_EVENT_SOURCE = "claim-check"


def _max_payload_bytes(max_payload_size: Size | None) -> int:
    if max_payload_size is None:
        return SQS_MAX_MESSAGE_BYTES
    size = max_payload_size.to_bytes()
    if Token.is_unresolved(size) or not 1 <= size <= SQS_MAX_MESSAGE_BYTES:
        raise ValueError(
            f"max_payload_size={size} bytes is outside 1 byte..1 MiB (the SQS message limit the payloads "
            "came in under); pass a Size in that range"
        )
    return int(size)


class ClaimCheckRetrievalPipe(ClaimCheckPipeBase):
    """SQS source of claim checks -> EventBridge pipe whose Lambda enrichment redeems them -> target.

    The target receives, per claim check and in order, the original payload (a JSON value when the
    body was JSON, otherwise the body string). Claim checks are accepted bare or inside an
    EventBridge event (the body an EventBridge rule delivers to SQS).

    Batching per target kind: event bus, SQS and SNS targets get one message per record (batch size
    at most 10); Lambda and Step Functions targets get the whole batch as one JSON array (6 MB for
    Lambda, 256 KiB of execution input for Step Functions). A FIFO queue target gets every payload
    in one message group and needs content-based deduplication.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: sqs.IQueue,
        store: StoreLike,
        target: PipeTarget,
        bucket: s3.IBucket | None = None,
        batch_size: int | None = None,
        maximum_batching_window: Duration | None = None,
        max_payload_size: Size | None = None,
        delete_after_retrieval: bool = False,
        readable_buckets: Sequence[s3.IBucket] = (),
        detail_type: str | None = None,
        event_source: str | None = None,
        state_machine_invocation: StateMachineInvocation | None = None,
        pipe_log_level: PipeLogLevel = PipeLogLevel.ERROR,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        function_memory_size: int = 512,
        function_timeout: Duration = DEFAULT_FUNCTION_TIMEOUT,
        function_architecture: lambda_.Architecture = lambda_.Architecture.ARM_64,
        powertools_layer: lambda_.ILayerVersion | None = None,
        encryption_key: kms.IKey | None = None,
        alarms_enabled: bool = True,
        source_dead_letter_queue: sqs.IQueue | None = None,
    ) -> None:
        """Create the retrieval function, its pipe and their alarms.

        :param scope: parent construct.
        :param id: construct id.
        :param source: SQS queue carrying claim checks, created in the stack or imported.
        :param store: the ClaimCheckStore the split pipe wrote to, or that table (``dynamodb.ITable``).
        :param target: where the original payloads go: ``events.IEventBus``, ``sqs.IQueue``,
            ``sns.ITopic``, ``lambda_.IFunction`` or ``stepfunctions.IStateMachine``.
        :param bucket: existing overflow bucket when ``store`` is a plain table. Default: None.
            Conflicts with a ClaimCheckStore ``store`` (it brings its own bucket).
        :param batch_size: claim checks per enrichment call. Default: 10, or fewer when 10 payloads of
            ``max_payload_size`` would exceed the 6 MB enrichment response (5 for 1 MiB payloads);
            1 for Step Functions targets. At most 10 for bus, SQS and SNS targets; above 10 needs
            ``maximum_batching_window``.
        :param maximum_batching_window: how long the pipe waits to fill a batch. Default: None (no wait).
            Range: 0..300 seconds.
        :param max_payload_size: the largest original payload this pipe redeems. Default: 1 MiB (the SQS
            maximum). Bounds the batch size and the Step Functions input check.
        :param delete_after_retrieval: delete the item (and, in the ``object`` layout, its S3 object;
            packed objects expire by lifecycle) once redeemed. The enrichment deletes before the pipe
            delivers to the target: if that delivery fails, the retried batch finds its claims
            ``missing`` and goes to the source's DLQ without its payloads. Only right when each claim
            check has exactly one consumer and the target rarely fails. Grants ``dynamodb:BatchWriteItem``
            and ``s3:DeleteObject`` (IAM has no delete-only form of BatchWriteItem). Default: False
            (items expire by TTL; a failed delivery can be redeemed again).
        :param readable_buckets: other buckets the function may read, for SQS Extended Client pointers
            that name objects outside the store's bucket (read only). Default: none.
        :param detail_type: ``detail-type`` of the bus events. Default: "ClaimCheckRedeemed". Bus
            targets only.
        :param event_source: ``source`` of the bus events, 1..256 characters, not starting with "aws.".
            Default: "claim-check". Bus targets only.
        :param state_machine_invocation: how a Step Functions target is started. Default:
            FIRE_AND_FORGET. REQUEST_RESPONSE needs an EXPRESS workflow (checked when the state machine
            is defined in the app; an imported one is not checked). Step Functions targets only.
        :param pipe_log_level: what the pipe logs to its log group. Default: PipeLogLevel.ERROR; OFF
            creates no pipe log group.
        :param log_retention: retention of the function's and the pipe's log groups. Default: one month.
        :param function_memory_size: memory of the retrieval function in MB. Default: 512.
            Range: 128..10240.
        :param function_timeout: timeout of the retrieval function. Default: 30 seconds. Must not exceed
            the source queue's visibility timeout.
        :param function_architecture: architecture of the retrieval function. Default: ARM_64.
        :param powertools_layer: Powertools for AWS Lambda (Python) layer. Default: the AWS-published
            layer for the stack's region (Python 3.14, the architecture above, Powertools 3.37.0); pass
            your own in China and GovCloud regions, whose layers live in other accounts.
        :param encryption_key: customer managed key for the function's environment variables.
            Default: None (the AWS-managed Lambda key).
        :param alarms_enabled: create CloudWatch alarms. Default: True.
        :param source_dead_letter_queue: the source queue's DLQ, for its alarm, when the source is
            imported. Default: the DLQ of a source queue defined in the app; none for an imported one.
        """
        super().__init__(scope, id)
        resolved_target = resolve_target(target)
        store_ref = resolve_store(store, bucket)
        facts = inspect_source(source)
        payload_bytes = _max_payload_bytes(max_payload_size)
        check_bus_parameters(resolved_target, detail_type=detail_type, event_source=event_source)
        check_fifo_target_deduplicates(resolved_target)
        invocation = check_state_machine_invocation(resolved_target, state_machine_invocation)
        window_seconds = check_batching_window(maximum_batching_window)
        # The request holds the claim-check messages, the response the payloads: both share the 6 MB.
        record_bytes = max(facts.max_message_bytes, payload_bytes)
        resolved_batch_size = resolve_batch_size(
            batch_size,
            target=resolved_target,
            record_bytes=record_bytes,
            record_bytes_origin=(
                "max_payload_size"
                if record_bytes == payload_bytes
                else "the source queue's maximum message size"
            ),
            batching_window=maximum_batching_window,
        )
        function_settings = FunctionSettings(
            memory_size=function_memory_size,
            timeout=function_timeout,
            architecture=function_architecture,
            powertools_layer=powertools_layer,
            environment_encryption_key=encryption_key,
            log_retention=log_retention,
        )
        check_visibility_timeout(facts.visibility_timeout_seconds, function_timeout)
        if (
            resolved_target.kind is TargetKind.STATE_MACHINE
            and resolved_batch_size * payload_bytes > STEP_FUNCTIONS_INPUT_LIMIT_BYTES
        ):
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:StepFunctionsInputMayOverflow",
                f"batch_size={resolved_batch_size} x up to {payload_bytes:,} bytes per payload may exceed "
                "the "
                "262,144-byte (256 KiB) Step Functions execution input, and such executions fail to start. "
                "Set max_payload_size (and batch_size) to what your payloads really are, or send the claim "
                "checks to the workflow as they are and redeem them in a task with ClaimCheckClient.redeem.",
            )
        dead_letter_queue = self._source_dead_letter_queue(source_dead_letter_queue, facts.dead_letter_queue)
        self._warn_if_claims_outlive_the_store(store_ref, source, dead_letter_queue)
        environment = {
            ENV_TABLE_NAME: store_ref.table.table_name,
            ENV_DELETE_AFTER_RETRIEVAL: "true" if delete_after_retrieval else "false",
        }
        if store_ref.bucket is not None:
            environment[ENV_BUCKET_NAME] = store_ref.bucket.bucket_name
        self._store = store_ref
        self._build(
            handler=RETRIEVAL_HANDLER,
            description="Claim-check retrieval: redeems each claim check for its payload",
            environment=environment,
            function_statements=reader_statements(
                self,
                store_ref,
                delete_after_retrieval=delete_after_retrieval,
                readable_buckets=list(readable_buckets),
            ),
            function=function_settings,
            pipe=PipeSettings(
                source=source,
                target=resolved_target,
                batch_size=resolved_batch_size,
                batching_window_seconds=window_seconds,
                detail_type=detail_type or DEFAULT_DETAIL_TYPE,
                event_source=event_source or DEFAULT_EVENT_SOURCE,
                invocation=invocation,
                log_level=pipe_log_level,
                alarms_enabled=alarms_enabled,
                dead_letter_queue=dead_letter_queue,
            ),
        )

    def _warn_if_claims_outlive_the_store(
        self, store: StoreRef, source: sqs.IQueue, dead_letter_queue: sqs.IQueue | None
    ) -> None:
        """A claim check kept (or redriven from the DLQ) after the store's time to live is ``expired``."""
        if store.time_to_live is None:
            return
        ttl_seconds = int(store.time_to_live.to_seconds())
        kept = [
            seconds for seconds in map(retention_seconds, (source, dead_letter_queue)) if seconds is not None
        ]
        if kept and max(kept) > ttl_seconds:
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:ClaimsMayOutliveTheirPayloads",
                f"The source queue or its DLQ keeps messages for up to {max(kept):,} seconds, longer "
                f"than the store's time_to_live ({ttl_seconds:,} s): a claim check redeemed (or redriven "
                "from the DLQ) after that finds its payload expired. Raise the store's time_to_live or "
                "shorten the retention_period.",
            )
