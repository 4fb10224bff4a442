"""moto's server on 127.0.0.1, and boto3 clients that talk to it and nowhere else."""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_stepfunctions import SFNClient


@dataclass(frozen=True)
class Clients:
    """The boto3 clients of one local run, all bound to the moto server's endpoint."""

    endpoint_url: str
    region: str
    sqs: SQSClient
    events: EventBridgeClient
    stepfunctions: SFNClient
    dynamodb: DynamoDBClient
    s3: S3Client
    sns: SNSClient
    lambda_: LambdaClient
    logs: (
        Any  # boto3-stubs for CloudWatch Logs are not installed; the run only creates groups and reads events
    )

    @classmethod
    def for_endpoint(cls, endpoint_url: str, region: str) -> Clients:
        """Clients with fixed test credentials, so no AWS profile or credential chain is ever consulted."""
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )

        def client(service: str) -> Any:
            return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]

        return cls(
            endpoint_url=endpoint_url,
            region=region,
            sqs=client("sqs"),
            events=client("events"),
            stepfunctions=client("stepfunctions"),
            dynamodb=client("dynamodb"),
            s3=client("s3"),
            sns=client("sns"),
            lambda_=client("lambda"),
            logs=client("logs"),
        )


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's server on 127.0.0.1 (a free port), Step Functions executing definitions; yield its URL."""
    from moto.server import ThreadedMotoServer

    # boto3 honours HTTP(S)_PROXY; requests to the local server must never go through a proxy.
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY", ""), "127.0.0.1", "localhost"]))
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = no_proxy

    # One line per request would drown the run's own progress lines.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint_url = f"http://{host}:{port}"
        # moto's state lives in the process: start from nothing even if an earlier run left some.
        _post(f"{endpoint_url}/moto-api/reset", {})
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
