"""The designs the cost model compares: the sample's, and this library's in both S3 layouts."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from functools import cache
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

# The pipes' default batch size for a bus target (docs/DESIGN.md); fewer when 6 MB is exceeded.
OUR_DEFAULT_BATCH_SIZE = 10
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


@dataclass(frozen=True)
class ConstructDefaults:
    """What the constructs give the functions when the user passes nothing (read from their signatures)."""

    lambda_memory_mb: int
    lambda_architecture: str
    ttl_days: float


@cache
def construct_defaults() -> ConstructDefaults:
    # Imported here: it starts the jsii runtime, which the cost runs need only for these values.
    from cdk_claim_check._pipe_options import PIPE_OPTION_DEFAULTS
    from cdk_claim_check.store import ClaimCheckStore

    memory = PIPE_OPTION_DEFAULTS["function_memory_size"]
    architecture = PIPE_OPTION_DEFAULTS["function_architecture"].name
    ttl_days = inspect.signature(ClaimCheckStore.__init__).parameters["time_to_live"].default.to_days()
    return ConstructDefaults(int(memory), str(architecture), float(ttl_days))


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


def runtime_environment(resources: Resources, layout: str, ttl_days: float = 7) -> dict[str, str]:
    """The environment the constructs give both functions (docs/contract.md)."""
    return {
        "CLAIM_CHECK_TABLE_NAME": resources.table_name,
        "CLAIM_CHECK_BUCKET_NAME": resources.bucket_name,
        "CLAIM_CHECK_TTL_SECONDS": str(int(ttl_days * 24 * 3600)),
        "CLAIM_CHECK_S3_LAYOUT": layout,
        "POWERTOOLS_SERVICE_NAME": "claim-check",
        "POWERTOOLS_METRICS_NAMESPACE": "ClaimCheck",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def our_design(resources: Resources, layout: str, batch_size: int) -> Design:
    defaults = construct_defaults()
    environ = runtime_environment(resources, layout, defaults.ttl_days)
    split = fresh_import("cdk_claim_check.runtime.split", "cdk_claim_check.runtime", environ)
    retrieval = fresh_import("cdk_claim_check.runtime.retrieval", "cdk_claim_check.runtime", environ)
    return Design(
        name=f"ours ({layout})",
        split=split.handler,
        retrieval=retrieval.handler,
        restore=_identity,
        batch_size=batch_size,
        lambda_memory_mb=defaults.lambda_memory_mb,
        lambda_architecture=defaults.lambda_architecture,
        storage_months=defaults.ttl_days / DAYS_PER_MONTH,
    )


def _identity(record: Any) -> Any:
    return record  # the retrieval returns the original payload itself (JSON bodies as JSON)
