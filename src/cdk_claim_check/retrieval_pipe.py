"""ClaimCheckRetrievalPipe: SQS source of claim checks -> pipe with a redeeming enrichment -> target."""

from __future__ import annotations

from typing import Unpack

from aws_cdk import Annotations, Duration, Size, Token
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ._asset import RETRIEVAL_HANDLER
from ._checks import check_fifo_target_deduplicates
from ._claim_signing import VERIFY_MAC
from ._pipe_assembly import ClaimCheckPipeBase, EnrichmentSpec
from ._pipe_options import PipeOptions
from ._pipe_targets import PipeTarget, TargetKind
from ._prop_types import checked_props
from ._source import retention_seconds
from ._store_grants import reader_statements
from .runtime.contract import (
    DEFAULT_REDEEMED_GRACE_SECONDS,
    ENV_BUCKET_NAME,
    ENV_MAX_PAYLOAD_BYTES,
    ENV_REDEEMED_GRACE_SECONDS,
    ENV_TABLE_NAME,
    MAX_REDEEMED_GRACE_SECONDS,
    MIN_REDEEMED_GRACE_SECONDS,
    SQS_MAX_MESSAGE_BYTES,
    STEP_FUNCTIONS_INPUT_LIMIT_BYTES,
)
from .runtime.wire import CLAIM_CHECK_KEY, WIRE_VERSION
from .store import IClaimCheckStore

DEFAULT_DETAIL_TYPE = "ClaimCheckRedeemed"
CLAIM_CHECK_FILTER_PATTERNS = (
    {"body": {CLAIM_CHECK_KEY: {"v": [WIRE_VERSION]}}},
    {"body": {"detail": {CLAIM_CHECK_KEY: {"v": [WIRE_VERSION]}}}},
)
"""The retrieval's default source filter: claim checks bare or as an EventBridge event's ``detail``."""


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


def _grace_seconds(expire_after_retrieval: bool, redeemed_grace_period: Duration | None) -> int | None:
    """The grace period in seconds when expiry after retrieval is on, else None."""
    if not expire_after_retrieval:
        if redeemed_grace_period is not None:
            raise ValueError(
                "redeemed_grace_period is set but expire_after_retrieval=False, so claims keep their full "
                "time to live; set expire_after_retrieval=True or drop redeemed_grace_period"
            )
        return None
    if redeemed_grace_period is None:
        return DEFAULT_REDEEMED_GRACE_SECONDS
    seconds = redeemed_grace_period.to_seconds()
    if (
        Token.is_unresolved(seconds)
        or not MIN_REDEEMED_GRACE_SECONDS <= seconds <= MAX_REDEEMED_GRACE_SECONDS
    ):
        raise ValueError(
            f"redeemed_grace_period={seconds} seconds is outside {MIN_REDEEMED_GRACE_SECONDS} s..14 days "
            "(shorter would not cover Pipes' redelivery of a batch; no redelivery comes after 14 days); "
            "pass a Duration in that range"
        )
    return int(seconds)


def _retrieval_environment(
    store: IClaimCheckStore, grace_seconds: int | None, max_payload_bytes: int
) -> dict[str, str]:
    """The retrieval function's environment, per the runtime contract (docs/contract.md)."""
    environment = {ENV_TABLE_NAME: store.table.table_name, ENV_MAX_PAYLOAD_BYTES: str(max_payload_bytes)}
    if grace_seconds is not None:
        environment[ENV_REDEEMED_GRACE_SECONDS] = str(grace_seconds)
    if store.bucket is not None:
        environment[ENV_BUCKET_NAME] = store.bucket.bucket_name
    return environment


class ClaimCheckRetrievalPipe(ClaimCheckPipeBase):
    """SQS source of claim checks -> EventBridge pipe whose Lambda enrichment redeems them -> target.

    The target receives, per claim check and in order, the original payload (a JSON value when the
    body was JSON, otherwise the body string). Claim checks are accepted bare or inside an
    EventBridge event (the body an EventBridge rule delivers to SQS).

    Batching per target kind: event bus, SQS and SNS targets get one message per record (batch size
    at most 10); Lambda and Step Functions targets get the whole batch as one JSON array (6 MB for
    Lambda, 256 KiB of execution input for Step Functions). A FIFO queue target gets every payload
    in one message group, ``claim-check``, unless ``fifo_message_group_id`` names another group or a
    JSON path into the payload; it needs content-based deduplication.
    """

    _source_outlives_claims = True

    @checked_props
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: sqs.IQueue | None = None,
        store: IClaimCheckStore,
        target: PipeTarget,
        max_payload_size: Size | None = None,
        expire_after_retrieval: bool = False,
        redeemed_grace_period: Duration | None = None,
        **options: Unpack[PipeOptions],
    ) -> None:
        """Create the retrieval function, its pipe and their alarms.

        :param scope: parent construct.
        :param id: construct id.
        :param source: SQS queue carrying claim checks, created in the stack or imported. Default: None: the
            construct creates the source queue (``source_queue``, SSE-SQS or ``source_encryption_key``,
            TLS only, visibility timeout 6 x ``function_timeout``) and its DLQ (``source_dead_letter_queue``,
            maxReceiveCount 5, retention 14 days, at most the store's time to live).
        :param store: the store the split pipe wrote to: a ClaimCheckStore, or
            ``ClaimCheckStore.from_table(...)``.
        :param target: where the original payloads go: ``events.IEventBus``, ``sqs.IQueue``,
            ``sns.ITopic``, ``lambda_.IFunction`` or ``stepfunctions.IStateMachine``.
        :param max_payload_size: the largest original payload this pipe redeems. Default: 1 MiB (the SQS
            maximum). Bounds the batch size and the Step Functions input check, and every read of an
            object of its own (``object`` layout, SQS Extended Client pointers): a ranged GET of at most
            this many bytes, a larger object fails the batch ``too_large``.
        :param expire_after_retrieval: once a batch is redeemed, shorten each claim's expiry to
            ``redeemed_grace_period`` from then (never lengthen it), so the table's TTL and the bucket's
            lifecycle rule remove it early. Nothing is deleted: a batch that Pipes redelivers (its target
            delivery failed, or the function was stopped after the update) redeems exactly again within
            the grace period. Only right when each claim check has exactly one consumer. Grants
            ``dynamodb:UpdateItem`` on ``id`` and ``expires_at`` only. Default: False (claims live
            their full time to live).
        :param redeemed_grace_period: how long a redeemed claim stays redeemable when
            ``expire_after_retrieval`` is on. Default: 1 hour (Pipes' redeliveries of a failed target
            delivery: the source's visibility timeout times its maxReceiveCount, usually minutes, and
            time to redrive the DLQ after a transient failure). Range: 60 seconds..14 days.
        """
        super().__init__(scope, id, source=source, store=store, target=target, options=options)
        payload_bytes = _max_payload_bytes(max_payload_size)
        check_fifo_target_deduplicates(self._target)
        # The request holds the claim-check messages, the response the payloads: both share the 6 MB.
        record_bytes = max(self._source_facts.max_message_bytes, payload_bytes)
        batch_size = self._resolve_batch_size(
            record_bytes=record_bytes,
            record_bytes_origin=(
                "max_payload_size"
                if record_bytes == payload_bytes
                else "the source queue's maximum message size"
            ),
        )
        self._warn_if_step_functions_input_may_overflow(batch_size, payload_bytes)
        self._warn_if_claims_outlive_the_store()
        grace_seconds = _grace_seconds(expire_after_retrieval, redeemed_grace_period)
        statements = reader_statements(
            self,
            self._store,
            expire_after_retrieval=grace_seconds is not None,
            extended_client_buckets=self._extended_client_buckets,
        )
        self._build(
            EnrichmentSpec(
                handler=RETRIEVAL_HANDLER,
                description="Claim-check retrieval: redeems each claim check for its payload",
                environment=_retrieval_environment(self._store, grace_seconds, payload_bytes),
                function_statements=statements,
                claim_mac_action=VERIFY_MAC,
                batch_size=batch_size,
                default_detail_type=DEFAULT_DETAIL_TYPE,
                default_filter_patterns=CLAIM_CHECK_FILTER_PATTERNS,
            )
        )

    def _warn_if_step_functions_input_may_overflow(self, batch_size: int, payload_bytes: int) -> None:
        if (
            self._target.kind is TargetKind.STATE_MACHINE
            and batch_size * payload_bytes > STEP_FUNCTIONS_INPUT_LIMIT_BYTES
        ):
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:StepFunctionsInputMayOverflow",
                f"batch_size={batch_size} x up to {payload_bytes:,} bytes per payload may exceed the "
                "262,144-byte (256 KiB) Step Functions execution input, and such executions fail to start. "
                "Set max_payload_size (and batch_size) to what your payloads really are, or send the claim "
                "checks to the workflow as they are and redeem them in a task with ClaimCheckClient.redeem.",
            )

    def _warn_if_claims_outlive_the_store(self) -> None:
        """A claim check kept (or redriven from the DLQ) after the store's time to live is ``expired``."""
        ttl_seconds = int(self._store.time_to_live.to_seconds())
        queues = (self._source, self._source_dead_letter_queue)
        kept = [seconds for seconds in map(retention_seconds, queues) if seconds is not None]
        if kept and max(kept) > ttl_seconds:
            Annotations.of(self).add_warning_v2(
                "cdk-claim-check:ClaimsMayOutliveTheirPayloads",
                f"The source queue or its DLQ keeps messages for up to {max(kept):,} seconds, longer "
                f"than the store's time_to_live ({ttl_seconds:,} s): a claim check redeemed (or redriven "
                "from the DLQ) after that finds its payload expired. Raise the store's time_to_live or "
                "shorten the retention_period.",
            )
