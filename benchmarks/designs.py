"""The designs the cost model compares: the sample's, and this library's in both S3 layouts."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from cdk_claim_check.local.lambda_harness import import_handler
from cdk_claim_check.runtime.contract import (
    ENV_BUCKET_NAME,
    ENV_S3_LAYOUT,
    ENV_TABLE_NAME,
    ENV_TTL_SECONDS,
    PER_RECORD_TARGET_MAX_BATCH,
    POWERTOOLS_ENVIRONMENT,
    max_batch_for_enrichment,
)

from .baseline import (
    SAMPLE_BATCH_SIZE,
    SAMPLE_LAMBDA_ARCHITECTURE,
    SAMPLE_LAMBDA_MEMORY_MB,
    SampleDesign,
    restored_payload,
)
from .lambda_env import CODE_ROOT, RETRIEVAL_HANDLER, SPLIT_HANDLER
from .pipeline import REGION, Design, Resources
from .storage_time import dynamodb_storage_months, s3_storage_months

# The sample keeps items forever; the model charges one month of storage and says so.
BASELINE_STORAGE_MONTHS = 1.0
S3_LAYOUTS = ("packed", "object")


def batch_size_that_fits(pipes_record_bytes: int) -> int:
    """The constructs' default batch size for a bus target: 10, fewer when 10 records would not fit
    the 6 MB enrichment request (README "Batching per target kind", docs/contract.md)."""
    return min(PER_RECORD_TARGET_MAX_BATCH, max_batch_for_enrichment(pipes_record_bytes))


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
        s3_storage_months=BASELINE_STORAGE_MONTHS,
        traced=False,  # the sample's functions use the CDK default: no active tracing
    )


def runtime_environment(resources: Resources, layout: str, ttl_days: float = 7) -> dict[str, str]:
    """The environment the constructs give both functions (docs/contract.md)."""
    return {
        ENV_TABLE_NAME: resources.table_name,
        ENV_BUCKET_NAME: resources.bucket_name,
        ENV_TTL_SECONDS: str(int(ttl_days * 24 * 3600)),
        ENV_S3_LAYOUT: layout,
        **POWERTOOLS_ENVIRONMENT,  # the deployed log level (INFO): its lines are priced as log ingestion
    }


def our_design(
    resources: Resources, layout: str, batch_size: int, retrieval_batch_size: int | None = None
) -> Design:
    """Ours with the constructs' defaults; ``batch_size`` is the realized batch size of both pipes
    (``retrieval_batch_size``, default the same, the retrieval's alone)."""
    defaults = construct_defaults()
    environ = runtime_environment(resources, layout, defaults.ttl_days)
    split = import_handler(CODE_ROOT, SPLIT_HANDLER, environ)
    retrieval = import_handler(CODE_ROOT, RETRIEVAL_HANDLER, environ)
    return Design(
        name=f"ours ({layout})",
        split=split,
        retrieval=retrieval,
        restore=_identity,
        batch_size=batch_size,
        lambda_memory_mb=defaults.lambda_memory_mb,
        lambda_architecture=defaults.lambda_architecture,
        storage_months=dynamodb_storage_months(defaults.ttl_days),
        s3_storage_months=s3_storage_months(defaults.ttl_days),
        traced=True,  # the constructs always turn on active tracing
        retrieval_batch_size=retrieval_batch_size,
    )


def _identity(record: Any) -> Any:
    return record  # the retrieval returns the original payload itself (JSON bodies as JSON)
