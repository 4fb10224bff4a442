"""The least-privilege statements of the functions on the store.

The split function writes (conditional ``PutItem`` needs only ``dynamodb:PutItem``; S3 ``PutObject``);
the retrieval function reads (and deletes only when asked to). Neither gets the other's rights.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ._nag import acknowledge_wildcard_resource
from .store import IClaimCheckStore

_OBJECT_WILDCARD_REASON = (
    "Payload object keys are chosen at run time; the grant is confined to the objects of this one bucket "
    "and to the single action the function needs."
)


def _objects(bucket: s3.IBucket) -> str:
    return bucket.arn_for_objects("*")


def writer_statements(scope: Construct, store: IClaimCheckStore) -> list[iam.PolicyStatement]:
    statements = [iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[store.table.table_arn])]
    if store.table.encryption_key is not None:
        # DynamoDB decrypts the table key for writes too; IAM on the table still forbids reads.
        statements.append(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                resources=[store.table.encryption_key.key_arn],
            )
        )
    if store.bucket is not None:
        statements.append(iam.PolicyStatement(actions=["s3:PutObject"], resources=[_objects(store.bucket)]))
        acknowledge_wildcard_resource(scope, _objects(store.bucket), _OBJECT_WILDCARD_REASON)
        if store.bucket.encryption_key is not None:
            statements.append(
                iam.PolicyStatement(
                    actions=["kms:GenerateDataKey"], resources=[store.bucket.encryption_key.key_arn]
                )
            )
    return statements


def reader_statements(
    scope: Construct,
    store: IClaimCheckStore,
    *,
    delete_after_retrieval: bool,
    readable_buckets: Sequence[s3.IBucket],
) -> list[iam.PolicyStatement]:
    # Exactly the calls the runtime makes (docs/contract.md, "Store item").
    table_actions = ["dynamodb:BatchGetItem"]
    object_actions = ["s3:GetObject"]
    if delete_after_retrieval:
        # The runtime deletes redeemed items in batches; IAM has no delete-only form of BatchWriteItem.
        table_actions.append("dynamodb:BatchWriteItem")
        object_actions.append("s3:DeleteObject")
    statements = [iam.PolicyStatement(actions=table_actions, resources=[store.table.table_arn])]
    keys = []
    if store.table.encryption_key is not None:
        keys.append(store.table.encryption_key.key_arn)
    if store.bucket is not None:
        statements.append(iam.PolicyStatement(actions=object_actions, resources=[_objects(store.bucket)]))
        acknowledge_wildcard_resource(scope, _objects(store.bucket), _OBJECT_WILDCARD_REASON)
        if store.bucket.encryption_key is not None:
            keys.append(store.bucket.encryption_key.key_arn)
    for extra in readable_buckets:
        # SQS Extended Client pointers name objects in buckets the store does not own: read only.
        statements.append(iam.PolicyStatement(actions=["s3:GetObject"], resources=[_objects(extra)]))
        acknowledge_wildcard_resource(scope, _objects(extra), _OBJECT_WILDCARD_REASON)
        if extra.encryption_key is not None:
            keys.append(extra.encryption_key.key_arn)
    if keys:
        statements.append(iam.PolicyStatement(actions=["kms:Decrypt"], resources=keys))
    return statements
