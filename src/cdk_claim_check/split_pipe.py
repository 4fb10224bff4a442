"""ClaimCheckSplitPipe: SQS source -> pipe with a storing enrichment -> target that gets claim checks."""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import Annotations, Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ._asset import SPLIT_HANDLER
from ._checks import (
    check_batching_window,
    check_bus_parameters,
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
from ._source import inspect_source
from ._store_access import StoreLike, StoreRef, resolve_store, writer_statements
from ._targets import PipeTarget, resolve_target
from .runtime.contract import (
    ENV_BUCKET_NAME,
    ENV_COMPRESSION,
    ENV_INLINE_LIMIT_BYTES,
    ENV_KEEP_FIELDS,
    ENV_S3_LAYOUT,
    ENV_TABLE_NAME,
    ENV_TTL_SECONDS,
    MAX_INLINE_LIMIT_BYTES,
    MAX_KEEP_FIELDS_JSON_CHARS,
    Compression,
    PipeLogLevel,
    S3Layout,
    StateMachineInvocation,
)
from .store import DEFAULT_TIME_TO_LIVE, validate_time_to_live

DEFAULT_DETAIL_TYPE = "ClaimCheck"
DEFAULT_EVENT_SOURCE = "claim-check"


def _keep_fields_json(keep_fields: Sequence[str]) -> str:
    if isinstance(keep_fields, str):
        raise ValueError(
            f"keep_fields={keep_fields!r} is a string; pass a list of field names, e.g. ['orderId']"
        )
    for field in keep_fields:
        if not isinstance(field, str) or not field or field.startswith(".") or field.endswith("."):
            raise ValueError(
                f"keep_fields has {field!r}; each entry must be a top-level field name or a dotted path "
                "like 'customer.id'"
            )
    encoded = json.dumps(list(keep_fields), separators=(",", ":"))
    if len(encoded) > MAX_KEEP_FIELDS_JSON_CHARS:
        raise ValueError(
            f"keep_fields is {len(encoded)} characters as JSON (more than 2,048) and would crowd the 4 KB "
            "Lambda environment; keep fewer fields"
        )
    return encoded


def _time_to_live_seconds(store: StoreRef, time_to_live: Duration | None) -> int:
    if time_to_live is None:
        return validate_time_to_live(store.time_to_live or DEFAULT_TIME_TO_LIVE)
    seconds = validate_time_to_live(time_to_live)
    if store.time_to_live is not None and store.bucket is not None:
        store_seconds = int(store.time_to_live.to_seconds())
        if seconds > store_seconds:
            raise ValueError(
                f"time_to_live={seconds} seconds is longer than the store's time_to_live "
                f"({store_seconds} s), "
                "after which its bucket deletes payload objects; drop time_to_live here or raise the store's"
            )
    return seconds


class ClaimCheckSplitPipe(ClaimCheckPipeBase):
    """SQS source -> EventBridge pipe whose Lambda enrichment stores each message body -> target.

    The target receives, per source message and in order, only the small claim check
    ``{"claimCheck": {"v": 1, "id", "bytes", "sha256"}, "metadata": {...}}``.

    Batching per target kind: event bus, SQS and SNS targets get one message per record (batch size
    at most 10); Lambda and Step Functions targets get the whole batch as one JSON array.
    A FIFO queue target gets every claim check in one message group, deduplicated by claim id.
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
        keep_fields: Sequence[str] = (),
        detail_type: str | None = None,
        event_source: str | None = None,
        state_machine_invocation: StateMachineInvocation | None = None,
        time_to_live: Duration | None = None,
        compression: Compression = Compression.AUTO,
        inline_limit_bytes: int | None = None,
        s3_layout: S3Layout | None = None,
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
        """Create the split function, its pipe and their alarms.

        :param scope: parent construct.
        :param id: construct id.
        :param source: SQS queue with the original messages, created in the stack or imported.
        :param store: a ClaimCheckStore, or an existing ``dynamodb.ITable`` (partition key ``id``).
        :param target: where the claim checks go: ``events.IEventBus``, ``sqs.IQueue``, ``sns.ITopic``,
            ``lambda_.IFunction`` or ``stepfunctions.IStateMachine``.
        :param bucket: existing overflow bucket when ``store`` is a plain table. Default: None.
            Conflicts with a ClaimCheckStore ``store`` (it brings its own bucket).
        :param batch_size: source messages per enrichment call. Default: 10, or fewer when 10 of the
            source's largest messages would exceed the 6 MB enrichment limit (5 for 1 MiB messages);
            1 for Step Functions targets. At most 10 for bus, SQS and SNS targets; above 10 needs
            ``maximum_batching_window``.
        :param maximum_batching_window: how long the pipe waits to fill a batch. Default: None (no wait).
            Range: 0..300 seconds.
        :param keep_fields: top-level field names (dotted paths allowed) copied from a JSON body into
            the claim check's ``metadata``, so rules can route on them. Default: none.
        :param detail_type: ``detail-type`` of the bus events. Default: "ClaimCheck". Bus targets only.
        :param event_source: ``source`` of the bus events, 1..256 characters, not starting with "aws.".
            Default: "claim-check". Bus targets only.
        :param state_machine_invocation: how a Step Functions target is started. Default:
            FIRE_AND_FORGET. REQUEST_RESPONSE needs an EXPRESS workflow (checked when the state machine
            is defined in the app; an imported one is not checked). Step Functions targets only.
        :param time_to_live: how long a claim check can be redeemed. Default: the store's time to live
            (7 days for a plain table). Range: 60 seconds to 365 days; not longer than a
            ClaimCheckStore's own, whose bucket expires objects after it.
        :param compression: compression of stored bodies. Default: Compression.AUTO (zlib when smaller).
        :param inline_limit_bytes: stored body size up to which the body stays in the DynamoDB item;
            larger ones go to S3. Default: 8192 with a bucket (the cost break-even), 350000 without.
            Range: 0..350000. Needs a bucket.
        :param s3_layout: layout of payloads in the bucket. Default: S3Layout.PACKED (one object per
            batch). Needs a bucket.
        :param pipe_log_level: what the pipe logs to its log group. Default: PipeLogLevel.ERROR; OFF
            creates no pipe log group.
        :param log_retention: retention of the function's and the pipe's log groups. Default: one month.
        :param function_memory_size: memory of the split function in MB. Default: 512. Range: 128..10240.
        :param function_timeout: timeout of the split function. Default: 30 seconds. Must not exceed the
            source queue's visibility timeout.
        :param function_architecture: architecture of the split function. Default: ARM_64.
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
        check_bus_parameters(resolved_target, detail_type=detail_type, event_source=event_source)
        invocation = check_state_machine_invocation(resolved_target, state_machine_invocation)
        window_seconds = check_batching_window(maximum_batching_window)
        resolved_batch_size = resolve_batch_size(
            batch_size,
            target=resolved_target,
            record_bytes=facts.max_message_bytes,
            record_bytes_origin=(
                "the source queue's maximum message size"
                if facts.max_message_bytes_known
                else "SQS maximum; the imported source's setting is unknown"
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
        environment = self._environment(
            store_ref,
            keep_fields=keep_fields,
            time_to_live=time_to_live,
            compression=compression,
            inline_limit_bytes=inline_limit_bytes,
            s3_layout=s3_layout,
        )
        dead_letter_queue = self._source_dead_letter_queue(source_dead_letter_queue, facts.dead_letter_queue)
        if store_ref.bucket is None and facts.max_message_bytes > MAX_INLINE_LIMIT_BYTES:
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:PayloadMayNotFitItem",
                "The store has no overflow bucket but source messages may be up to "
                f"{facts.max_message_bytes:,} "
                f"bytes; bodies above {MAX_INLINE_LIMIT_BYTES:,} bytes after compression fail the batch "
                "('too_large'). Use a store with a bucket, or lower the queue's maximum message size.",
            )
        self._store = store_ref
        self._build(
            handler=SPLIT_HANDLER,
            description="Claim-check split: stores each message and forwards its claim check",
            environment=environment,
            function_statements=writer_statements(self, store_ref),
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
                fifo_deduplication_path="$.claimCheck.id",
            ),
        )

    @staticmethod
    def _environment(
        store: StoreRef,
        *,
        keep_fields: Sequence[str],
        time_to_live: Duration | None,
        compression: Compression,
        inline_limit_bytes: int | None,
        s3_layout: S3Layout | None,
    ) -> dict[str, str]:
        """The split function's environment, per the runtime contract (docs/contract.md)."""
        environment = {
            ENV_TABLE_NAME: store.table.table_name,
            ENV_TTL_SECONDS: str(_time_to_live_seconds(store, time_to_live)),
            ENV_COMPRESSION: Compression(compression).value,
            ENV_KEEP_FIELDS: _keep_fields_json(keep_fields),
        }
        if store.bucket is None:
            for prop, value in (("inline_limit_bytes", inline_limit_bytes), ("s3_layout", s3_layout)):
                if value is not None:
                    raise ValueError(
                        f"{prop} is set but the store has no overflow bucket; drop {prop} or use a store "
                        "with a bucket (ClaimCheckStore(overflow_bucket=True), or bucket=...)"
                    )
            return environment
        environment[ENV_BUCKET_NAME] = store.bucket.bucket_name
        environment[ENV_S3_LAYOUT] = S3Layout(s3_layout or S3Layout.PACKED).value
        if inline_limit_bytes is not None:
            if not 0 <= inline_limit_bytes <= MAX_INLINE_LIMIT_BYTES:
                raise ValueError(
                    f"inline_limit_bytes={inline_limit_bytes} is outside 0..350000 (DynamoDB items hold "
                    "400 KB including attribute names); pass a value in that range"
                )
            environment[ENV_INLINE_LIMIT_BYTES] = str(inline_limit_bytes)
        return environment
