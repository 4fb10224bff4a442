"""KMS statements no broader than the calls behind them: the actions a service makes with the caller's
credentials, only through that service (``kms:ViaService``), and, where the service sets an encryption
context, only for this resource.

What each service asks KMS for on a caller's behalf (AWS documentation; see README, "Customer-managed
keys"):

- DynamoDB, any item read or write of a table under a customer managed key: ``Decrypt`` of the table
  key, with the encryption context ``aws:dynamodb:tableName`` (and ``aws:dynamodb:subscriberId``); the
  table key itself is made by DynamoDB's own grant, so no ``Encrypt``/``GenerateDataKey`` is needed by
  the writer ("How Amazon DynamoDB uses AWS KMS": CloudTrail shows ``Decrypt`` by the accessing
  principal, ``GenerateDataKey`` by the service).
- S3 SSE-KMS: ``PutObject`` (single part) needs ``GenerateDataKey``, ``GetObject`` needs ``Decrypt``;
  the encryption context ``aws:s3:arn`` is the object's ARN, or the bucket's with an S3 Bucket Key.
- SQS and SNS under a customer key: producers ``GenerateDataKey`` and ``Decrypt``, consumers
  ``Decrypt``; their encryption contexts are not relied on here (unverified offline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import IConstruct


def via_service(scope: IConstruct, service: str) -> str:
    """The ``kms:ViaService`` value of ``service`` in the stack's region (``dynamodb.<region>.<suffix>``)."""
    stack = Stack.of(scope)
    return f"{service}.{stack.region}.{stack.url_suffix}"


def key_statement(
    scope: IConstruct,
    key: kms.IKey,
    actions: Sequence[str],
    *,
    service: str,
    context: Mapping[str, str | Sequence[str]] | None = None,
) -> iam.PolicyStatement:
    """``actions`` on ``key``, only through ``service``, and only with the encryption context given
    (values may end in ``*``: compared with ``StringLike``)."""
    conditions: dict[str, dict[str, object]] = {
        "StringEquals": {"kms:ViaService": via_service(scope, service)}
    }
    if context:
        conditions["StringLike"] = {
            f"kms:EncryptionContext:{name}": value if isinstance(value, str) else list(value)
            for name, value in context.items()
        }
    return iam.PolicyStatement(actions=list(actions), resources=[key.key_arn], conditions=conditions)


def table_key_statement(scope: IConstruct, key: kms.IKey, table_name: str) -> iam.PolicyStatement:
    """What an item read or write of one table under ``key`` needs: ``Decrypt`` of its table key."""
    return key_statement(
        scope, key, ["kms:Decrypt"], service="dynamodb", context={"aws:dynamodb:tableName": table_name}
    )


def bucket_key_statement(
    scope: IConstruct, key: kms.IKey, bucket: s3.IBucket, action: str, objects: str = "*"
) -> iam.PolicyStatement:
    """``action`` (``GenerateDataKey`` for a put, ``Decrypt`` for a get) for objects of one bucket: the
    context is the object's ARN, or the bucket's own when it uses an S3 Bucket Key."""
    return key_statement(
        scope,
        key,
        [action],
        service="s3",
        context={"aws:s3:arn": [bucket.bucket_arn, bucket.arn_for_objects(objects)]},
    )
