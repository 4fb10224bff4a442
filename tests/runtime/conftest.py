"""Fixtures for the runtime tests: handlers configured against the moto server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from runtime_helpers import LambdaContext

from _runtime_env import apply_environment, reset_runtime_caches
from cdk_claim_check.local.lambda_harness import ACCOUNT
from cdk_claim_check.runtime import storage


@pytest.fixture(autouse=True)
def _caller_account_is_motos(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients given explicit moto clients would ask the real STS for the bucket owner: answer as moto."""
    monkeypatch.setattr(storage, "caller_account", lambda: ACCOUNT)


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext(function_name="claim-check-test")


@pytest.fixture
def configure_runtime(
    claim_check_resources: Any, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., None]]:
    """Sets the environment contract for the handlers (table and bucket of this test, plus overrides).

    Call it with ``VARIABLE=value`` overrides (``None`` unsets one); the handlers read the
    environment again on their next call, as a fresh cold start would.
    """

    def configure(**overrides: str | None) -> None:
        env: dict[str, str | None] = {
            "CLAIM_CHECK_TABLE_NAME": claim_check_resources.table_name,
            "CLAIM_CHECK_BUCKET_NAME": claim_check_resources.bucket_name,
            "POWERTOOLS_TRACE_DISABLED": "true",
            **overrides,
        }
        apply_environment(monkeypatch, env)

    configure()
    yield configure
    reset_runtime_caches()
