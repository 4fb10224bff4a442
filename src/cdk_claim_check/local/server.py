"""boto3 clients that talk to moto (its server on 127.0.0.1, or its in-process mock) and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

from .lambda_harness import FAKE_CREDENTIALS

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
        """Clients with fixed test credentials, so no AWS profile or credential chain is ever consulted.

        An empty ``endpoint_url`` leaves the endpoint to botocore: for moto's in-process mock
        (``mock_aws``), which answers before any request leaves the process.
        """
        session = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=region,
        )

        def client(service: str) -> Any:
            return session.client(service, endpoint_url=endpoint_url or None)  # type: ignore[call-overload]

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
