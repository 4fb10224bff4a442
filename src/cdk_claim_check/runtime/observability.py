"""Powertools Logger, Tracer and Metrics shared by the handlers.

Only the three Powertools classes are imported (no event-source or batch utilities), and the
Tracer loads the X-Ray SDK only when tracing is enabled (inside Lambda), keeping cold imports
light. Logs never contain payload content: only ids, sizes and placements.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME") or "claim-check"
METRICS_NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "ClaimCheck"

logger = Logger(service=SERVICE_NAME)
tracer = Tracer(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)


class MetricName:
    """The CloudWatch metric names the handlers emit (namespace ``POWERTOOLS_METRICS_NAMESPACE``)."""

    CLAIMS_ISSUED = "ClaimsIssued"
    CLAIMS_INLINE = "ClaimsInline"
    CLAIMS_OFFLOADED = "ClaimsOffloaded"
    CLAIMS_FOREIGN = "ClaimsForeignPointer"
    PAYLOAD_BYTES = "PayloadBytes"
    BYTES_STORED = "BytesStored"
    COMPRESSION_RATIO = "CompressionRatio"
    S3_PUTS = "S3PutRequests"
    SPLIT_FAILURES = "SplitFailures"
    CLAIMS_REDEEMED = "ClaimsRedeemed"
    REDEEMED_BYTES = "RedeemedBytes"
    CLAIM_MISSES = "ClaimMisses"
    CLAIMS_REJECTED = "ClaimsRejected"
    CLAIMS_DELETED = "ClaimsDeleted"
