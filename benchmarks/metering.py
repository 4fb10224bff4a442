"""Counts every AWS request a piece of code makes, with the bytes it sent and received.

The hooks sit on botocore's event system (``before-parameter-build``, ``before-call``,
``after-call``), installed into ``botocore.handlers.BUILTIN_HANDLERS`` so that every client any
session creates afterwards carries them, including clients the runtime creates at import time
in its own way. They record only while a :class:`RequestMeter` is active.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers

_CONTEXT_KEY = "claim_check_benchmark_call"


@dataclass
class AwsCall:
    """One AWS request as the client made it: api parameters, wire sizes and the parsed reply."""

    service: str
    operation: str
    params: dict[str, Any]
    request_bytes: int = 0
    response_bytes: int = 0
    parsed: dict[str, Any] = field(default_factory=dict)
    error_code: str | None = None


@dataclass
class RequestMeter:
    calls: list[AwsCall] = field(default_factory=list)

    def operations(self) -> Counter[str]:
        return Counter(f"{call.service}.{call.operation}" for call in self.calls)

    def of(self, service: str, *operations: str) -> list[AwsCall]:
        return [
            c for c in self.calls if c.service == service and (not operations or c.operation in operations)
        ]


_active: list[RequestMeter] = []


def _body_length(body: object) -> int:
    if body is None:
        return 0
    if isinstance(body, bytes | bytearray):
        return len(body)
    if isinstance(body, str):
        return len(body.encode("utf-8"))
    if isinstance(body, io.IOBase) and body.seekable():
        position = body.tell()
        end = body.seek(0, io.SEEK_END)
        body.seek(position)
        return end - position
    return 0


def _on_parameters(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    if not _active:
        return
    call = AwsCall(service=model.service_model.service_name, operation=model.name, params=dict(params))
    context[_CONTEXT_KEY] = call
    for meter in _active:
        meter.calls.append(call)


def _on_request(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    call = context.get(_CONTEXT_KEY)
    if isinstance(call, AwsCall):
        call.request_bytes = _body_length(params.get("body"))


def _on_response(
    http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
) -> None:
    call = context.get(_CONTEXT_KEY)
    if not isinstance(call, AwsCall):
        return
    if isinstance(parsed.get("Messages"), list):
        # A copy of each received message as SQS sent it: a wrapping client (the SQS Extended Client)
        # replaces bodies in the reply afterwards, and SQS billed what it sent.
        parsed = {**parsed, "Messages": [dict(message) for message in parsed["Messages"]]}
    call.parsed = parsed
    call.error_code = (parsed.get("Error") or {}).get("Code")
    length = http_response.headers.get("content-length")
    if length is not None:
        call.response_bytes = int(length)
    elif not model.has_streaming_output:  # reading a stream here would empty it for the caller
        call.response_bytes = len(http_response.content or b"")


_HOOKS = (
    ("before-parameter-build", _on_parameters),
    ("before-call", _on_request),
    ("after-call", _on_response),
)


def install() -> None:
    """Make every botocore session created from now on carry the hooks (idempotent)."""
    for hook in _HOOKS:
        if hook not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(hook)


def attach(events: Any) -> None:
    """Register the hooks on an existing session's or client's event system."""
    for event_name, handler in _HOOKS:
        events.register(event_name, handler, unique_id=f"claim-check-benchmark-{event_name}")


@contextmanager
def metered() -> Iterator[RequestMeter]:
    meter = RequestMeter()
    _active.append(meter)
    try:
        yield meter
    finally:
        _active.remove(meter)
