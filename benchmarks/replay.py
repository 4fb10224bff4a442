"""Record the HTTP replies moto gives a piece of code, then replay them with no emulator at all.

Timing a handler against moto would time moto. Replaying recorded replies keeps everything the
handler really does in Lambda (its own work, botocore's serialising, signing and parsing) and
drops the service's side: the same stub serves the handler and the bare put/get it is compared to.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import botocore.handlers
from botocore.awsrequest import AWSResponse, HTTPHeaders


@dataclass(frozen=True)
class RecordedReply:
    operation: str
    status_code: int
    headers: dict[str, str]
    body: bytes


class _ReplayBody(io.BytesIO):
    """What botocore expects of a raw urllib3 response: ``stream()`` and ``read()``."""

    def stream(self, amt: int = 65536, decode_content: bool = False) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


_recording: list[list[RecordedReply]] = []
_replaying: list[deque[RecordedReply]] = []


def _record(http_response: Any, model: Any, **_: Any) -> None:
    if not _recording:
        return
    raw = http_response.raw
    if model.has_streaming_output and hasattr(raw, "seek"):
        position = raw.tell()
        body = raw.read()
        raw.seek(position)  # leave the stream for the caller to read
    else:
        body = http_response.content or b""
    reply = RecordedReply(model.name, http_response.status_code, dict(http_response.headers), body)
    _recording[-1].append(reply)


def _replay(request: Any, **_: Any) -> AWSResponse | None:
    if not _replaying:
        return None
    replies = _replaying[-1]
    if not replies:
        raise RuntimeError(f"no recorded reply left for {request.method} {request.url}")
    reply = replies.popleft()
    return AWSResponse(
        request.url, reply.status_code, HTTPHeaders.from_dict(reply.headers), _ReplayBody(reply.body)
    )


def install() -> None:
    """Add the hooks to every botocore session created from now on (after moto's own stub)."""
    for hook in (("after-call", _record), ("before-send", _replay)):
        if hook not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(hook)


@contextmanager
def recording() -> Iterator[list[RecordedReply]]:
    replies: list[RecordedReply] = []
    _recording.append(replies)
    try:
        yield replies
    finally:
        _recording.remove(replies)


@contextmanager
def replaying(replies: list[RecordedReply]) -> Iterator[deque[RecordedReply]]:
    """Serve ``replies`` in order; a request beyond them fails instead of leaving the machine."""
    queue = deque(replies)
    _replaying.append(queue)
    try:
        yield queue
    finally:
        _replaying.remove(queue)
