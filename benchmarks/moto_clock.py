"""How much CPU time moto spends emulating AWS, so handler durations can leave it out.

In-process moto answers each request inside the caller's thread (a ``before-send`` hook), so a
handler's CPU time includes moto's work on a 200 KB DynamoDB item, which real DynamoDB does on
its own servers. Real Lambda bills the wait for AWS instead, which moto cannot tell us; the
cost model bills the handler's own work (including botocore's serialising and signing) only.
"""

from __future__ import annotations

import time
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber

_spent = [0.0]
_original_call = BotocoreStubber.__call__


# thread_time per call: the runtime's worker threads call moto concurrently, and each call's own
# thread is what moto's work runs on.
def _timed_call(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
    started = time.thread_time()
    try:
        return _original_call(self, *args, **kwargs)
    finally:
        _spent[0] += time.thread_time() - started


def install() -> None:
    BotocoreStubber.__call__ = _timed_call  # type: ignore[method-assign]


def moto_cpu_seconds() -> float:
    """CPU seconds moto has spent answering requests since install()."""
    return _spent[0]
