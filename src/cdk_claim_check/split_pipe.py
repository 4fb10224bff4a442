"""ClaimCheckSplitPipe: SQS source -> pipe with a storing enrichment -> target that gets claim checks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Unpack

from aws_cdk import Annotations, Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ._asset import SPLIT_HANDLER
from ._checks import check_whole_number, coerce_option
from ._claim_signing import GENERATE_MAC
from ._pipe_assembly import ClaimCheckPipeBase, EnrichmentSpec
from ._pipe_options import PipeOptions
from ._pipe_targets import PipeTarget
from ._prop_types import checked_props
from ._store_grants import writer_statements
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
    S3Layout,
)
from .runtime.wire import CLAIM_CHECK_KEY, GROUP_KEY
from .store import IClaimCheckStore, validate_time_to_live

DEFAULT_DETAIL_TYPE = "ClaimCheck"


def _keep_fields_json(keep_fields: Sequence[str]) -> str:
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


def _time_to_live_seconds(store: IClaimCheckStore, time_to_live: Duration | None) -> int:
    if time_to_live is None:
        return validate_time_to_live(store.time_to_live)
    seconds = validate_time_to_live(time_to_live)
    if store.bucket is not None:
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
    A FIFO queue target gets each claim check in its source message's group when the source is a FIFO
    queue (the claim check carries it as ``group``), else in one group, ``claim-check``
    (``fifo_message_group_id`` sets either); deduplicated by claim id.
    """

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: sqs.IQueue | None = None,
        store: IClaimCheckStore,
        target: PipeTarget,
        keep_fields: Sequence[str] = (),
        time_to_live: Duration | None = None,
        compression: Compression = Compression.AUTO,
        inline_limit_bytes: int | None = None,
        s3_layout: S3Layout | None = None,
        **options: Unpack[PipeOptions],
    ) -> None:
        """Create the split function, its pipe and their alarms.

        :param scope: parent construct.
        :param id: construct id.
        :param source: SQS queue with the original messages, created in the stack or imported.
            Default: None: the construct creates the source queue (``source_queue``, SSE-SQS or
            ``source_encryption_key``, TLS only, visibility timeout 6 x ``function_timeout``) and its DLQ
            (``source_dead_letter_queue``, maxReceiveCount 5, retention 14 days).
        :param store: where the payloads go: a ClaimCheckStore, or ``ClaimCheckStore.from_table(...)``
            for a table (and bucket) you already have.
        :param target: where the claim checks go: ``events.IEventBus``, ``sqs.IQueue``, ``sns.ITopic``,
            ``lambda_.IFunction`` or ``stepfunctions.IStateMachine``.
        :param keep_fields: top-level field names (dotted paths allowed) copied from a JSON body into
            the claim check's ``metadata``, so rules can route on them. Default: none.
        :param time_to_live: how long a claim check can be redeemed. Default: the store's time to live.
            Range: 60 seconds to 365 days; not longer than the store's own when it has a bucket, which
            expires objects after it.
        :param compression: compression of stored bodies. Default: Compression.AUTO (zlib when smaller).
        :param inline_limit_bytes: stored body size up to which the body stays in the DynamoDB item;
            larger ones go to S3. Default: 8192 with a bucket (the cost break-even), 350000 without.
            Range: 0..350000. Needs a bucket.
        :param s3_layout: layout of payloads in the bucket. Default: S3Layout.PACKED (one object per
            batch). Needs a bucket.
        """
        super().__init__(scope, id, source=source, store=store, target=target, options=options)
        environment = _split_environment(
            self._store,
            keep_fields=keep_fields,
            time_to_live=time_to_live,
            compression=compression,
            inline_limit_bytes=inline_limit_bytes,
            s3_layout=s3_layout,
        )
        self._warn_if_payloads_may_not_fit_an_item()
        facts = self._source_facts
        self._build(
            EnrichmentSpec(
                handler=SPLIT_HANDLER,
                description="Claim-check split: stores each message and forwards its claim check",
                environment=environment,
                function_statements=writer_statements(self, self._store),
                claim_mac_action=GENERATE_MAC,
                batch_size=self._resolve_batch_size(
                    record_bytes=facts.max_message_bytes,
                    record_bytes_origin=(
                        "the source queue's maximum message size"
                        if facts.max_message_bytes_known
                        else "SQS maximum; the imported source's setting is unknown"
                    ),
                ),
                default_detail_type=DEFAULT_DETAIL_TYPE,
                fifo_deduplication_path=f"$.{CLAIM_CHECK_KEY}.id",
                carried_group_path=f"$.{CLAIM_CHECK_KEY}.{GROUP_KEY}",
            )
        )

    def _warn_if_payloads_may_not_fit_an_item(self) -> None:
        max_bytes = self._source_facts.max_message_bytes
        if self._store.bucket is None and max_bytes > MAX_INLINE_LIMIT_BYTES:
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:PayloadMayNotFitItem",
                f"The store has no overflow bucket but source messages may be up to {max_bytes:,} bytes; "
                f"bodies above {MAX_INLINE_LIMIT_BYTES:,} bytes after compression fail the batch "
                "('too_large'). Use a store with a bucket, or lower the queue's maximum message size.",
            )


def _split_environment(
    store: IClaimCheckStore,
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
        ENV_COMPRESSION: coerce_option("compression", compression, Compression).value,
        ENV_KEEP_FIELDS: _keep_fields_json(keep_fields),
    }
    if store.bucket is None:
        for prop, value in (("inline_limit_bytes", inline_limit_bytes), ("s3_layout", s3_layout)):
            if value is not None:
                raise ValueError(
                    f"{prop} is set but the store has no overflow bucket; drop {prop} or use a store "
                    "with a bucket (ClaimCheckStore(overflow_bucket=True), or from_table(..., bucket=...))"
                )
        return environment
    environment[ENV_BUCKET_NAME] = store.bucket.bucket_name
    layout = S3Layout.PACKED if s3_layout is None else coerce_option("s3_layout", s3_layout, S3Layout)
    environment[ENV_S3_LAYOUT] = layout.value
    if inline_limit_bytes is not None:
        inline_limit_bytes = check_whole_number("inline_limit_bytes", inline_limit_bytes)
        if not 0 <= inline_limit_bytes <= MAX_INLINE_LIMIT_BYTES:
            raise ValueError(
                f"inline_limit_bytes={inline_limit_bytes} is outside 0..350000 (DynamoDB items hold "
                "400 KB including attribute names); pass a value in that range"
            )
        environment[ENV_INLINE_LIMIT_BYTES] = str(inline_limit_bytes)
    return environment
