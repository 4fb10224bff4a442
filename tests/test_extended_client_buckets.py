"""Both pipes: SQS Extended Client pointers only into the buckets and key prefixes named for them, with
prefix-scoped read grants; redemption shortens expiry instead of deleting (no delete rights)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Duration
from aws_cdk import aws_s3 as s3

from _synth import arn_of, function_environment, grants, new_stack, retrieval_pipe, split_pipe
from cdk_claim_check import ClaimCheckStore, ExtendedClientBucket


def test_extended_client_read_grants_are_scoped_to_the_named_key_prefix() -> None:
    stack = new_stack()
    producer = s3.Bucket.from_bucket_name(stack, "Producer", "extended-client-payloads")
    retrieve = retrieval_pipe(
        stack, extended_client_buckets=[ExtendedClientBucket(producer, key_prefix="orders/")]
    )
    reads = {
        resource for action, resource in grants(stack, retrieve.function_role) if action == "s3:GetObject"
    }
    assert "arn:<AWS::Partition>:s3:::extended-client-payloads/orders/*" in reads
    assert not any(
        resource.startswith("arn:<AWS::Partition>:s3:::extended-client-payloads/*") for resource in reads
    )


def test_retrieval_role_has_update_item_but_neither_batch_write_nor_delete_object() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    retrieve = retrieval_pipe(stack, store=store, expire_after_retrieval=True)
    actions = {action for action, _ in grants(stack, retrieve.function_role)}
    assert "dynamodb:UpdateItem" in actions
    assert not actions & {
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "s3:DeleteObject",
        "dynamodb:PutItem",
    }
    assert ("dynamodb:UpdateItem", arn_of(store.table)) in grants(stack, retrieve.function_role)


def test_both_functions_get_the_allowed_buckets_and_the_owner() -> None:
    for make in (split_pipe, retrieval_pipe):
        stack = new_stack()
        producer = s3.Bucket.from_bucket_name(stack, "Producer", "extended-client-payloads")
        allowed = [ExtendedClientBucket(producer, key_prefix="p/", owner_account="111122223333")]
        environment = function_environment(stack, make(stack, extended_client_buckets=allowed))
        listed = json.loads(environment["CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS"])
        assert listed == [{"bucket": "extended-client-payloads", "prefix": "p/", "owner": "111122223333"}]
        assert environment["CLAIM_CHECK_EXPECTED_BUCKET_OWNER"] == {"Ref": "AWS::AccountId"}


@pytest.mark.parametrize("make", [split_pipe, retrieval_pipe], ids=["split", "retrieval"])
@pytest.mark.parametrize("reference", ["same-object", "by-name", "by-arn"])
def test_the_stores_own_bucket_cannot_be_named_for_extended_client_pointers(
    make: Any, reference: str
) -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    own = store.bucket
    assert own is not None
    bucket = {
        "same-object": lambda: own,
        "by-name": lambda: s3.Bucket.from_bucket_name(stack, "Again", own.bucket_name),
        "by-arn": lambda: s3.Bucket.from_bucket_arn(stack, "Again", own.bucket_arn),
    }[reference]()
    with pytest.raises(ValueError, match="extended_client_buckets names the store's own bucket"):
        make(stack, store=store, extended_client_buckets=[bucket])


def test_redeemed_grace_period_is_bounded_and_needs_expire_after_retrieval() -> None:
    with pytest.raises(ValueError, match="redeemed_grace_period"):
        retrieval_pipe(new_stack(), expire_after_retrieval=True, redeemed_grace_period=Duration.seconds(5))
    with pytest.raises(ValueError, match="expire_after_retrieval"):
        retrieval_pipe(new_stack(), redeemed_grace_period=Duration.hours(2))
