"""Whether two references name the same bucket or queue, however each was made (created, imported by
name, by ARN, or from another stack)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs


def _same(first: Any, second: Any, attributes: tuple[str, ...]) -> bool:
    if first is second:
        return True
    resolve_first, resolve_second = Stack.of(first).resolve, Stack.of(second).resolve
    return any(
        resolve_first(getattr(first, name)) == resolve_second(getattr(second, name)) for name in attributes
    )


def same_bucket(first: s3.IBucket, second: s3.IBucket) -> bool:
    """The same bucket: an import by name resolves to the same name, an import by ARN to the same ARN."""
    return _same(first, second, ("bucket_name", "bucket_arn"))


def same_queue(first: sqs.IQueue, second: sqs.IQueue) -> bool:
    """The same queue, by its resolved ARN or URL."""
    return _same(first, second, ("queue_arn", "queue_url"))
