"""DynamoDB and S3 storage behind a small interface (the only module doing storage I/O; the KMS MAC
calls are in :mod:`.authenticity`, on a client made here), and the worker threads that run a batch's
calls side by side.

boto3 is imported here only, and clients are created on first use, so the handlers import
without AWS credentials, region or network. Pass your own clients (``dynamodb=``, ``s3=``) to
point the store elsewhere; the defaults honour the usual boto3 environment, including
``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor, wait
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .contract import (
    AWS_CLIENT_MAX_ATTEMPTS,
    AWS_CLIENT_MAX_CONNECT_SECONDS,
    PARTITION_KEY,
    TTL_ATTRIBUTE,
)
from .wire import S3Location

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

# BatchGetItem takes at most 100 keys.
_GET_BATCH = 100
_MAX_ATTEMPTS = 8
# Without s3:ListBucket (the functions are not granted it), S3 answers a GET of a missing key with
# 403 AccessDenied rather than 404 NoSuchKey; a range past the end of a (shortened) object is 416
# InvalidRange. All mean the claim's bytes cannot be had.
_MISSING_OBJECT_CODES = frozenset(
    {"NoSuchKey", "404", "NoSuchBucket", "AccessDenied", "403", "InvalidRange", "416"}
)
# The calls of one batch run side by side: a Pipes batch to a bus, queue or topic holds at most 10.
_MAX_CONCURRENT_CALLS = 10

_T = TypeVar("_T")
_R = TypeVar("_R")

# Worker threads kept for the life of the process (a Lambda execution environment), so a warm
# invocation does not start and join a thread per call (about 0.5 ms of CPU per message for a
# batch of 10 small bodies). One call at a time uses them; a call made while another is under way
# (several threads sharing a client) gets a pool of its own, as every call did before.
_SHARED_POOL = ThreadPoolExecutor(max_workers=_MAX_CONCURRENT_CALLS, thread_name_prefix="claim-check")
_SHARED_POOL_IN_USE = threading.Lock()


class ObjectMissingError(LookupError):
    """The S3 object (or range) a claim points to does not exist, or this role may not read it."""


class ClaimStore(Protocol):
    """What the claim logic needs from storage."""

    def put_object(self, location: S3Location, data: bytes) -> None:
        """Write one S3 object."""

    def put_item(self, item: Mapping[str, Any]) -> bool:
        """Write an item unless one with the same id and a different ``sha256`` exists (then ``False``)."""

    def get_items(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Strongly consistent read of the items with these ids; absent ones are left out."""

    def get_bytes(self, location: S3Location, first: int, last: int, owner: str | None = None) -> bytes:
        """An object's inclusive byte range ``first..last`` (a range that runs past the end gives the
        bytes there are); ``owner`` (default: the store's) must own the bucket.

        :raises ObjectMissingError: when the object or range is not there or not readable.
        """

    def shorten_expiry(self, claim_id: str, expires_at: int) -> None:
        """Set the item's ``expires_at`` to ``expires_at`` if that shortens it (absent items are fine);
        one attempt, as a claim left alone expires by its TTL anyway."""


def call_timeouts(timeout_seconds: float) -> tuple[float, float]:
    """(connect, read) timeouts of one attempt, so that every attempt of a call (and a margin) fits
    into ``timeout_seconds``, the function's timeout."""
    per_attempt = timeout_seconds / (AWS_CLIENT_MAX_ATTEMPTS + 1)
    connect = min(float(AWS_CLIENT_MAX_CONNECT_SECONDS), per_attempt / 3)
    return connect, per_attempt - connect


def _client_config(timeout_seconds: float | None, max_attempts: int) -> Config | None:
    if timeout_seconds is None:
        return None
    connect, read = call_timeouts(timeout_seconds)
    return Config(
        connect_timeout=connect,
        read_timeout=read,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
    )


@cache
def default_dynamodb_client(
    timeout_seconds: float | None = None, max_attempts: int = AWS_CLIENT_MAX_ATTEMPTS
) -> DynamoDBClient:
    """The process-wide DynamoDB client, created on first use (reused across warm invocations); with
    ``timeout_seconds``, its timeouts and retries fit into that time."""
    return boto3.client("dynamodb", config=_client_config(timeout_seconds, max_attempts))


@cache
def default_s3_client(timeout_seconds: float | None = None) -> S3Client:
    """The process-wide S3 client, created on first use (reused across warm invocations); with
    ``timeout_seconds``, its timeouts and retries fit into that time."""
    return boto3.client("s3", config=_client_config(timeout_seconds, AWS_CLIENT_MAX_ATTEMPTS))


@cache
def default_kms_client(timeout_seconds: float | None = None) -> Any:
    """The process-wide KMS client, created on first use (reused across warm invocations); with
    ``timeout_seconds``, its timeouts and retries fit into that time. (Typed ``Any``: the project has no
    KMS type stubs.)"""
    return boto3.client("kms", config=_client_config(timeout_seconds, AWS_CLIENT_MAX_ATTEMPTS))


@cache
def caller_account() -> str:
    """The account of the process's credentials (STS ``GetCallerIdentity`` needs no permission)."""
    return str(boto3.client("sts").get_caller_identity()["Account"])


class AwsClaimStore:
    """:class:`ClaimStore` on a DynamoDB table and S3 (the bucket is named per location).

    Every S3 call sends ``ExpectedBucketOwner``: ``bucket_owner`` for the store's bucket (default: the
    account of the credentials), or the owner passed with the call.
    """

    def __init__(
        self,
        table_name: str,
        *,
        dynamodb: DynamoDBClient | None = None,
        s3: S3Client | None = None,
        bucket_owner: str | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        self._table_name = table_name
        self._dynamodb = dynamodb
        self._given_dynamodb = dynamodb
        self._s3 = s3
        self._bucket_owner = bucket_owner
        self._timeout_seconds = timeout_seconds

    @property
    def dynamodb(self) -> DynamoDBClient:
        if self._dynamodb is None:
            self._dynamodb = default_dynamodb_client(self._timeout_seconds)
        return self._dynamodb

    @property
    def s3(self) -> S3Client:
        if self._s3 is None:
            self._s3 = default_s3_client(self._timeout_seconds)
        return self._s3

    @property
    def bucket_owner(self) -> str:
        """The account that must own the store's bucket."""
        if self._bucket_owner is None:
            self._bucket_owner = caller_account()
        return self._bucket_owner

    def put_object(self, location: S3Location, data: bytes) -> None:
        self.s3.put_object(
            Bucket=location.bucket, Key=location.key, Body=data, ExpectedBucketOwner=self.bucket_owner
        )

    def put_item(self, item: Mapping[str, Any]) -> bool:
        try:
            self.dynamodb.put_item(
                TableName=self._table_name,
                Item=dict(item),
                # Identical redelivery rewrites the item; a different body under the same id fails.
                ConditionExpression="attribute_not_exists(id) OR sha256 = :sha256",
                ExpressionAttributeValues={":sha256": item["sha256"]},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_items(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(ids))  # BatchGetItem refuses duplicate keys
        for start in range(0, len(unique), _GET_BATCH):
            keys: list[dict[str, Any]] = [
                {PARTITION_KEY: {"S": ident}} for ident in unique[start : start + _GET_BATCH]
            ]
            request: dict[str, Any] = {self._table_name: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(_MAX_ATTEMPTS):
                _back_off(attempt)
                reply = self.dynamodb.batch_get_item(RequestItems=request)
                for item in reply.get("Responses", {}).get(self._table_name, []):
                    found[item[PARTITION_KEY]["S"]] = dict(item)
                request = dict(reply.get("UnprocessedKeys") or {})
                if not request:
                    break
            else:
                raise RuntimeError(f"DynamoDB left keys unprocessed after {_MAX_ATTEMPTS} attempts")
        return found

    def get_bytes(self, location: S3Location, first: int, last: int, owner: str | None = None) -> bytes:
        try:
            reply = self.s3.get_object(
                Bucket=location.bucket,
                Key=location.key,
                Range=f"bytes={first}-{last}",
                ExpectedBucketOwner=owner or self.bucket_owner,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING_OBJECT_CODES:
                raise ObjectMissingError(f"s3://{location.bucket}/{location.key}") from None
            raise
        return reply["Body"].read()

    def shorten_expiry(self, claim_id: str, expires_at: int) -> None:
        # One attempt, no retry backoff: a claim left unshortened simply expires by its TTL, so this
        # call must never be what runs the function past its time.
        client = self._given_dynamodb or default_dynamodb_client(self._timeout_seconds, 1)
        try:
            client.update_item(
                TableName=self._table_name,
                Key={PARTITION_KEY: {"S": claim_id}},
                UpdateExpression="SET #expires = :expires",
                # Only ever earlier, and never on an absent item (the condition then fails: no new item).
                ConditionExpression="#expires > :expires",
                ExpressionAttributeNames={"#expires": TTL_ATTRIBUTE},
                ExpressionAttributeValues={":expires": {"N": str(expires_at)}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise


def _back_off(attempt: int) -> None:
    """Wait before a retry (none before the first attempt, none after the last): 50 ms doubling to 1 s."""
    if attempt:
        time.sleep(min(1.0, 0.05 * 2 ** (attempt - 1)))


def run_concurrently(function: Callable[[_T], _R], arguments: Sequence[_T]) -> list[_R]:
    """``[function(a) for a in arguments]`` with the calls side by side; the first error in order wins."""
    if len(arguments) <= 1:
        return [function(argument) for argument in arguments]
    if not _SHARED_POOL_IN_USE.acquire(blocking=False):
        with ThreadPoolExecutor(max_workers=min(_MAX_CONCURRENT_CALLS, len(arguments))) as pool:
            return _run_all(pool, function, arguments)
    try:
        return _run_all(_SHARED_POOL, function, arguments)
    finally:
        _SHARED_POOL_IN_USE.release()


def _run_all(pool: Executor, function: Callable[[_T], _R], arguments: Sequence[_T]) -> list[_R]:
    """Every call finishes before this returns or raises (no write still running after a failure)."""
    futures = [pool.submit(function, argument) for argument in arguments]
    wait(futures)
    return [future.result() for future in futures]
