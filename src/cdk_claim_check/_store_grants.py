"""The least-privilege statements of the functions on the store.

The split function writes (conditional ``PutItem`` needs only ``dynamodb:PutItem``; S3 ``PutObject``);
the retrieval function reads, and, when asked to shorten a redeemed claim's expiry, may update that one
attribute (``dynamodb:UpdateItem`` limited to ``id`` and ``expires_at``). Neither deletes anything, and
neither gets the other's rights.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ._kms_grants import bucket_key_statement, table_key_statement
from ._nag import acknowledge_wildcard_resource
from .extended_client import ExtendedClientBucket, extended_client_read_statements
from .runtime.contract import PARTITION_KEY, STORE_BUCKET_PREFIXES, TTL_ATTRIBUTE
from .store import IClaimCheckStore

_OBJECT_WILDCARD_REASON = (
    "Payload object keys are chosen at run time; the grant is confined to the prefixes the runtime writes "
    "in this one bucket (packed/, objects/) and to the single action the function needs."
)


def _objects(scope: Construct, bucket: s3.IBucket) -> list[str]:
    """The store bucket's objects under the runtime's own prefixes, each acknowledged for IAM5."""
    resources = [bucket.arn_for_objects(f"{prefix}*") for prefix in STORE_BUCKET_PREFIXES]
    for resource in resources:
        acknowledge_wildcard_resource(scope, resource, _OBJECT_WILDCARD_REASON)
    return resources


def writer_statements(scope: Construct, store: IClaimCheckStore) -> list[iam.PolicyStatement]:
    statements = [iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[store.table.table_arn])]
    if store.table.encryption_key is not None:
        # DynamoDB decrypts the table key for writes too (through DynamoDB, for this table only); IAM on
        # the table still forbids reads, and the key cannot be used through S3 or directly.
        statements.append(table_key_statement(scope, store.table.encryption_key, store.table.table_name))
    if store.bucket is not None:
        statements.append(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=_objects(scope, store.bucket))
        )
        if store.bucket.encryption_key is not None:
            # Single-part PutObject only (payloads are at most 6 MB): no kms:Decrypt, which multipart needs.
            statements.append(
                bucket_key_statement(scope, store.bucket.encryption_key, store.bucket, "kms:GenerateDataKey")
            )
    return statements


def reader_statements(
    scope: Construct,
    store: IClaimCheckStore,
    *,
    expire_after_retrieval: bool,
    extended_client_buckets: Sequence[ExtendedClientBucket],
) -> list[iam.PolicyStatement]:
    # Exactly the calls the runtime makes (docs/contract.md, "Store item").
    statements = [iam.PolicyStatement(actions=["dynamodb:BatchGetItem"], resources=[store.table.table_arn])]
    if expire_after_retrieval:
        # UpdateItem of the expiry only: not BatchWriteItem (which also puts), and no delete.
        statements.append(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],
                resources=[store.table.table_arn],
                conditions={
                    "ForAllValues:StringEquals": {"dynamodb:Attributes": [PARTITION_KEY, TTL_ATTRIBUTE]},
                    "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
                },
            )
        )
    if store.table.encryption_key is not None:
        # Reads and the expiry update alike: DynamoDB decrypts the table key, nothing more.
        statements.append(table_key_statement(scope, store.table.encryption_key, store.table.table_name))
    if store.bucket is not None:
        statements.append(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=_objects(scope, store.bucket))
        )
        if store.bucket.encryption_key is not None:
            statements.append(
                bucket_key_statement(scope, store.bucket.encryption_key, store.bucket, "kms:Decrypt")
            )
    # SQS Extended Client pointers name objects in buckets the store does not own: read only, prefix only.
    statements += extended_client_read_statements(scope, extended_client_buckets)
    return statements
