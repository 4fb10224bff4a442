"""A fault-injecting HTTP proxy between the runtime's boto3 clients and moto's server (stdlib only).

The handlers reach the store through ``AWS_ENDPOINT_URL``; pointed at this proxy, every DynamoDB,
S3 and KMS call passes a list of :class:`Rule` objects (and every SQS and EventBridge call of a local
run whose clients are pointed here: its pipes' sends to their targets). The first rule that selects
a request (by service and operation: DynamoDB, KMS, SQS and EventBridge by their ``X-Amz-Target``,
S3 by method, path and query or a ``Range`` header) and still has shots left applies its fault:

- ``throttle``: DynamoDB ``ProvisionedThroughputExceededException`` / ``ThrottlingException``
  (400 JSON), KMS and EventBridge ``ThrottlingException`` (400 JSON), SQS ``RequestThrottled``
  (400 JSON), S3 ``SlowDown`` (503 XML); not forwarded.
- ``error500``: ``InternalServerError`` / ``KMSInternalException`` / ``InternalError`` /
  ``InternalException`` (500); not forwarded.
- ``drop``: the connection closed without an answer, before forwarding.
- ``drop_after``: forwarded and applied by moto, then the connection closed without an answer.
- ``delay``: forwarded after ``seconds``.
- ``hold``: forwarded and applied, the answer held for ``seconds`` (past the function's
  timeout), then sent; while the proxy is :meth:`frozen <FaultProxy.freeze>` held answers are
  never sent (the sandbox that waited for them is gone).
- ``truncate``: the answer's headers claim the full length, half of the body is sent, then close.
- ``corrupt``: the answer's body passed through ``mutate`` (default: one byte flipped mid-body).
- ``unprocessed``: a BatchGetItem answer with every key moved to ``UnprocessedKeys``.
- ``moto_down``: the upstream is unreachable (a closed port); the connection is reset.

``skip`` passes the first matching requests through untouched ("succeed N then fail"), ``times``
bounds how many are faulted (``None``: all), ``probability`` faults each selected request only with
that chance (drawn from the rule's own seeded ``random.Random``, so a run can be repeated).
:attr:`FaultProxy.log` records every request with the fault applied to it.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

FAULTS = frozenset(
    {
        "throttle",
        "error500",
        "drop",
        "drop_after",
        "delay",
        "hold",
        "truncate",
        "corrupt",
        "unprocessed",
        "moto_down",
    }
)
_HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "expect", "proxy-connection"})


@dataclass(frozen=True)
class Request:
    """What the proxy saw of one request."""

    service: str  # "dynamodb", "kms", "sqs", "events" or "s3"
    # the X-Amz-Target action (PutItem, GenerateMac, SendMessage, ...) or S3 "<METHOD> object|bucket"
    operation: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def ranged(self) -> bool:
        return "range" in self.headers


def _flip_middle(body: bytes) -> bytes:
    if not body:
        return body
    middle = len(body) // 2
    return body[:middle] + bytes([body[middle] ^ 0x20]) + body[middle + 1 :]


@dataclass
class Rule:
    """One fault: which requests it selects, what it does, how often."""

    fault: str
    service: str | None = None  # None: any service
    operations: frozenset[str] | None = None  # None: any operation of the service
    ranged: bool | None = None  # S3 GET with (True) or without (False) a Range header
    skip: int = 0  # succeed this many matching requests first
    times: int | None = None  # then fault this many (None: every one)
    seconds: float = 0.0  # delay / hold
    error_code: str | None = None  # throttle: which error
    mutate: Callable[[bytes], bytes] = _flip_middle
    probability: float = 1.0  # chance that a selected request (past ``skip``) is faulted
    seed: int = 0
    seen: int = field(default=0, init=False)
    applied: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}")
        if not 0.0 < self.probability <= 1.0:
            raise ValueError(f"probability {self.probability} is outside (0, 1]")
        self._draw = random.Random(self.seed)

    def selects(self, request: Request) -> bool:
        if self.service is not None and request.service != self.service:
            return False
        if self.operations is not None and request.operation not in self.operations:
            return False
        return self.ranged is None or request.ranged == self.ranged

    def take(self) -> bool:
        """Count one selected request; True when this one is to be faulted."""
        self.seen += 1
        if self.seen <= self.skip:
            return False
        if self.times is not None and self.applied >= self.times:
            return False
        if self.probability < 1.0 and self._draw.random() >= self.probability:
            return False
        self.applied += 1
        return True


def rule(fault: str, target: str = "*", **options: Any) -> Rule:
    """A rule from a short target: ``"dynamodb:PutItem,BatchGetItem"``, ``"s3:PUT object"``,
    ``"s3:GET range"`` (ranged GET), ``"s3:GET whole"``, ``"dynamodb"``, ``"s3"`` or ``"*"``."""
    if target == "*":
        return Rule(fault, **options)
    service, _, operations = target.partition(":")
    ranged: bool | None = None
    names: frozenset[str] | None = None
    if operations in ("GET range", "GET whole"):
        ranged, names = operations == "GET range", frozenset({"GET object"})
    elif operations:
        names = frozenset(name.strip() for name in operations.split(","))
    return Rule(fault, service=service, operations=names, ranged=ranged, **options)


@dataclass(frozen=True)
class Logged:
    """One request as the proxy handled it: its operation and the fault applied (``None``: passed)."""

    service: str
    operation: str
    fault: str | None
    status: int | None


class FaultProxy:
    """The proxy: ``with FaultProxy(moto_url) as proxy: proxy.url``; ``proxy.add(rule(...))``."""

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.rules: list[Rule] = []
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._frozen = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, *rules: Rule) -> FaultProxy:
        with self._lock:
            self.rules.extend(rules)
        return self

    def clear(self) -> None:
        """The fault clears: no rules, held answers sent now, not frozen."""
        with self._lock:
            self.rules.clear()
            self._frozen = False
        self._release.set()
        self._release = threading.Event()

    def freeze(self) -> None:
        """The function timed out: its sandbox is gone. Held answers are never sent, and any new
        request gets a fast, non-retryable error, so the abandoned handler thread ends soon."""
        with self._lock:
            self._frozen = True
        self._release.set()

    def thaw(self) -> None:
        with self._lock:
            self._frozen = False
        self._release = threading.Event()

    def faults(self, kind: str | None = None) -> list[Logged]:
        """The requests a fault was applied to (of one kind, or any)."""
        return [entry for entry in self.log if entry.fault and (kind is None or entry.fault == kind)]

    def operations(self) -> list[str]:
        return [f"{entry.service}:{entry.operation}" for entry in self.log]

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(_ProxyHandler):
            owner = proxy

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        self.freeze()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- used by the handler ---------------------------------------------------------------

    def _choose(self, request: Request) -> Rule | None:
        with self._lock:
            for candidate in self.rules:
                if candidate.selects(request) and candidate.take():
                    return candidate
        return None

    def _record(self, request: Request, fault: str | None, status: int | None) -> None:
        with self._lock:
            self.log.append(Logged(request.service, request.operation, fault, status))

    @property
    def frozen(self) -> bool:
        return self._frozen


# The X-Amz-Target prefixes of the JSON-protocol services the proxy tells apart (DynamoDB's is versioned).
_JSON_SERVICES = {"TrentService.": "kms", "AmazonSQS.": "sqs", "AWSEvents.": "events"}


def _classify(method: str, path: str, headers: dict[str, str]) -> tuple[str, str]:
    target = headers.get("x-amz-target", "")
    if target.startswith("DynamoDB_"):
        return "dynamodb", target.split(".", 1)[1]
    for prefix, service in _JSON_SERVICES.items():
        if target.startswith(prefix):
            return service, target.split(".", 1)[1]
    parts = [part for part in urlsplit(path).path.split("/") if part]
    return "s3", f"{method} {'object' if len(parts) >= 2 else 'bucket'}"


# service: (its throttling error, its internal error, its JSON content type)
_JSON_ERRORS = {
    "kms": ("ThrottlingException", "KMSInternalException", "application/x-amz-json-1.1"),
    "events": ("ThrottlingException", "InternalException", "application/x-amz-json-1.1"),
    "sqs": ("RequestThrottled", "InternalError", "application/x-amz-json-1.0"),
}


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and 100-continue answered here
    owner: FaultProxy

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self._read_body()
        service, operation = _classify(self.command, self.path, headers)
        request = Request(service, operation, self.command, self.path, headers, body)
        owner = self.owner
        if owner.frozen:
            self._send_error(request, "frozen")
            return
        chosen = owner._choose(request)
        fault = chosen.fault if chosen else None
        if fault in ("throttle", "error500"):
            assert chosen is not None
            self._send_error(request, fault, chosen.error_code)
            return
        if fault == "drop":
            owner._record(request, fault, None)
            self._abort()
            return
        if fault == "moto_down":
            owner._record(request, fault, None)
            self._abort(reset=True)
            return
        if fault == "delay":
            assert chosen is not None
            time.sleep(chosen.seconds)
        try:
            status, reply_headers, reply = self._forward(request)
        except OSError:
            owner._record(request, "upstream_error", None)
            self._abort(reset=True)
            return
        if fault == "drop_after":
            owner._record(request, fault, status)
            self._abort()
            return
        if fault == "hold":
            assert chosen is not None
            release = owner._release
            release.wait(chosen.seconds)
            if owner.frozen:
                owner._record(request, "hold_lost", status)
                self._abort()
                return
        if fault == "unprocessed" and service == "dynamodb" and operation == "BatchGetItem" and status == 200:
            reply = _all_unprocessed(request.body, reply)
        if fault == "corrupt":
            assert chosen is not None
            reply = chosen.mutate(reply)
            reply_headers = [(k, v) for k, v in reply_headers if k.lower() != "x-amz-crc32"]
        # Recorded before the answer is written: a client that gave up on a held answer has closed
        # its end, and the write below then fails, but the fault was applied all the same.
        owner._record(request, fault, status)
        try:
            self.send_response(status)
            for name, value in reply_headers:
                if name.lower() not in _HOP_HEADERS and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            if fault == "truncate":
                if self.command != "HEAD":
                    self.wfile.write(reply[: len(reply) // 2])
                self.wfile.flush()
                self._abort()
                return
            if self.command != "HEAD":
                self.wfile.write(reply)
        except OSError:
            self.close_connection = True

    def _forward(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        host, port = self.owner.upstream
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
            headers["Content-Length"] = str(len(request.body))
            connection.request(self.command, self.path, body=request.body, headers=headers)
            response = connection.getresponse()
            return response.status, list(response.getheaders()), response.read()
        finally:
            connection.close()

    def _send_error(self, request: Request, fault: str, code: str | None = None) -> None:
        """Answer ``request`` with the service's error for ``fault``; recorded before it is written,
        so a client that has its error already finds it in the log."""
        if request.service == "dynamodb":
            status, name, content_type = {
                "throttle": (
                    400,
                    code or "ProvisionedThroughputExceededException",
                    "application/x-amz-json-1.0",
                ),
                "error500": (500, "InternalServerError", "application/x-amz-json-1.0"),
                "frozen": (400, "ValidationException", "application/x-amz-json-1.0"),
            }[fault]
            prefix = "com.amazonaws.dynamodb.v20120810#" if name != "ValidationException" else ""
            payload = json.dumps({"__type": f"{prefix}{name}", "message": f"injected {fault}"}).encode()
        elif request.service in _JSON_ERRORS:
            throttled, internal, content_type = _JSON_ERRORS[request.service]
            status, name = {
                "throttle": (400, code or throttled),
                "error500": (500, internal),
                "frozen": (400, "ValidationException"),
            }[fault]
            payload = json.dumps({"__type": name, "message": f"injected {fault}"}).encode()
        else:
            status, name = {
                "throttle": (503, code or "SlowDown"),
                "error500": (500, "InternalError"),
                "frozen": (403, "AccessDenied"),
            }[fault]
            content_type = "application/xml"
            payload = (
                f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{name}</Code>'
                f"<Message>injected {fault}</Message><RequestId>fault</RequestId></Error>"
            ).encode()
        self.owner._record(request, fault, status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _abort(self, *, reset: bool = False) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _all_unprocessed(request_body: bytes, reply: bytes) -> bytes:
    """A BatchGetItem answer with nothing returned and every requested key left unprocessed."""
    requested = json.loads(request_body)["RequestItems"]
    answer = json.loads(reply)
    answer["Responses"] = {table: [] for table in requested}
    answer["UnprocessedKeys"] = requested
    return json.dumps(answer).encode()
