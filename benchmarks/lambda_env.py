"""The process the benchmarks run in: fake credentials, so no client ever reaches a real account.

The Lambda context, the Pipes records and the Lambda-like import are the package's harness
(``cdk_claim_check.local.lambda_harness``), shared with the local run and the tests.
"""

from __future__ import annotations

import os
from pathlib import Path

from cdk_claim_check.local.lambda_harness import FAKE_CREDENTIALS, REGION

FAKE_AWS_ENV = {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}

CODE_ROOT = Path(__file__).resolve().parents[1] / "src" / "cdk_claim_check"
"""The functions' code root as the constructs ship it: ``runtime/`` is its only package we import."""
SPLIT_HANDLER = "runtime.split.handler"
RETRIEVAL_HANDLER = "runtime.retrieval.handler"


def use_fake_aws_credentials() -> None:
    """Never reach a real AWS account: every client gets dummy keys (moto accepts any)."""
    os.environ.update(FAKE_AWS_ENV)
