"""Fixtures of the fault cases: a fault proxy per test between the handlers and moto's server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fault_proxy import FaultProxy
from reliability_helpers import MAX_ATTEMPTS, Harness, LambdaRunner

from _runtime_env import apply_environment, reset_runtime_caches


@pytest.fixture
def proxy(moto_server: str) -> Iterator[FaultProxy]:
    with FaultProxy(moto_server) as started:
        yield started


@pytest.fixture
def harness(
    proxy: FaultProxy, claim_check_resources: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    """Handlers configured against this test's table and bucket, every call through the proxy."""

    def configure(**overrides: str | None) -> None:
        env: dict[str, str | None] = {
            "AWS_ENDPOINT_URL": proxy.url,
            "AWS_MAX_ATTEMPTS": MAX_ATTEMPTS,
            "CLAIM_CHECK_TABLE_NAME": claim_check_resources.table_name,
            "CLAIM_CHECK_BUCKET_NAME": claim_check_resources.bucket_name,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "ClaimCheckFaults",
            **overrides,
        }
        apply_environment(monkeypatch, env)

    configure()
    runner = LambdaRunner(proxy=proxy)
    yield Harness(proxy, runner, claim_check_resources, configure)
    proxy.clear()
    for straggler in runner.stragglers:
        straggler.join(15)
    assert not [thread for thread in runner.stragglers if thread.is_alive()], (
        "a timed-out handler never ended"
    )
    reset_runtime_caches()


@pytest.fixture
def configure(harness: Harness) -> Callable[..., None]:
    return harness.configure
