"""What a Lambda invocation sees, for running handlers outside Lambda: context and cold imports."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

Handler = Callable[[Any, Any], Any]

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@dataclass
class FakeLambdaContext:
    function_name: str = "benchmark"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:benchmark"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/benchmark"
    log_stream_name: str = "benchmark"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def use_fake_aws_credentials() -> None:
    """Never reach a real AWS account: every client gets dummy keys (moto accepts any)."""
    os.environ.update(FAKE_AWS_ENV)


def fresh_import(module_name: str, package_prefix: str, environ: Mapping[str, str]) -> ModuleType:
    """Import ``module_name`` as a cold start would: with ``environ`` set and no cached modules."""
    for name in [n for n in sys.modules if n == package_prefix or n.startswith(package_prefix + ".")]:
        del sys.modules[name]
    os.environ.update(environ)
    return importlib.import_module(module_name)
