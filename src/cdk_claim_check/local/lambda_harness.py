"""What a Lambda function sees, for running handlers outside Lambda: one harness for all who do.

The local run, the benchmarks and the tests all call handlers in-process; they share this module:
the context object (with a deadline), SQS records as Pipes hands them to an enrichment, moto's
server on 127.0.0.1, and importing a handler the way the Lambda runtime does (cold, from its code
root, with the function's environment, without what Lambda would not have). Standard library at
import time; moto is imported only when the server starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.abc
import json
import logging
import os
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..runtime.contract import DEFAULT_FUNCTION_MEMORY_MB, DEFAULT_FUNCTION_TIMEOUT_SECONDS

Handler = Callable[[Any, Any], Any]

REGION = "us-east-1"
ACCOUNT = "123456789012"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
"""Credentials moto accepts and AWS never would: nothing run here can reach a real account."""
DEFAULT_SOURCE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:claims-queue"
# Inside Lambda there are the asset, the runtime's boto3 and the layers: never this library as
# installed here, nor the CDK. A handler that imports them works on a laptop and fails in AWS, so
# they are hidden while a handler is imported (and, in the local run, while it runs).
NOT_IN_LAMBDA = ("cdk_claim_check", "aws_cdk", "constructs", "jsii")


# --- The context object ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read.

    ``get_remaining_time_in_millis()`` counts down from the function's timeout, starting when the
    context is made (one context per invocation, as Lambda does).
    """

    function_name: str = "claim-check-local"
    memory_limit_in_mb: int = DEFAULT_FUNCTION_MEMORY_MB
    timeout_seconds: int = DEFAULT_FUNCTION_TIMEOUT_SECONDS
    invoked_function_arn: str = ""  # empty: the unqualified ARN of ``function_name``
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started_at: float = field(default_factory=time.monotonic)
    function_version: str = "$LATEST"

    def __post_init__(self) -> None:
        if not self.invoked_function_arn:
            arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"
            object.__setattr__(self, "invoked_function_arn", arn)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started_at + self.timeout_seconds - time.monotonic()) * 1000))


# --- SQS records as Pipes delivers them --------------------------------------------------------------


def sqs_record(
    body: str,
    *,
    message_id: str | None = None,
    receipt_handle: str | None = None,
    source_arn: str = DEFAULT_SOURCE_ARN,
    attributes: Mapping[str, str] | None = None,
    message_attributes: Mapping[str, Any] | None = None,
    md5_of_body: str | None = None,
) -> dict[str, Any]:
    """One SQS record as EventBridge Pipes hands it to an enrichment (and Lambda to an SQS handler).

    ``attributes`` are the SQS system attributes (a first receive just now when omitted),
    ``message_attributes`` the message attributes in the Lambda shape (see
    :func:`record_of_message`); the region is the source queue's.
    """
    if attributes is None:
        now_ms = str(int(time.time() * 1000))
        attributes = {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": now_ms,
            "SenderId": "AIDAEXAMPLESENDER",
            "ApproximateFirstReceiveTimestamp": now_ms,
        }
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": receipt_handle or f"AQEB{uuid.uuid4().hex}",
        "body": body,
        "attributes": dict(attributes),
        "messageAttributes": dict(message_attributes or {}),
        "md5OfBody": md5_of_body if md5_of_body is not None else hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": source_arn,
        "awsRegion": source_arn.split(":")[3],
    }


def record_of_message(message: Mapping[str, Any], *, source_arn: str) -> dict[str, Any]:
    """The Pipes record of a message from an SQS ``ReceiveMessage`` reply."""
    return sqs_record(
        message["Body"],
        message_id=message["MessageId"],
        receipt_handle=message["ReceiptHandle"],
        source_arn=source_arn,
        attributes=message.get("Attributes", {}),
        message_attributes={
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        md5_of_body=message["MD5OfBody"],
    )


# --- moto's server ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def moto_server(*, execute_state_machines: bool = False) -> Iterator[str]:
    """Start moto's server on 127.0.0.1 (a free port) with no state; yield its URL.

    With ``execute_state_machines`` Step Functions runs the definitions of the executions it starts.
    """
    from moto.server import ThreadedMotoServer

    # boto3 honours HTTP(S)_PROXY; requests to the local server must never go through a proxy.
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY", ""), "127.0.0.1", "localhost"]))
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = no_proxy

    # One line per request would drown the caller's own output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint_url = f"http://{host}:{port}"
        # moto's state lives in the process: start from nothing even if an earlier run left some.
        _post(f"{endpoint_url}/moto-api/reset", {})
        if execute_state_machines:
            _post(f"{endpoint_url}/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})
        yield endpoint_url
    finally:
        server.stop()


def _post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    # No proxy: the server is on this machine, whatever HTTP(S)_PROXY says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        response.read()


# --- Importing a handler the way Lambda does ------------------------------------------------------------


class _NotInLambda(importlib.abc.MetaPathFinder):
    """Refuses imports of what a Lambda function would not have."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.split(".")[0] in NOT_IN_LAMBDA:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: it is not in the function's asset, nor would Lambda have it",
                name=fullname,
            )
        return None


_NOT_IN_LAMBDA_FINDER = _NotInLambda()


@contextlib.contextmanager
def not_in_lambda_hidden() -> Iterator[None]:
    """This library and the CDK not importable (their loaded modules set aside, restored after)."""
    if _NOT_IN_LAMBDA_FINDER in sys.meta_path:  # already hidden by an enclosing block
        yield
        return
    displaced = {name: module for name, module in sys.modules.items() if name.split(".")[0] in NOT_IN_LAMBDA}
    for name in displaced:
        del sys.modules[name]
    sys.meta_path.insert(0, _NOT_IN_LAMBDA_FINDER)
    try:
        yield
    finally:
        sys.meta_path.remove(_NOT_IN_LAMBDA_FINDER)
        sys.modules.update(displaced)


@contextlib.contextmanager
def patched_environ(environment: Mapping[str, str]) -> Iterator[None]:
    """``environment`` added to the process environment; the whole environment restored after."""
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def import_handler(code_dir: Path, handler: str, environ: Mapping[str, str]) -> Handler:
    """The function named by ``handler`` (``module.function``), imported as a Lambda cold start does.

    ``code_dir`` is the code root (first on ``sys.path``), ``environ`` is set in the process first
    and stays set, as in the function's own process; no module of the handler's top-level package
    is reused from an earlier import, and neither this library nor the CDK can be imported.
    """
    module_name, function_name = handler.rsplit(".", 1)
    top = module_name.split(".")[0]
    for name in [n for n in sys.modules if n == top or n.startswith(f"{top}.")]:
        del sys.modules[name]
    os.environ.update(environ)
    if str(code_dir) not in sys.path:
        sys.path.insert(0, str(code_dir))
    importlib.invalidate_caches()
    with not_in_lambda_hidden():
        module = importlib.import_module(module_name)
    function: Handler = getattr(module, function_name)
    return function
