"""Shared fixtures: a moto server on 127.0.0.1 for the whole session, a fresh claim-check table
and bucket per test, and the canned Pipes events of ``tests/events/``.

Nothing here talks to AWS: every boto3 client points at the moto server and uses fake
credentials.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

EVENTS_DIR = Path(__file__).parent / "events"
TEST_REGION = "us-east-1"

# Fake credentials for every test process: boto3 must never find real ones.
for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": TEST_REGION,
}.items():
    os.environ[_name] = _value
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 (free port), started once per session; yields its endpoint URL."""
    from cdk_claim_check.local.lambda_harness import moto_server as serve

    with serve() as endpoint_url:
        yield endpoint_url


@pytest.fixture
def aws_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Points every boto3 client created during the test at the moto server (``AWS_ENDPOINT_URL``)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server


@dataclass(frozen=True)
class ClaimCheckResources:
    """A claim-check table and overflow bucket on the moto server, with clients for them."""

    endpoint_url: str
    table_name: str
    bucket_name: str
    dynamodb: Any
    s3: Any

    def client(self, **options: Any) -> Any:
        """A ``ClaimCheckClient`` of this table and bucket through these clients; ``options`` as it takes
        them (``bucket_name=None`` for a client without a bucket)."""
        from cdk_claim_check.runtime import ClaimCheckClient

        options.setdefault("dynamodb_client", self.dynamodb)
        options.setdefault("s3_client", self.s3)
        return ClaimCheckClient(self.table_name, options.pop("bucket_name", self.bucket_name), **options)


@pytest.fixture(scope="session")
def moto_clients(moto_server: str) -> dict[str, Any]:
    """boto3 DynamoDB and S3 clients for the moto server (shared by the session)."""
    import boto3

    return {
        service: boto3.client(service, endpoint_url=moto_server, region_name=TEST_REGION)
        for service in ("dynamodb", "s3")
    }


@pytest.fixture
def claim_check_resources(moto_server: str, moto_clients: dict[str, Any]) -> ClaimCheckResources:
    """A fresh claim-check table (partition key ``id``, TTL ``expires_at``) and bucket, uniquely named."""
    suffix = uuid.uuid4().hex[:12]
    table_name, bucket_name = f"claims-{suffix}", f"claims-overflow-{suffix}"
    dynamodb, s3 = moto_clients["dynamodb"], moto_clients["s3"]
    dynamodb.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    s3.create_bucket(Bucket=bucket_name)
    return ClaimCheckResources(moto_server, table_name, bucket_name, dynamodb, s3)


def load_event(name: str) -> Any:
    """A canned event from ``tests/events/`` (``name`` with or without ``.json``)."""
    path = EVENTS_DIR / (name if name.endswith(".json") else f"{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def pipes_event() -> Callable[[str], Any]:
    """Loader of canned Pipes batches from ``tests/events/`` (a fresh copy on every call)."""
    return load_event
