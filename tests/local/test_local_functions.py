"""Functions run in-process from their asset directory, each with its own environment and module state."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from cdk_claim_check.local.functions import HANDLER_OUTPUT, FunctionError, LocalFunction

ASSET = Path(__file__).resolve().parent / "apps" / "state_asset"


def _function(name: str, greeting: str) -> LocalFunction:
    return LocalFunction(
        logical_id=name,
        name=name,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        handler="stateful.handler",
        code_dir=ASSET,
        environment={"GREETING": greeting},
        timeout_seconds=30,
    )


def test_two_functions_from_one_asset_keep_their_own_cold_start_state() -> None:
    hello, bonjour = _function("Hello", "hello"), _function("Bonjour", "bonjour")
    assert hello.invoke({"n": 1}) == {
        "greeting": "hello",
        "calls": 1,
        "remaining_ms": pytest.approx(30_000, abs=5_000),
    }
    assert bonjour.invoke({"n": 1})["greeting"] == "bonjour"
    assert hello.invoke({"n": 2})["calls"] == 2  # module state survives between calls of one function
    assert bonjour.invoke({"n": 2})["calls"] == 2


def test_asset_modules_and_environment_do_not_leak_into_the_process() -> None:
    _function("Leak", "hi").invoke({})
    assert "stateful" not in sys.modules
    assert str(ASSET) not in sys.path
    assert "GREETING" not in __import__("os").environ


def test_a_raising_handler_fails_the_invocation_with_its_error() -> None:
    with pytest.raises(FunctionError, match="Failing: RuntimeError: asked to fail"):
        _function("Failing", "x").invoke("fail")


def test_handler_output_goes_to_the_run_log_not_the_terminal() -> None:
    sink = io.StringIO()
    HANDLER_OUTPUT.sink = sink
    try:
        _function("Chatty", "hey").invoke({})
    finally:
        HANDLER_OUTPUT.sink = None
    assert "hey from Chatty" in sink.getvalue()


def test_a_handler_cannot_import_what_is_not_in_its_asset_as_in_lambda() -> None:
    leaky = LocalFunction(
        logical_id="Leaky",
        name="Leaky",
        arn="arn:aws:lambda:us-east-1:123456789012:function:Leaky",
        handler="leaky.handler",
        code_dir=ASSET,
        environment={},
    )
    with pytest.raises(FunctionError, match="ModuleNotFoundError: No module named 'cdk_claim_check"):
        leaky.invoke({})
    assert "cdk_claim_check.local.functions" in sys.modules  # hidden only while the handler ran
