"""Customer-managed keys end to end (``_kms_grants.py``): each role gets exactly the key actions the
service calls behind its API calls need, only through that service, and only for its own resource."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from _synth import logical_id, new_stack, queue_with_dlq, retrieval_pipe, role_statements, split_pipe
from cdk_claim_check import ClaimCheckStore, ExtendedClientBucket


def _via(service: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [f"{service}.us-east-1.", {"Ref": "AWS::URLSuffix"}]]}


def _arn(construct: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id(construct), "Arn"]}


def _table_key(store: ClaimCheckStore, key: kms.IKey) -> dict[str, Any]:
    return {
        "Action": "kms:Decrypt",
        "Effect": "Allow",
        "Resource": _arn(key),
        "Condition": {
            "StringEquals": {"kms:ViaService": _via("dynamodb")},
            "StringLike": {"kms:EncryptionContext:aws:dynamodb:tableName": {"Ref": logical_id(store.table)}},
        },
    }


def _bucket_key(bucket: s3.IBucket, key: kms.IKey, action: str, objects: str = "*") -> dict[str, Any]:
    return {
        "Action": action,
        "Effect": "Allow",
        "Resource": _arn(key),
        "Condition": {
            "StringEquals": {"kms:ViaService": _via("s3")},
            "StringLike": {
                "kms:EncryptionContext:aws:s3:arn": [
                    _arn(bucket),
                    {"Fn::Join": ["", [_arn(bucket), f"/{objects}"]]},
                ]
            },
        },
    }


def _key_statements(stack: Any, role: Any, key: kms.IKey) -> list[dict[str, Any]]:
    return [statement for statement in role_statements(stack, role) if statement["Resource"] == _arn(key)]


@pytest.fixture
def encrypted() -> tuple[Any, kms.Key, ClaimCheckStore]:
    stack = new_stack()
    key = kms.Key(stack, "StoreKey")
    return stack, key, ClaimCheckStore(stack, "Store", encryption_key=key)


def test_split_decrypts_the_table_key_through_dynamodb_and_only_generates_data_keys_through_s3(
    encrypted: tuple[Any, kms.Key, ClaimCheckStore],
) -> None:
    stack, key, store = encrypted
    split = split_pipe(stack, "bus", store=store)
    assert store.bucket is not None
    assert _key_statements(stack, split.function_role, key) == [
        _table_key(store, key),
        _bucket_key(store.bucket, key, "kms:GenerateDataKey"),
    ]


@pytest.mark.parametrize("expire_after_retrieval", [False, True])
def test_retrieval_only_decrypts_through_dynamodb_and_s3_even_when_it_shortens_expiry(
    encrypted: tuple[Any, kms.Key, ClaimCheckStore], expire_after_retrieval: bool
) -> None:
    stack, key, store = encrypted
    retrieve = retrieval_pipe(stack, store=store, expire_after_retrieval=expire_after_retrieval)
    assert store.bucket is not None
    assert _key_statements(stack, retrieve.function_role, key) == [
        _table_key(store, key),
        _bucket_key(store.bucket, key, "kms:Decrypt"),
    ]


def test_extended_client_bucket_key_decrypts_only_its_prefix_through_s3() -> None:
    stack = new_stack()
    key = kms.Key(stack, "SenderKey")
    sender = s3.Bucket(stack, "Sender", encryption_key=key, enforce_ssl=True)
    retrieve = retrieval_pipe(
        stack,
        store=ClaimCheckStore(stack, "Store"),
        extended_client_buckets=[ExtendedClientBucket(sender, key_prefix="orders/")],
    )
    assert _key_statements(stack, retrieve.function_role, key) == [
        _bucket_key(sender, key, "kms:Decrypt", "orders/*")
    ]


def test_encrypted_source_queue_key_is_decrypted_by_the_pipe_through_sqs_only() -> None:
    stack = new_stack()
    key = kms.Key(stack, "QueueKey")
    dlq = sqs.Queue(stack, "Dlq", enforce_ssl=True)
    source = sqs.Queue(
        stack,
        "Encrypted",
        enforce_ssl=True,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )
    split = split_pipe(stack, "bus", source=source)
    assert _key_statements(stack, split.pipe_role, key) == [
        {
            "Action": "kms:Decrypt",
            "Effect": "Allow",
            "Resource": _arn(key),
            "Condition": {"StringEquals": {"kms:ViaService": _via("sqs")}},
        }
    ]


def test_encrypted_target_queue_key_is_used_by_the_pipe_through_sqs_only() -> None:
    stack = new_stack()
    key = kms.Key(stack, "TargetKey")
    target = queue_with_dlq(stack, "Target", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key)
    split = split_pipe(stack, target)
    assert _key_statements(stack, split.pipe_role, key) == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Effect": "Allow",
            "Resource": _arn(key),
            "Condition": {"StringEquals": {"kms:ViaService": _via("sqs")}},
        }
    ]
