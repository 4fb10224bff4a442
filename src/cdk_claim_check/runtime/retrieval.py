"""Retrieval enrichment: redeem each record's claim check, return the payloads in order.

Handler string inside the Lambda asset: ``runtime.retrieval.handler``. A record body may be the
claim check itself or an EventBridge event holding it in ``detail`` (what a rule delivers to
SQS). Each payload comes back as the parsed JSON value for a JSON object or array body, else as
the body string. A missing, expired, tampered or unknown-version claim check fails the batch with
an error naming the record; Pipes retries it and the source queue's DLQ keeps it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from .batch import sqs_records
from .client import ClaimCheckClient, RedeemedPayload
from .config import RuntimeConfig, load_config
from .errors import MISS_REASONS, ClaimCheckError
from .observability import MetricName, count_failure, logger, metrics, tag_invocation, traced
from .response_limit import check_enrichment_response
from .storage import call_timeouts


@cache
def _runtime() -> tuple[RuntimeConfig, ClaimCheckClient]:
    """Config and client, built from the environment once per execution environment (at cold start)."""
    config = load_config()
    return config, ClaimCheckClient.from_config(config)


@metrics.log_metrics
@traced
def handler(event: Any, context: Any) -> list[Any]:
    """Redeem every claim check of a Pipes SQS batch; returns the original payloads in input order."""
    config, client = _runtime()
    logger.append_keys(function_request_id=getattr(context, "aws_request_id", None))
    tag_invocation(context)
    message_ids: list[str] = []
    try:
        records = sqs_records(event)
        message_ids = [record["messageId"] for record in records]
        payloads = client.redeem_batch([record["body"] for record in records], message_ids=message_ids)
        values = [payload.value for payload in payloads]
        check_enrichment_response(values, message_ids, [payload.body for payload in payloads])
    except ClaimCheckError as error:
        logger.set_correlation_id(error.message_id)
        # The batch's message ids too: every one of them goes back to the queue (and its DLQ) for
        # this record, and `cdk-claim-check dlq list` finds each one's reason by its id.
        logger.error(
            "retrieval failed",
            extra={
                "reason": error.reason,
                "detail": error.detail,
                "position": error.position,
                "message_ids": message_ids,
            },
        )
        missed = error.reason in MISS_REASONS
        count_failure(MetricName.CLAIM_MISSES if missed else MetricName.CLAIMS_REJECTED, error.reason)
        raise
    except Exception:
        # AWS or network failure: Pipes retries the whole batch; the message names no payload.
        logger.exception("retrieval failed", extra={"message_ids": message_ids})
        raise
    logger.set_correlation_id(message_ids[0] if message_ids else None)
    # Only once the whole response is known to be deliverable.
    expired = config.redeemed_grace_seconds is not None and _expire(config, client, payloads, context)
    logger.info("batch redeemed", extra={"message_ids": message_ids, "expiry_shortened": expired})
    metrics.add_metric(name=MetricName.CLAIMS_REDEEMED, unit=MetricUnit.Count, value=len(payloads))
    redeemed_bytes = sum(len(payload.body.encode()) for payload in payloads)
    metrics.add_metric(name=MetricName.REDEEMED_BYTES, unit=MetricUnit.Bytes, value=redeemed_bytes)
    return values


def _expire(
    config: RuntimeConfig, client: ClaimCheckClient, payloads: list[RedeemedPayload], context: Any
) -> bool:
    """Shorten the redeemed claims' expiry to the grace period; a failure is logged and counted, never raised.

    Nothing is deleted, so whatever happens here (a failure, an answer that never comes back, the
    function stopped at its timeout) leaves every claim redeemable by a redelivered batch until the
    grace period ends. Each claim's update is one attempt, and none is started with less time left
    than two attempts: failing the batch at its timeout would only make Pipes deliver it again.
    Skipped claims expire by their TTL.
    """
    assert config.redeemed_grace_seconds is not None
    claim_ids = [payload.claim_id for payload in payloads]
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    # One attempt of one call (its connect and read timeouts), and that again as a margin.
    margin_ms = 2000 * sum(call_timeouts(config.function_timeout_seconds))

    def has_time() -> bool:
        return remaining is None or remaining() >= margin_ms

    try:
        skipped = client.expire(payloads, config.redeemed_grace_seconds, has_time=has_time)
    except Exception:
        logger.exception(
            "expiry of redeemed claims not shortened; they expire by TTL", extra={"claim_ids": claim_ids}
        )
        metrics.add_metric(name=MetricName.EXPIRY_FAILURES, unit=MetricUnit.Count, value=1)
        return False
    if skipped:
        logger.warning(
            "expiry of some redeemed claims not shortened: too little time left; they expire by TTL",
            extra={"claim_ids": claim_ids, "skipped": skipped},
        )
        metrics.add_metric(name=MetricName.EXPIRY_SKIPPED, unit=MetricUnit.Count, value=skipped)
        return False
    metrics.add_metric(name=MetricName.CLAIMS_EXPIRED, unit=MetricUnit.Count, value=len(payloads))
    return True
