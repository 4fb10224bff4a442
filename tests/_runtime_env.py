"""The handlers' environment in tests: set it as a cold start would see it, and forget what was cached."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cdk_claim_check.runtime import observability, retrieval, split, storage


def reset_runtime_caches() -> None:
    """A cold start: the handlers' clients and configuration are built again on their next call."""
    split._client.cache_clear()
    retrieval._runtime.cache_clear()
    storage.default_dynamodb_client.cache_clear()
    storage.default_s3_client.cache_clear()
    storage.default_kms_client.cache_clear()
    observability.tracer.cache_clear()


def apply_environment(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str | None]) -> None:
    """Set each variable (``None`` unsets it), then reset the runtime's caches."""
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    reset_runtime_caches()
