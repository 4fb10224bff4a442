"""Dated us-east-1 on-demand list prices the cost model turns billed units into dollars with.

Kept as code, not fetched: a benchmark must give the same dollars for the same counts until
someone updates this table on purpose (and changes ``PRICES_AS_OF``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

PRICES_AS_OF = "2026-11-29"
PRICES_REGION = "us-east-1"
PRICES_SOURCE = (
    "AWS pricing pages for DynamoDB, S3, Lambda, SQS, EventBridge Pipes and EventBridge, "
    "as read on the date above"
)


@dataclass(frozen=True)
class PriceTable:
    """USD per billed unit (not per million), so that cost = units x price with no scaling."""

    dynamodb_write_unit: float = 0.625 / 1e6  # per write request unit (1 KB)
    dynamodb_read_unit: float = 0.125 / 1e6  # per read request unit (4 KB strongly consistent)
    dynamodb_storage_gb_month: float = 0.25
    s3_put: float = 5.0 / 1e6  # PUT, COPY, POST, LIST
    s3_get: float = 0.40 / 1e6  # GET and all other requests
    s3_storage_gb_month: float = 0.023
    lambda_request: float = 0.20 / 1e6
    lambda_gb_second_arm64: float = 0.0000133334
    lambda_gb_second_x86_64: float = 0.0000166667
    sqs_request_chunk: float = 0.40 / 1e6  # per 64 KB chunk of a request
    pipes_request_chunk: float = 0.40 / 1e6  # per 64 KB chunk of a batch entering a pipe
    eventbridge_event_chunk: float = 1.0 / 1e6  # per 64 KB chunk of a PutEvents entry
    xray_trace_recorded: float = 5.0 / 1e6  # per trace recorded (the free tier is left out)
    logs_ingestion_gb: float = 0.50  # CloudWatch Logs, standard class, per GB ingested
    logs_storage_gb_month: float = 0.03  # per GB archived and month (charged here on raw bytes)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


PRICES = PriceTable()

OBSERVABILITY_PRICES_AS_OF = "2026-12-05"
"""When the X-Ray, CloudWatch Logs and custom-metric prices were added (AWS X-Ray pricing: $5.00 per
million traces recorded, $0.50 per million retrieved or scanned, not charged here since nothing
reads them per message; CloudWatch pricing: logs $0.50 per GB ingested, $0.03 per GB-month stored,
custom metrics $0.30 per metric-month for the first 10,000)."""
CUSTOM_METRIC_MONTH_USD = 0.30
"""Per custom metric (name and dimension set) and month: a fixed cost, not a per-message one."""

# Claim authenticity (benchmarks/claim_mac.py), kept apart from the PriceTable of the pipeline runs.
KMS_PRICES_AS_OF = "2026-12-02"
KMS_REQUEST_USD = 0.03 / 1e4
"""Per KMS request (GenerateMac, VerifyMac): $0.03 per 10,000, the standard request price on the AWS
KMS pricing page (its exceptions are asymmetric-key and GenerateDataKeyPair requests); the 20,000
free requests a month are left out."""
KMS_KEY_MONTH_USD = 1.0
"""Per customer managed key (HMAC keys included) and month, prorated hourly."""

# Billing granularities (AWS rules), used by the cost model.
CHUNK_BYTES = 64 * 1024
DYNAMODB_WRITE_UNIT_BYTES = 1024
DYNAMODB_READ_UNIT_BYTES = 4096
DYNAMODB_ITEM_OVERHEAD_BYTES = 100  # per item, counted in storage only
GB = 1024**3
SECONDS_PER_MONTH = 30 * 24 * 3600
