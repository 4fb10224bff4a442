"""ClaimCheckSplitPipe store access, function, environment contract, logs and alarms."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from _synth import (
    arn_of,
    function_environment,
    grants,
    logical_id,
    new_stack,
    pipe_properties,
    queue_with_dlq,
    retrieval_pipe,
    split_pipe,
    store_object_grants,
)
from cdk_claim_check import (
    ClaimCheckStore,
    Compression,
    S3Layout,
)


def test_split_function_may_write_the_store_but_not_read_it() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    split = split_pipe(stack, "bus", store=store)
    assert grants(stack, split.function_role) == {
        ("dynamodb:PutItem", arn_of(store.table)),
        *store_object_grants("s3:PutObject", arn_of(store.bucket)),
        ("logs:CreateLogStream", arn_of(split.function_log_group)),
        ("logs:PutLogEvents", arn_of(split.function_log_group)),
        ("xray:PutTraceSegments", "*"),
        ("xray:PutTelemetryRecords", "*"),
    }


def test_split_function_gets_the_store_key_when_the_table_is_encrypted_with_one() -> None:
    stack = new_stack()
    key = kms.Key(stack, "StoreKey")
    split = split_pipe(stack, "bus", store=ClaimCheckStore(stack, "Store", encryption_key=key))
    # Decrypt of the table key (through DynamoDB), GenerateDataKey for objects (through S3): the
    # conditions of each are in tests/test_kms_grants.py.
    assert {action for action, resource in grants(stack, split.function_role) if resource == arn_of(key)} == {
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }


def test_existing_table_store_is_used_without_a_bucket() -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_name(stack, "Existing", "claims")
    store = ClaimCheckStore.from_table(stack, "Store", table=table)
    split = split_pipe(
        stack, "bus", store=store, source=queue_with_dlq(stack, "Small", max_message_size_bytes=262_144)
    )
    environment = function_environment(stack, split)
    assert environment["CLAIM_CHECK_TABLE_NAME"] == "claims"
    assert "CLAIM_CHECK_BUCKET_NAME" not in environment
    assert split.bucket is None


def test_existing_table_store_with_an_existing_bucket_writes_objects_there() -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_name(stack, "Existing", "claims")
    bucket = s3.Bucket.from_bucket_name(stack, "ExistingBucket", "payloads")
    split = split_pipe(
        stack, "bus", store=ClaimCheckStore.from_table(stack, "Store", table=table, bucket=bucket)
    )
    assert function_environment(stack, split)["CLAIM_CHECK_BUCKET_NAME"] == "payloads"
    assert store_object_grants("s3:PutObject", "arn:<AWS::Partition>:s3:::payloads") <= grants(
        stack, split.function_role
    )


def test_existing_store_gets_the_time_to_live_check_of_a_created_one() -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_name(stack, "Existing", "claims")
    bucket = s3.Bucket.from_bucket_name(stack, "ExistingBucket", "payloads")
    store = ClaimCheckStore.from_table(
        stack, "Store", table=table, bucket=bucket, time_to_live=Duration.days(2)
    )
    with pytest.raises(ValueError, match=r"time_to_live=259200 seconds is longer than the store's"):
        split_pipe(stack, "bus", store=store, time_to_live=Duration.days(3))


def test_store_without_bucket_and_large_messages_gets_a_warning() -> None:
    stack = new_stack()
    split_pipe(stack, "bus", store=ClaimCheckStore(stack, "Store", overflow_bucket=False))
    Annotations.from_stack(stack).has_warning(
        "/Stack/Split", Match.string_like_regexp("no overflow bucket.*too_large")
    )


def test_environment_follows_the_runtime_contract_defaults() -> None:
    stack = new_stack()
    split = split_pipe(stack, "bus")
    environment = function_environment(stack, split)
    assert {key: value for key, value in environment.items() if isinstance(value, str)} == {
        "CLAIM_CHECK_TTL_SECONDS": "604800",
        "CLAIM_CHECK_COMPRESSION": "auto",
        "CLAIM_CHECK_KEEP_FIELDS": "[]",
        "CLAIM_CHECK_S3_LAYOUT": "packed",
        "CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS": "[]",
        "CLAIM_CHECK_FUNCTION_TIMEOUT_SECONDS": "30",
        "POWERTOOLS_SERVICE_NAME": "claim-check",
        "POWERTOOLS_METRICS_NAMESPACE": "ClaimCheck",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    assert environment["CLAIM_CHECK_TABLE_NAME"] == {"Ref": logical_id(split.table)}
    assert environment["CLAIM_CHECK_BUCKET_NAME"] == {"Ref": logical_id(split.bucket)}


def test_environment_carries_the_given_options() -> None:
    stack = new_stack()
    split = split_pipe(
        stack,
        "bus",
        keep_fields=["orderId", "customer.id"],
        time_to_live=Duration.days(1),
        compression=Compression.NONE,
        inline_limit_bytes=0,
        s3_layout=S3Layout.OBJECT,
    )
    environment = function_environment(stack, split)
    assert json.loads(environment["CLAIM_CHECK_KEEP_FIELDS"]) == ["orderId", "customer.id"]
    assert (
        environment["CLAIM_CHECK_TTL_SECONDS"],
        environment["CLAIM_CHECK_COMPRESSION"],
        environment["CLAIM_CHECK_INLINE_LIMIT_BYTES"],
        environment["CLAIM_CHECK_S3_LAYOUT"],
    ) == ("86400", "none", "0", "object")


def test_time_to_live_defaults_to_the_stores() -> None:
    stack = new_stack()
    split = split_pipe(stack, "bus", store=ClaimCheckStore(stack, "Store", time_to_live=Duration.days(2)))
    assert function_environment(stack, split)["CLAIM_CHECK_TTL_SECONDS"] == "172800"


def test_time_to_live_longer_than_the_stores_bucket_lifecycle_is_rejected() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store", time_to_live=Duration.days(2))
    with pytest.raises(ValueError, match=r"time_to_live=259200 seconds is longer than the store's"):
        split_pipe(stack, "bus", store=store, time_to_live=Duration.days(3))


@pytest.mark.parametrize("prop", [{"inline_limit_bytes": 100}, {"s3_layout": S3Layout.OBJECT}])
def test_s3_options_without_a_bucket_are_rejected(prop: dict[str, Any]) -> None:
    stack = new_stack()
    (name,) = prop
    with pytest.raises(ValueError, match=rf"{name} is set but the store has no overflow bucket"):
        split_pipe(stack, "bus", store=ClaimCheckStore(stack, "Store", overflow_bucket=False), **prop)


def test_inline_limit_above_350000_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"inline_limit_bytes=400000 is outside 0..350000"):
        split_pipe(new_stack(), "bus", inline_limit_bytes=400_000)


def test_keep_fields_given_as_a_string_is_rejected() -> None:
    with pytest.raises(TypeError, match=r"keep_fields='orderId' is a str; pass a list of str"):
        split_pipe(new_stack(), "bus", keep_fields="orderId")


def test_function_runs_the_split_handler_on_arm64_python_with_the_powertools_layer_and_tracing() -> None:
    stack = new_stack()
    split_pipe(stack, "bus")
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "runtime.split.handler",
            "Runtime": "python3.14",
            "Architectures": ["arm64"],
            "TracingConfig": {"Mode": "Active"},
            "MemorySize": 512,
            "Timeout": 30,
        },
    )


@pytest.mark.parametrize(
    ("architecture", "arch"),
    [(lambda_.Architecture.ARM_64, "arm64"), (lambda_.Architecture.X86_64, "x86_64")],
)
def test_powertools_layer_is_resolved_at_deploy_time_from_its_public_ssm_parameter(
    architecture: lambda_.Architecture, arch: str
) -> None:
    stack = new_stack()
    split_pipe(stack, "bus", function_architecture=architecture)
    template = Template.from_stack(stack).to_json()
    (parameter_id,) = [
        name
        for name, parameter in template["Parameters"].items()
        if parameter["Type"] == "AWS::SSM::Parameter::Value<String>"
        and parameter["Default"] == f"/aws/service/powertools/python/{arch}/python3.14/3.37.0"
    ]
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function", {"Layers": [{"Ref": parameter_id}]}
    )


def test_powertools_layer_release_is_the_one_the_tests_run_against() -> None:
    from importlib.metadata import version

    from cdk_claim_check._asset import POWERTOOLS_VERSION

    assert version("aws-lambda-powertools") == POWERTOOLS_VERSION


def test_both_pipes_of_a_stack_share_one_layer_parameter() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    split_pipe(stack, "bus", store=store)
    retrieval_pipe(stack, sqs.Queue(stack, "Redeemed", enforce_ssl=True), store=store)
    parameters = Template.from_stack(stack).to_json()["Parameters"]
    layer_parameters = [p for p in parameters.values() if p["Default"].startswith("/aws/service/powertools/")]
    assert len(layer_parameters) == 1


def test_powertools_layer_can_be_overridden() -> None:
    stack = new_stack()
    layer = lambda_.LayerVersion.from_layer_version_arn(
        stack,
        "OwnLayer",
        "arn:aws-cn:lambda:cn-north-1:498634801083:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:1",
    )
    split_pipe(stack, "bus", powertools_layer=layer)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function", {"Layers": [layer.layer_version_arn]}
    )


def test_pipe_logs_errors_to_its_log_group_by_default() -> None:
    stack = new_stack()
    split = split_pipe(stack, "bus")
    assert pipe_properties(stack)["LogConfiguration"] == {
        "CloudwatchLogsLogDestination": {
            "LogGroupArn": {"Fn::GetAtt": [logical_id(split.pipe_log_group), "Arn"]}
        },
        "Level": "ERROR",
    }


def test_alarms_cover_pipe_failures_throttles_function_errors_and_the_source_dlq() -> None:
    stack = new_stack()
    split = split_pipe(stack, "bus")
    assert sorted(split.alarms) == [
        "FunctionErrors",
        "PipeExecutionFailed",
        "PipeExecutionThrottled",
        "SourceDeadLetterQueueNotEmpty",
    ]
    Template.from_stack(stack).has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/EventBridge/Pipes",
            "MetricName": "ExecutionFailed",
            "Dimensions": [{"Name": "PipeName", "Value": {"Ref": logical_id(split.pipe)}}],
            "Threshold": 1,
        },
    )


def test_keep_fields_with_an_empty_name_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"keep_fields has ''"):
        split_pipe(new_stack(), "bus", keep_fields=["orderId", ""])


@pytest.mark.parametrize(
    ("given", "stored"), [("auto", "auto"), ("NONE", "none"), (Compression.NONE, "none")]
)
def test_compression_is_accepted_as_an_enum_or_its_name(given: Any, stored: str) -> None:
    stack = new_stack()
    split = split_pipe(stack, "bus", compression=given)
    assert function_environment(stack, split)["CLAIM_CHECK_COMPRESSION"] == stored


def test_unknown_compression_names_the_prop_and_the_choices() -> None:
    with pytest.raises(
        ValueError, match=r"compression='zlib' is not a Compression; pass one of Compression.AUTO"
    ):
        split_pipe(new_stack(), "bus", compression="zlib")


def test_s3_layout_is_accepted_as_a_string() -> None:
    stack = new_stack()
    split = split_pipe(stack, "bus", s3_layout="object")
    assert function_environment(stack, split)["CLAIM_CHECK_S3_LAYOUT"] == "object"
