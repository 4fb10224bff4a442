"""The local run stops an enrichment function at its configured timeout, as Lambda does."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cdk_claim_check.local.functions import FunctionError, FunctionTimeout, LocalFunction

HANDLER = """
import time
CALLS = []

def handler(event, context):
    CALLS.append(event)
    time.sleep(event["sleep"])
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"calls": len(CALLS)}
"""


@pytest.fixture
def sleepy(tmp_path: Path) -> LocalFunction:
    (tmp_path / "sleepy.py").write_text(HANDLER, encoding="utf-8")
    return LocalFunction(
        logical_id="Sleepy",
        name="sleepy",
        arn="arn:aws:lambda:us-east-1:123456789012:function:sleepy",
        handler="sleepy.handler",
        code_dir=tmp_path,
        environment={},
        timeout_seconds=1,
    )


def test_local_function_past_its_timeout_is_stopped_and_counted(sleepy: LocalFunction) -> None:
    assert sleepy.invoke({"sleep": 0}) == {"calls": 1}
    started = time.monotonic()
    with pytest.raises(FunctionTimeout, match="timed out after 1 seconds"):
        sleepy.invoke({"sleep": 2})
    assert time.monotonic() - started < 1.8
    assert sleepy.timeouts == 1
    # The execution environment was replaced: a cold start, module state begins again.
    assert sleepy.invoke({"sleep": 0}) == {"calls": 1}


def test_local_function_error_within_its_timeout_is_a_function_error(sleepy: LocalFunction) -> None:
    with pytest.raises(FunctionError, match="asked to fail") as raised:
        sleepy.invoke({"sleep": 0, "fail": True})
    assert not isinstance(raised.value, FunctionTimeout)
    assert sleepy.timeouts == 0
