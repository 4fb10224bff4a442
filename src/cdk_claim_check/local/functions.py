"""Lambda functions of the template, run in-process from their synthesized asset directories.

moto cannot run Lambda code without Docker, so the local run loads each function the way the
Lambda runtime would: the asset directory is the code root, the handler string names
``module.function`` inside it, and the process environment during import and every call is the
function's environment from the template (intrinsics resolved to the moto resources), plus the
variables Lambda itself sets and the endpoint of the moto server. Each function gets its own copy
of its modules (swapped in and out of ``sys.modules``), as two Lambda functions built from one
asset do not share module state, such as configuration read once at cold start.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import io
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from .lambda_harness import (
    FAKE_CREDENTIALS,
    LambdaContext,
    import_handler,
    not_in_lambda_hidden,
    patched_environ,
)

# One function runs at a time: the process environment and sys.modules are shared state.
_RUN_LOCK = threading.RLock()


class FunctionError(RuntimeError):
    """The function's handler raised: the invocation failed as it would in Lambda."""

    def __init__(self, function_name: str, error: BaseException) -> None:
        super().__init__(f"{function_name}: {type(error).__name__}: {error}")
        self.function_name = function_name
        self.error = error


class FunctionTimeout(FunctionError):
    """The handler did not return within the function's timeout: Lambda stops such an invocation."""

    def __init__(self, function_name: str, timeout_seconds: int) -> None:
        error = TimeoutError(f"Task timed out after {timeout_seconds} seconds")
        super().__init__(function_name, error)
        self.timeout_seconds = timeout_seconds


class _HandlerOutput(io.TextIOBase):
    """Where handler output goes: the run's log file while a run is active, nowhere otherwise.

    Loggers created at a handler's cold start keep the stream they were given; this object stays
    valid after a run ends, so they never write to a closed file.
    """

    sink: TextIO | None = None
    captured: list[str] | None = None
    """While a function runs, what it writes (its CloudWatch Logs lines, as Lambda would ship them)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.sink is not None:
            self.sink.write(text)
        if self.captured is not None:
            self.captured.append(text)
        return len(text)

    def flush(self) -> None:
        if self.sink is not None:
            self.sink.flush()


HANDLER_OUTPUT = _HandlerOutput()


class LocalFunction:
    """One ``AWS::Lambda::Function`` whose code is an asset, invoked in-process."""

    def __init__(
        self,
        *,
        logical_id: str,
        name: str,
        arn: str,
        handler: str,
        code_dir: Path,
        environment: Mapping[str, str],
        timeout_seconds: int = 3,
        memory_mb: int = 128,
        log_writer: Callable[[list[str]], None] | None = None,
    ) -> None:
        """``log_writer`` (default none) receives each invocation's output lines, as Lambda sends them
        to the function's log group."""
        self.logical_id = logical_id
        self.name = name
        self.arn = arn
        self.handler = handler
        self.code_dir = code_dir
        self.environment = dict(environment)
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self.log_writer = log_writer
        self._modules: dict[str, ModuleType] = {}
        self._handler_function: Any = None
        self.timeouts = 0
        """Invocations stopped at the function's timeout (each one's sandbox is dropped: cold start next)."""

    @property
    def _module_name(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    def _owns(self, module: ModuleType) -> bool:
        module_file = getattr(module, "__file__", None)
        return isinstance(module_file, str) and module_file.startswith(f"{self.code_dir}{os.sep}")

    @contextlib.contextmanager
    def _activated(self) -> Iterator[None]:
        """This function's modules and code root in place, its environment set, output captured."""
        top = self._module_name.split(".")[0]
        displaced = {name: module for name, module in sys.modules.items() if name.split(".")[0] == top}
        for name in displaced:
            del sys.modules[name]
        sys.modules.update(self._modules)
        sys.path.insert(0, str(self.code_dir))
        try:
            with (
                not_in_lambda_hidden(),
                patched_environ(self.environment),
                contextlib.redirect_stdout(HANDLER_OUTPUT),
                contextlib.redirect_stderr(HANDLER_OUTPUT),
            ):
                yield
        finally:
            sys.path.remove(str(self.code_dir))
            for name, module in list(sys.modules.items()):
                if self._owns(module) or name.split(".")[0] == top:
                    self._modules[name] = module
                    del sys.modules[name]
            sys.modules.update(displaced)
            importlib.invalidate_caches()

    @contextlib.contextmanager
    def _logs_shipped(self) -> Iterator[None]:
        """Hand what the invocation wrote to ``log_writer`` once it ends (whether it failed or not)."""
        if self.log_writer is None:
            yield
            return
        captured: list[str] = []
        HANDLER_OUTPUT.captured = captured
        try:
            yield
        finally:
            HANDLER_OUTPUT.captured = None
            lines = [line for line in "".join(captured).splitlines() if line.strip()]
            if lines:
                self.log_writer(lines)

    def _load(self) -> Any:
        if self._handler_function is None:
            self._handler_function = import_handler(self.code_dir, self.handler, self.environment)
        return self._handler_function

    @property
    def handler_file(self) -> str | None:
        """The file of the handler's module, once the handler has been loaded (by a first invoke)."""
        module = sys.modules.get(self._module_name) or self._modules.get(self._module_name)
        return getattr(module, "__file__", None)

    def invoke(self, event: Any) -> Any:
        """Call the handler with ``event`` as Lambda would (JSON in, JSON out).

        Raises :class:`FunctionError` when the handler raises, and :class:`FunctionTimeout` when it
        has not returned within the function's timeout (``timeout_seconds``, from the template). The
        handler runs in a worker thread; a stopped one is abandoned (it may still finish in the
        background, as nothing can kill a thread) and the function starts cold on its next call, as
        Lambda replaces the execution environment of an invocation that timed out.
        """
        payload = json.loads(json.dumps(event))
        with _RUN_LOCK, self._activated(), self._logs_shipped():
            context = LambdaContext(
                function_name=self.name,
                invoked_function_arn=self.arn,
                memory_limit_in_mb=self.memory_mb,
                timeout_seconds=self.timeout_seconds,
            )
            handler = self._load()
            outcome: list[tuple[bool, Any]] = []

            def run() -> None:
                try:
                    outcome.append((True, handler(payload, context)))
                except Exception as error:
                    outcome.append((False, error))

            worker = threading.Thread(target=run, name=f"lambda-{self.name}", daemon=True)
            worker.start()
            worker.join(context.get_remaining_time_in_millis() / 1000)
            if not outcome:
                self.timeouts += 1
                self._modules.clear()
                self._handler_function = None
                raise FunctionTimeout(self.name, self.timeout_seconds)
            returned, result = outcome[0]
            if not returned:
                raise FunctionError(self.name, result) from result
        return json.loads(json.dumps(result)) if result is not None else None


def lambda_environment(
    function_env: Mapping[str, str],
    *,
    name: str,
    region: str,
    endpoint_url: str,
    memory_mb: int,
    code_dir: Path,
) -> dict[str, str]:
    """The process environment a function sees: its own variables plus what Lambda and the local run add."""
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        **FAKE_CREDENTIALS,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "LAMBDA_TASK_ROOT": str(code_dir),
        **{key: str(value) for key, value in function_env.items()},
        # Every AWS call the handler makes goes to the moto server, never to AWS.
        "AWS_ENDPOINT_URL": endpoint_url,
        # No X-Ray daemon locally: the Tracer would only warn about a missing segment.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_XRAY_SDK_ENABLED": "false",
    }
