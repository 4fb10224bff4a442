"""The designs the cost model compares: the sample's, and this library's in both S3 layouts."""

from __future__ import annotations

import math
from typing import Any

import boto3

from .baseline import (
    SAMPLE_BATCH_SIZE,
    SAMPLE_LAMBDA_ARCHITECTURE,
    SAMPLE_LAMBDA_MEMORY_MB,
    SampleDesign,
    restored_payload,
)
from .lambda_env import LAMBDA_SYNC_PAYLOAD_LIMIT, fresh_import
from .pipeline import REGION, Design, Resources

# The constructs' defaults (split_pipe.py / retrieval_pipe.py): batch 10, 256 MB, arm64, 7 days.
OUR_DEFAULT_BATCH_SIZE = 10
OUR_LAMBDA_MEMORY_MB = 256
OUR_LAMBDA_ARCHITECTURE = "arm64"
OUR_TTL_DAYS = 7
# The sample keeps items forever; the model charges one month of storage and says so.
BASELINE_STORAGE_MONTHS = 1.0
DAYS_PER_MONTH = 30
S3_LAYOUTS = ("packed", "object")

# Per-record bytes the Pipes SQS record adds around a body (ids, receipt handle, attributes).
_RECORD_ENVELOPE_BYTES = 1500


def batch_size_that_fits(pipes_record_bytes: int) -> int:
    """The largest batch <= the default whose enrichment request stays within Lambda's 6 MB.

    Above about 560 KB a batch of 10 bodies no longer fits one invocation, so a user of the
    constructs has to lower ``batch_size``; the benchmark does what that user would do.
    """
    fits = math.floor(LAMBDA_SYNC_PAYLOAD_LIMIT / (pipes_record_bytes + _RECORD_ENVELOPE_BYTES))
    return max(1, min(OUR_DEFAULT_BATCH_SIZE, fits))


def baseline_design(resources: Resources) -> Design:
    sample = SampleDesign(boto3.client("dynamodb", region_name=REGION), resources.table_name)
    return Design(
        name="baseline",
        split=sample.split,
        retrieval=sample.retrieval,
        restore=restored_payload,
        batch_size=SAMPLE_BATCH_SIZE,
        lambda_memory_mb=SAMPLE_LAMBDA_MEMORY_MB,
        lambda_architecture=SAMPLE_LAMBDA_ARCHITECTURE,
        storage_months=BASELINE_STORAGE_MONTHS,
    )


def runtime_environment(resources: Resources, layout: str) -> dict[str, str]:
    """The environment the constructs give both functions (docs/contract.md)."""
    return {
        "CLAIM_CHECK_TABLE_NAME": resources.table_name,
        "CLAIM_CHECK_BUCKET_NAME": resources.bucket_name,
        "CLAIM_CHECK_TTL_SECONDS": str(OUR_TTL_DAYS * 24 * 3600),
        "CLAIM_CHECK_S3_LAYOUT": layout,
        "POWERTOOLS_SERVICE_NAME": "claim-check",
        "POWERTOOLS_METRICS_NAMESPACE": "ClaimCheck",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def our_design(resources: Resources, layout: str, batch_size: int) -> Design:
    environ = runtime_environment(resources, layout)
    split = fresh_import("cdk_claim_check.runtime.split", "cdk_claim_check.runtime", environ)
    retrieval = fresh_import("cdk_claim_check.runtime.retrieval", "cdk_claim_check.runtime", environ)
    return Design(
        name=f"ours ({layout})",
        split=split.handler,
        retrieval=retrieval.handler,
        restore=_identity,
        batch_size=batch_size,
        lambda_memory_mb=OUR_LAMBDA_MEMORY_MB,
        lambda_architecture=OUR_LAMBDA_ARCHITECTURE,
        storage_months=OUR_TTL_DAYS / DAYS_PER_MONTH,
    )


def _identity(record: Any) -> Any:
    return record  # the retrieval returns the original payload itself (JSON bodies as JSON)
