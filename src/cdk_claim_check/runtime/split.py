"""Split enrichment: store each record's body, return one claim check per record, in order.

Handler string inside the Lambda asset: ``runtime.split.handler``. Any bad record fails the whole
batch (Pipes has no partial failure for enrichments) with an error naming the record; every
message then stays in the source queue, and after its retries in the source queue's DLQ.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from .batch import sqs_records
from .client import ClaimCheckClient, ClaimRequest, IssuedBatch
from .config import load_config
from .errors import ClaimCheckError
from .observability import MetricName, count_failure, logger, metrics, tag_invocation, traced


@cache
def _client() -> ClaimCheckClient:
    """The client, built from the environment once per execution environment (at cold start)."""
    return ClaimCheckClient.from_config(load_config())


@metrics.log_metrics
@traced
def handler(event: Any, context: Any) -> list[dict[str, Any]]:
    """Claim every record of a Pipes SQS batch; returns the claim checks in input order."""
    client = _client()
    logger.append_keys(function_request_id=getattr(context, "aws_request_id", None))
    tag_invocation(context)
    records: list[dict[str, Any]] = []
    try:
        records = sqs_records(event)
        issued = client.issue_batch(
            [
                ClaimRequest(
                    body=record["body"],
                    message_id=record["messageId"],
                    source_arn=str(record.get("eventSourceARN") or ""),
                    message_attributes=record.get("messageAttributes") or {},
                    message_group_id=(record.get("attributes") or {}).get("MessageGroupId"),
                )
                for record in records
            ]
        )
    except ClaimCheckError as error:
        logger.set_correlation_id(error.message_id)
        # The batch's message ids too: see the retrieval handler.
        logger.error(
            "split failed",
            extra={
                "reason": error.reason,
                "detail": error.detail,
                "position": error.position,
                "message_ids": _message_ids(records),
            },
        )
        count_failure(MetricName.SPLIT_FAILURES, error.reason)
        raise
    except Exception:
        # AWS or network failure: Pipes retries the whole batch; the message names no payload.
        logger.exception("split failed", extra={"message_ids": _message_ids(records)})
        raise
    _record(issued, [record["messageId"] for record in records])
    return issued.claim_checks


def _message_ids(records: list[dict[str, Any]]) -> list[str]:
    return [str(record.get("messageId")) for record in records if isinstance(record, dict)]


def _record(issued: IssuedBatch, message_ids: list[str]) -> None:
    for message_id, claim in zip(message_ids, issued.claim_checks, strict=True):
        logger.set_correlation_id(message_id)
        logger.debug(
            "claim issued",
            extra={"claim_id": claim["claimCheck"]["id"], "bytes": claim["claimCheck"]["bytes"]},
        )
    logger.set_correlation_id(message_ids[0] if message_ids else None)
    logger.info(
        "batch claimed",
        extra={
            "message_ids": message_ids,
            "inline": issued.inline_count,
            "offloaded": issued.overflow_count,
            "foreign": issued.foreign_count,
            "s3_puts": issued.s3_puts,
        },
    )
    metrics.add_metric(name=MetricName.CLAIMS_ISSUED, unit=MetricUnit.Count, value=len(message_ids))
    metrics.add_metric(name=MetricName.CLAIMS_INLINE, unit=MetricUnit.Count, value=issued.inline_count)
    metrics.add_metric(name=MetricName.CLAIMS_OFFLOADED, unit=MetricUnit.Count, value=issued.overflow_count)
    metrics.add_metric(name=MetricName.CLAIMS_FOREIGN, unit=MetricUnit.Count, value=issued.foreign_count)
    metrics.add_metric(name=MetricName.PAYLOAD_BYTES, unit=MetricUnit.Bytes, value=issued.payload_bytes)
    metrics.add_metric(name=MetricName.BYTES_STORED, unit=MetricUnit.Bytes, value=issued.stored_bytes)
    metrics.add_metric(name=MetricName.S3_PUTS, unit=MetricUnit.Count, value=issued.s3_puts)
    if issued.stored_bytes:
        ratio = issued.payload_bytes / issued.stored_bytes
        metrics.add_metric(name=MetricName.COMPRESSION_RATIO, unit=MetricUnit.NoUnit, value=ratio)
