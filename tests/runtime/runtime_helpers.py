"""Helpers for the runtime tests: SQS records as Pipes delivers them, and a Lambda context.

Both come from the package's Lambda harness (``cdk_claim_check.local.lambda_harness``), which the
local run and the benchmarks use too.
"""

from __future__ import annotations

import json
from typing import Any

from cdk_claim_check.local.lambda_harness import DEFAULT_SOURCE_ARN, LambdaContext, sqs_record

SOURCE_ARN = DEFAULT_SOURCE_ARN

__all__ = ["SOURCE_ARN", "LambdaContext", "claims_batch", "sqs_record"]


def claims_batch(claim_checks: list[Any]) -> list[dict[str, Any]]:
    """A retrieval batch: SQS records whose bodies are the given claim checks (as JSON)."""
    return [sqs_record(json.dumps(check)) for check in claim_checks]
