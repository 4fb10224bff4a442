"""Powertools Logger, Tracer and Metrics shared by the handlers.

Only the Powertools classes in use are imported (no event-source or batch utilities). The
Tracer is built on the first invocation, not at import: building it imports and patches the
X-Ray SDK, which takes longer than importing boto3 itself. With ``POWERTOOLS_TRACE_DISABLED=true``
it is never built. Logs never contain payload content: only ids, sizes, counts and reasons.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics, MetricUnit

from . import contract
from .contract import MetricName

if TYPE_CHECKING:
    from aws_lambda_powertools.tracing import Tracer

_Handler = TypeVar("_Handler", bound=Callable[[Any, Any], Any])

SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME") or contract.POWERTOOLS_SERVICE_NAME
METRICS_NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or contract.METRICS_NAMESPACE

logger = Logger(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

__all__ = ["MetricName", "count_failure", "logger", "metrics", "tag_invocation", "traced", "tracer"]


def tag_invocation(context: Any) -> None:
    """Give this invocation's metrics the function's name (dimension ``FunctionName``).

    Per invocation, from the Lambda context, not once per process: Powertools keeps its default
    dimensions on the class, so functions sharing a process (the local run) would share one name.
    """
    name = getattr(context, "function_name", None) or os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    if name:
        metrics.add_dimension(name=contract.METRIC_FUNCTION_DIMENSION, value=str(name))


def count_failure(name: str, reason: str) -> None:
    """Count one ``name`` failure with its ``Reason`` dimension.

    Only for a failing invocation, which emits no other metric: the dimension applies to every
    metric of the invocation's record, and Powertools drops it when the record is flushed.
    """
    metrics.add_dimension(name=contract.METRIC_REASON_DIMENSION, value=reason)
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def tracing_disabled() -> bool:
    """True when ``POWERTOOLS_TRACE_DISABLED`` is set to a true value (``true``, ``1``, ``yes``, ``on``)."""
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in ("true", "1", "yes", "y", "on")


@functools.cache
def tracer() -> Tracer | None:
    """The process-wide Tracer, built on first use; ``None`` when tracing is disabled."""
    if tracing_disabled():
        return None
    from aws_lambda_powertools.tracing import Tracer

    return Tracer(service=SERVICE_NAME)


def traced(handler: _Handler) -> _Handler:
    """``Tracer.capture_lambda_handler`` (response not captured: it is payload), applied on first call."""

    @functools.wraps(handler)
    def invoke(event: Any, context: Any) -> Any:
        active = tracer()
        if active is None:
            return handler(event, context)
        return _captured(active, handler)(event, context)

    return invoke  # type: ignore[return-value]


@functools.cache
def _captured(active: Tracer, handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    return active.capture_lambda_handler(handler, capture_response=False)
