"""ClaimCheckStore: the table and bucket it creates, and wrapping existing ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from _synth import new_stack, split_pipe
from cdk_claim_check import ClaimCheckStore


def test_table_is_on_demand_keyed_by_id_with_ttl_and_point_in_time_recovery() -> None:
    stack = new_stack()
    ClaimCheckStore(stack, "Store")
    Template.from_stack(stack).has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        },
    )


def test_table_and_bucket_are_retained_by_default() -> None:
    stack = new_stack()
    ClaimCheckStore(stack, "Store")
    template = Template.from_stack(stack)
    template.has_resource(
        "AWS::DynamoDB::Table", {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    )
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})


def test_removal_policy_destroy_reaches_table_and_bucket() -> None:
    stack = new_stack()
    ClaimCheckStore(stack, "Store", removal_policy=RemovalPolicy.DESTROY)
    template = Template.from_stack(stack)
    template.has_resource("AWS::DynamoDB::Table", {"DeletionPolicy": "Delete"})
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Delete"})


def test_bucket_blocks_public_access_is_encrypted_and_expires_a_day_after_the_ttl() -> None:
    stack = new_stack()
    ClaimCheckStore(stack, "Store", time_to_live=Duration.days(3))
    Template.from_stack(stack).has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    Match.object_like({"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}})
                ]
            },
            "LifecycleConfiguration": {
                "Rules": [Match.object_like({"ExpirationInDays": 4, "Status": "Enabled"})]
            },
        },
    )


def test_bucket_refuses_requests_without_tls() -> None:
    stack = new_stack()
    ClaimCheckStore(stack, "Store")
    Template.from_stack(stack).has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            }
        },
    )


def test_overflow_bucket_can_be_turned_off() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store", overflow_bucket=False)
    Template.from_stack(stack).resource_count_is("AWS::S3::Bucket", 0)
    assert store.bucket is None


def test_customer_key_encrypts_table_and_bucket() -> None:
    stack = new_stack()
    key = kms.Key(stack, "Key")
    store = ClaimCheckStore(stack, "Store", encryption_key=key)
    template = Template.from_stack(stack)
    key_arn = {"Fn::GetAtt": [stack.get_logical_id(key.node.default_child), "Arn"]}  # type: ignore[arg-type]
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {"SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn}},
    )
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "BucketKeyEnabled": True,
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": key_arn,
                        },
                    }
                ]
            }
        },
    )
    assert store.encryption_key is key


def test_server_access_logs_go_to_the_given_bucket() -> None:
    stack = new_stack()
    logs_bucket = s3.Bucket.from_bucket_name(stack, "Logs", "access-logs")
    ClaimCheckStore(stack, "Store", server_access_logs_bucket=logs_bucket)
    Template.from_stack(stack).has_resource_properties(
        "AWS::S3::Bucket", {"LoggingConfiguration": {"DestinationBucketName": "access-logs"}}
    )


def test_server_access_logs_without_a_bucket_is_rejected() -> None:
    stack = new_stack()
    logs_bucket = s3.Bucket.from_bucket_name(stack, "Logs", "access-logs")
    with pytest.raises(ValueError, match=r"server_access_logs_bucket.*overflow_bucket=False"):
        ClaimCheckStore(stack, "Store", overflow_bucket=False, server_access_logs_bucket=logs_bucket)


@pytest.mark.parametrize("ttl", [Duration.seconds(59), Duration.days(366)])
def test_time_to_live_outside_a_minute_to_a_year_is_rejected(ttl: Duration) -> None:
    with pytest.raises(ValueError, match=r"time_to_live=.*60 seconds .. 365 days"):
        ClaimCheckStore(new_stack(), "Store", time_to_live=ttl)


def test_from_table_wraps_an_existing_table_without_creating_resources() -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_name(stack, "Existing", "claims")
    bucket = s3.Bucket.from_bucket_name(stack, "ExistingBucket", "payloads")
    store = ClaimCheckStore.from_table(
        stack, "Store", table=table, bucket=bucket, time_to_live=Duration.days(2)
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::DynamoDB::Table", 0)
    template.resource_count_is("AWS::S3::Bucket", 0)
    assert (store.table, store.bucket, store.time_to_live.to_days()) == (table, bucket, 2)


def test_snapshot_removal_policy_is_refused_naming_what_to_pass() -> None:
    with pytest.raises(ValueError, match=r"removal_policy=.*SNAPSHOT.*pass RemovalPolicy.RETAIN"):
        ClaimCheckStore(new_stack(), "Store", removal_policy=RemovalPolicy.SNAPSHOT)


@pytest.mark.parametrize(
    ("table_props", "message"),
    [
        ({"partition_key": ("pk", "STRING"), "ttl": "expires_at"}, r"partition key is 'pk' \(S\)"),
        ({"partition_key": ("id", "NUMBER"), "ttl": "expires_at"}, r"partition key is 'id' \(N\)"),
        ({"partition_key": ("id", "STRING"), "sort_key": "sk", "ttl": "expires_at"}, r"has sort key 'sk'"),
        ({"partition_key": ("id", "STRING")}, r"TTL is not enabled on 'expires_at' \(found None\)"),
        (
            {"partition_key": ("id", "STRING"), "ttl": "ttl"},
            r"TTL is not enabled on 'expires_at' \(found 'ttl'\)",
        ),
    ],
    ids=["wrong-key-name", "wrong-key-type", "sort-key", "no-ttl", "wrong-ttl"],
)
@pytest.mark.parametrize("table_class", [dynamodb.Table, dynamodb.TableV2])
def test_in_app_table_with_the_wrong_shape_is_refused_with_the_fix(
    table_class: Any, table_props: dict[str, Any], message: str
) -> None:
    stack = new_stack()
    name, kind = table_props["partition_key"]
    table = table_class(
        stack,
        "Existing",
        partition_key=dynamodb.Attribute(name=name, type=getattr(dynamodb.AttributeType, kind)),
        sort_key=(
            dynamodb.Attribute(name=table_props["sort_key"], type=dynamodb.AttributeType.STRING)
            if "sort_key" in table_props
            else None
        ),
        time_to_live_attribute=table_props.get("ttl"),
    )
    with pytest.raises(ValueError, match=rf"table: {message}.*partition_key=dynamodb.Attribute\(name='id'"):
        ClaimCheckStore.from_table(stack, "Store", table=table)


@pytest.mark.parametrize("table_class", [dynamodb.Table, dynamodb.TableV2])
def test_in_app_table_with_the_right_shape_is_accepted(table_class: Any) -> None:
    stack = new_stack()
    table = table_class(
        stack,
        "Existing",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        time_to_live_attribute="expires_at",
    )
    assert ClaimCheckStore.from_table(stack, "Store", table=table).table is table


def test_bucket_refuses_tls_below_1_2() -> None:
    stack = new_stack()
    ClaimCheckStore(stack, "Store")
    policy = json.dumps(Template.from_stack(stack).find_resources("AWS::S3::BucketPolicy"))
    assert '"s3:TlsVersion": 1.2' in policy


def _consumer(stack: Any) -> Any:
    from aws_cdk import aws_lambda as lambda_

    return lambda_.Function(
        stack,
        "Consumer",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="app.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
    )


def test_grant_redeem_gives_a_function_the_retrieval_reads_only() -> None:
    from _synth import arn_of, grants, store_object_grants

    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    function = _consumer(stack)
    store.grant_redeem(function)
    assert grants(stack, function.role) == {
        ("dynamodb:BatchGetItem", arn_of(store.table)),
        *store_object_grants("s3:GetObject", arn_of(store.bucket)),
    }


def test_grant_issue_gives_a_function_the_split_writes_only() -> None:
    from _synth import arn_of, grants, store_object_grants

    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    function = _consumer(stack)
    store.grant_issue(function)
    assert grants(stack, function.role) == {
        ("dynamodb:PutItem", arn_of(store.table)),
        *store_object_grants("s3:PutObject", arn_of(store.bucket)),
    }


@pytest.mark.parametrize(
    ("arn", "where"),
    [
        ("arn:aws:dynamodb:eu-west-1:111111111111:table/claims", "region eu-west-1"),
        ("arn:aws:dynamodb:us-east-1:222222222222:table/claims", "account 222222222222"),
    ],
)
def test_a_table_of_another_region_or_account_is_refused_as_the_functions_find_tables_by_name(
    arn: str, where: str
) -> None:
    stack = new_stack()  # account 111111111111, us-east-1
    table = dynamodb.Table.from_table_arn(stack, "Elsewhere", arn)
    store = ClaimCheckStore.from_table(stack, "Store", table=table)
    with pytest.raises(ValueError, match=rf"store: the table is in {where}, but this pipe deploys to"):
        split_pipe(stack, store=store)


def test_a_table_of_this_region_and_account_imported_by_arn_is_accepted() -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_arn(
        stack, "Here", "arn:aws:dynamodb:us-east-1:111111111111:table/claims"
    )
    split_pipe(stack, store=ClaimCheckStore.from_table(stack, "Store", table=table))
