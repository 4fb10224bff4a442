"""Fixtures of the fault cases: a fault proxy per test between the handlers and moto's server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fault_proxy import FaultProxy
from reliability_helpers import FUNCTION_TIMEOUT_SECONDS, MAX_ATTEMPTS, Harness, LambdaRunner

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

    settled: dict[str, str | None] = {}

    def configure(**overrides: str | None) -> None:
        # Cumulative: each call keeps what earlier calls of the test (and its fixtures) set.
        settled.update(overrides)
        env: dict[str, str | None] = {
            "AWS_ENDPOINT_URL": proxy.url,
            "AWS_MAX_ATTEMPTS": MAX_ATTEMPTS,
            "CLAIM_CHECK_TABLE_NAME": claim_check_resources.table_name,
            "CLAIM_CHECK_BUCKET_NAME": claim_check_resources.bucket_name,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "ClaimCheckFaults",
            # As the construct sets it: the runtime's client timeouts fit in the function's own.
            "CLAIM_CHECK_FUNCTION_TIMEOUT_SECONDS": str(FUNCTION_TIMEOUT_SECONDS),
            **settled,
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


@pytest.fixture(params=["runtime_gives_up_first", "lambda_stops_it"])
def held(request: pytest.FixtureRequest, harness: Harness) -> set[str]:
    """For an answer held past the function's timeout: the outcomes the rule allows.

    With the function's timeout in its environment (as the constructs set it) the runtime's client
    timeouts give up first, so the invocation returns or raises; without it, Lambda stops the
    function mid-call, which is where a write applied whose answer never came back would lose data.
    """
    if request.param == "lambda_stops_it":
        harness.configure(CLAIM_CHECK_FUNCTION_TIMEOUT_SECONDS=None)
        return {"timed_out"}
    return {"returned", "raised"}
