"""ClaimCheckSplitPipe: what it synthesizes for each target and source, its permissions and its checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Annotations, Match, Template

from _synth import (
    IMPORTED_QUEUE_ARN,
    arn_of,
    grants,
    imported_queue,
    logical_id,
    new_stack,
    queue_with_dlq,
    render,
    state_machine,
    targets,
)
from cdk_claim_check import (
    ClaimCheckSplitPipe,
    ClaimCheckStore,
    Compression,
    PipeLogLevel,
    S3Layout,
    StateMachineInvocation,
)


def _split(stack: Stack, target_name: str = "bus", **props: Any) -> ClaimCheckSplitPipe:
    if "source" not in props:
        props["source"] = queue_with_dlq(stack, "Inbox")
    if "store" not in props:
        props["store"] = ClaimCheckStore(stack, "Store")
    return ClaimCheckSplitPipe(stack, "Split", target=targets(stack)[target_name], **props)


def _pipe_properties(stack: Stack) -> dict[str, Any]:
    (pipe,) = Template.from_stack(stack).find_resources("AWS::Pipes::Pipe").values()
    properties: dict[str, Any] = pipe["Properties"]
    return properties


def _environment(stack: Stack, split: ClaimCheckSplitPipe) -> dict[str, Any]:
    function = Template.from_stack(stack).to_json()["Resources"][logical_id(split.function)]
    variables: dict[str, Any] = function["Properties"]["Environment"]["Variables"]
    return variables


# --- targets -------------------------------------------------------------------------------------

_SEND_ACTION = {
    "bus": "events:PutEvents",
    "queue": "sqs:SendMessage",
    "topic": "sns:Publish",
    "function": "lambda:InvokeFunction",
    "state_machine": "states:StartExecution",
}


@pytest.mark.parametrize("kind", sorted(_SEND_ACTION))
def test_pipe_role_may_consume_source_invoke_enrichment_and_deliver_to_target_only(kind: str) -> None:
    stack = new_stack()
    inbox = queue_with_dlq(stack, "Inbox")
    split = _split(stack, kind, source=inbox)
    target_arn = render(_pipe_properties(stack)["Target"])
    assert grants(stack, split.pipe_role) == {
        ("sqs:ReceiveMessage", arn_of(inbox)),
        ("sqs:DeleteMessage", arn_of(inbox)),
        ("sqs:GetQueueAttributes", arn_of(inbox)),
        ("lambda:InvokeFunction", arn_of(split.function)),
        (_SEND_ACTION[kind], target_arn),
        ("logs:CreateLogStream", arn_of(split.pipe_log_group)),
        ("logs:PutLogEvents", arn_of(split.pipe_log_group)),
    }


@pytest.mark.parametrize(
    ("kind", "logical_prefix"),
    [
        ("bus", "Bus"),
        ("queue", "TargetQueue"),
        ("topic", "Topic"),
        ("function", "Consumer"),
        ("state_machine", "Workflow"),
    ],
)
def test_pipe_targets_the_given_resource(kind: str, logical_prefix: str) -> None:
    stack = new_stack()
    _split(stack, kind)
    assert render(_pipe_properties(stack)["Target"]).startswith(f"<{logical_prefix}")


def test_bus_target_gets_default_detail_type_and_source() -> None:
    stack = new_stack()
    _split(stack, "bus")
    assert _pipe_properties(stack)["TargetParameters"] == {
        "EventBridgeEventBusParameters": {"DetailType": "ClaimCheck", "Source": "claim-check"}
    }


def test_bus_target_uses_given_detail_type_and_event_source() -> None:
    stack = new_stack()
    _split(stack, "bus", detail_type="OrderReceived", event_source="shop.orders")
    assert _pipe_properties(stack)["TargetParameters"] == {
        "EventBridgeEventBusParameters": {"DetailType": "OrderReceived", "Source": "shop.orders"}
    }


@pytest.mark.parametrize("kind", ["queue", "topic", "function"])
def test_queue_topic_and_function_targets_have_no_target_parameters(kind: str) -> None:
    stack = new_stack()
    _split(stack, kind)
    assert "TargetParameters" not in _pipe_properties(stack)


def test_state_machine_target_is_started_fire_and_forget_by_default() -> None:
    stack = new_stack()
    _split(stack, "state_machine")
    assert _pipe_properties(stack)["TargetParameters"] == {
        "StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}
    }


def test_express_state_machine_can_be_started_request_response() -> None:
    stack = new_stack()
    express = state_machine(stack, "Express", kind=sfn.StateMachineType.EXPRESS)
    split = _split(stack, "bus", state_machine_invocation=None)  # a second pipe must not interfere
    request_response = ClaimCheckSplitPipe(
        stack,
        "SplitToExpress",
        source=queue_with_dlq(stack, "ExpressInbox"),
        store=ClaimCheckStore(stack, "ExpressStore"),
        target=express,
        state_machine_invocation=StateMachineInvocation.REQUEST_RESPONSE,
    )
    pipe = Template.from_stack(stack).to_json()["Resources"][logical_id(request_response.pipe)]
    assert pipe["Properties"]["TargetParameters"] == {
        "StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}
    }
    assert ("states:StartSyncExecution", f"<{logical_id(express)}>") in grants(
        stack, request_response.pipe_role
    )
    assert ("states:StartSyncExecution", f"<{logical_id(express)}>") not in grants(stack, split.pipe_role)


def test_request_response_on_a_standard_state_machine_is_rejected() -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"state_machine_invocation=REQUEST_RESPONSE needs an EXPRESS"):
        _split(stack, "state_machine", state_machine_invocation=StateMachineInvocation.REQUEST_RESPONSE)


def test_request_response_on_an_imported_state_machine_is_allowed() -> None:
    stack = new_stack()
    imported = sfn.StateMachine.from_state_machine_arn(
        stack, "ImportedWorkflow", "arn:aws:states:us-east-1:111111111111:stateMachine:imported"
    )
    ClaimCheckSplitPipe(
        stack,
        "Split",
        source=queue_with_dlq(stack, "Inbox"),
        store=ClaimCheckStore(stack, "Store"),
        target=imported,
        state_machine_invocation=StateMachineInvocation.REQUEST_RESPONSE,
    )
    assert _pipe_properties(stack)["Target"] == "arn:aws:states:us-east-1:111111111111:stateMachine:imported"


def test_state_machine_invocation_on_another_target_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"state_machine_invocation is set but the target is an event bus"):
        _split(new_stack(), "bus", state_machine_invocation=StateMachineInvocation.FIRE_AND_FORGET)


@pytest.mark.parametrize("prop", ["detail_type", "event_source"])
def test_bus_parameters_on_another_target_are_rejected(prop: str) -> None:
    with pytest.raises(ValueError, match=rf"{prop} is set but the target is an SQS queue"):
        _split(new_stack(), "queue", **{prop: "x"})


def test_event_source_starting_with_aws_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"event_source='aws.orders' starts with 'aws.'"):
        _split(new_stack(), "bus", event_source="aws.orders")


def test_event_source_longer_than_256_characters_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"event_source has 257 characters"):
        _split(new_stack(), "bus", event_source="s" * 257)


def test_detail_type_longer_than_128_characters_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"detail_type has 129 characters"):
        _split(new_stack(), "bus", detail_type="d" * 129)


def test_unsupported_target_is_rejected() -> None:
    stack = new_stack()
    bucket = s3.Bucket(stack, "NotATarget")
    with pytest.raises(ValueError, match=r"target: Bucket is not a supported pipe target"):
        ClaimCheckSplitPipe(
            stack,
            "Split",
            source=queue_with_dlq(stack, "Inbox"),
            store=ClaimCheckStore(stack, "Store"),
            target=bucket,
        )  # type: ignore[arg-type]


# --- batching ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bus", "queue", "topic", "function"])
def test_default_batch_is_10_when_ten_messages_fit_the_enrichment_limit(kind: str) -> None:
    stack = new_stack()
    _split(stack, kind, source=queue_with_dlq(stack, "Small", max_message_size_bytes=262_144))
    assert _pipe_properties(stack)["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 10}}


def test_default_batch_shrinks_to_5_for_1_mib_messages() -> None:
    stack = new_stack()
    _split(stack, "bus")
    assert _pipe_properties(stack)["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 5}}


def test_default_batch_is_1_for_a_state_machine_target() -> None:
    stack = new_stack()
    _split(stack, "state_machine", source=queue_with_dlq(stack, "Small", max_message_size_bytes=262_144))
    assert _pipe_properties(stack)["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 1}}


@pytest.mark.parametrize("kind", ["bus", "queue", "topic"])
def test_batch_size_above_10_for_a_per_record_target_is_rejected(kind: str) -> None:
    with pytest.raises(ValueError, match=r"batch_size=11 is outside 1..10 .*one message per record"):
        _split(new_stack(), kind, batch_size=11)


def test_batch_size_0_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"batch_size=0 is outside 1..10"):
        _split(new_stack(), "bus", batch_size=0)


def test_batch_of_1_mib_messages_over_the_6_mb_enrichment_limit_is_rejected() -> None:
    with pytest.raises(
        ValueError, match=r"batch_size=6 x up to 1,048,576 bytes .* pass batch_size=5 or less"
    ):
        _split(new_stack(), "bus", batch_size=6)


def test_imported_source_is_assumed_to_carry_1_mib_messages() -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"batch_size=10 x up to 1,048,576 bytes per record .SQS maximum"):
        _split(stack, "bus", source=imported_queue(stack), batch_size=10)


def test_batch_above_10_needs_a_batching_window() -> None:
    stack = new_stack()
    small = queue_with_dlq(stack, "Small", max_message_size_bytes=1024)
    with pytest.raises(ValueError, match=r"batch_size=100 is above 10.*maximum_batching_window"):
        _split(stack, "function", source=small, batch_size=100)


def test_batch_above_10_with_a_batching_window_reaches_a_function_target() -> None:
    stack = new_stack()
    small = queue_with_dlq(stack, "Small", max_message_size_bytes=1024)
    _split(stack, "function", source=small, batch_size=100, maximum_batching_window=Duration.seconds(5))
    assert _pipe_properties(stack)["SourceParameters"] == {
        "SqsQueueParameters": {"BatchSize": 100, "MaximumBatchingWindowInSeconds": 5}
    }


def test_batching_window_over_300_seconds_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"maximum_batching_window=301 seconds"):
        _split(new_stack(), "bus", maximum_batching_window=Duration.seconds(301))


# --- sources -------------------------------------------------------------------------------------


def test_imported_source_is_consumed_by_arn() -> None:
    stack = new_stack()
    split = _split(stack, "bus", source=imported_queue(stack))
    assert _pipe_properties(stack)["Source"] == IMPORTED_QUEUE_ARN
    assert ("sqs:ReceiveMessage", IMPORTED_QUEUE_ARN) in grants(stack, split.pipe_role)


def test_imported_source_without_a_known_dlq_gets_a_warning() -> None:
    stack = new_stack()
    _split(stack, "bus", source=imported_queue(stack))
    Annotations.from_stack(stack).has_warning(
        "/Stack/Split", Match.string_like_regexp("no dead-letter queue.*source_dead_letter_queue")
    )


def test_created_source_without_a_dlq_gets_a_warning() -> None:
    stack = new_stack()
    _split(stack, "bus", source=sqs.Queue(stack, "Bare", enforce_ssl=True))
    Annotations.from_stack(stack).has_warning(
        "/Stack/Split", Match.string_like_regexp("no dead-letter queue")
    )


def test_created_source_with_a_dlq_gets_no_warning() -> None:
    stack = new_stack()
    _split(stack, "bus")
    Annotations.from_stack(stack).has_no_warning("/Stack/Split", Match.any_value())


def test_visibility_timeout_shorter_than_the_function_timeout_is_rejected() -> None:
    stack = new_stack()
    hasty = queue_with_dlq(stack, "Hasty", visibility_timeout=Duration.seconds(20))
    with pytest.raises(ValueError, match=r"visibility timeout \(20 s\) is shorter .* timeout \(30 s\)"):
        _split(stack, "bus", source=hasty)


def test_function_timeout_longer_than_the_default_visibility_timeout_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"visibility timeout \(30 s\) is shorter .* timeout \(60 s\)"):
        _split(new_stack(), "bus", function_timeout=Duration.seconds(60))


def test_encrypted_source_lets_the_pipe_decrypt_with_its_key() -> None:
    stack = new_stack()
    key = kms.Key(stack, "QueueKey")
    encrypted = queue_with_dlq(
        stack, "Encrypted", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key
    )
    split = _split(stack, "bus", source=encrypted)
    assert ("kms:Decrypt", arn_of(key)) in grants(stack, split.pipe_role)


# --- store and function --------------------------------------------------------------------------


def test_split_function_may_write_the_store_but_not_read_it() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    split = _split(stack, "bus", store=store)
    assert grants(stack, split.function_role) == {
        ("dynamodb:PutItem", arn_of(store.table)),
        ("s3:PutObject", f"{arn_of(store.bucket)}/*"),
        ("logs:CreateLogStream", arn_of(split.log_group)),
        ("logs:PutLogEvents", arn_of(split.log_group)),
        ("xray:PutTraceSegments", "*"),
        ("xray:PutTelemetryRecords", "*"),
    }


def test_split_function_gets_the_store_key_when_the_table_is_encrypted_with_one() -> None:
    stack = new_stack()
    key = kms.Key(stack, "StoreKey")
    split = _split(stack, "bus", store=ClaimCheckStore(stack, "Store", encryption_key=key))
    assert {action for action, resource in grants(stack, split.function_role) if resource == arn_of(key)} == {
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey*",
        "kms:GenerateDataKey",
    }


def test_plain_table_store_is_used_without_a_bucket() -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_name(stack, "Existing", "claims")
    split = _split(
        stack, "bus", store=table, source=queue_with_dlq(stack, "Small", max_message_size_bytes=262_144)
    )
    environment = _environment(stack, split)
    assert environment["CLAIM_CHECK_TABLE_NAME"] == "claims"
    assert "CLAIM_CHECK_BUCKET_NAME" not in environment
    assert split.bucket is None


def test_plain_table_store_with_an_existing_bucket_writes_objects_there() -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_name(stack, "Existing", "claims")
    bucket = s3.Bucket.from_bucket_name(stack, "ExistingBucket", "payloads")
    split = _split(stack, "bus", store=table, bucket=bucket)
    assert _environment(stack, split)["CLAIM_CHECK_BUCKET_NAME"] == "payloads"
    assert ("s3:PutObject", "arn:<AWS::Partition>:s3:::payloads/*") in grants(stack, split.function_role)


def test_bucket_next_to_a_claim_check_store_is_rejected() -> None:
    stack = new_stack()
    bucket = s3.Bucket.from_bucket_name(stack, "ExistingBucket", "payloads")
    with pytest.raises(ValueError, match=r"bucket is set but store is a ClaimCheckStore"):
        _split(stack, "bus", bucket=bucket)


def test_store_without_bucket_and_large_messages_gets_a_warning() -> None:
    stack = new_stack()
    _split(stack, "bus", store=ClaimCheckStore(stack, "Store", overflow_bucket=False))
    Annotations.from_stack(stack).has_warning(
        "/Stack/Split", Match.string_like_regexp("no overflow bucket.*too_large")
    )


def test_environment_follows_the_runtime_contract_defaults() -> None:
    stack = new_stack()
    split = _split(stack, "bus")
    environment = _environment(stack, split)
    assert {key: value for key, value in environment.items() if isinstance(value, str)} == {
        "CLAIM_CHECK_TTL_SECONDS": "604800",
        "CLAIM_CHECK_COMPRESSION": "auto",
        "CLAIM_CHECK_KEEP_FIELDS": "[]",
        "CLAIM_CHECK_S3_LAYOUT": "packed",
        "POWERTOOLS_SERVICE_NAME": "claim-check",
        "POWERTOOLS_METRICS_NAMESPACE": "ClaimCheck",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    assert environment["CLAIM_CHECK_TABLE_NAME"] == {"Ref": logical_id(split.table)}
    assert environment["CLAIM_CHECK_BUCKET_NAME"] == {"Ref": logical_id(split.bucket)}


def test_environment_carries_the_given_options() -> None:
    stack = new_stack()
    split = _split(
        stack,
        "bus",
        keep_fields=["orderId", "customer.id"],
        time_to_live=Duration.days(1),
        compression=Compression.NONE,
        inline_limit_bytes=0,
        s3_layout=S3Layout.OBJECT,
    )
    environment = _environment(stack, split)
    assert json.loads(environment["CLAIM_CHECK_KEEP_FIELDS"]) == ["orderId", "customer.id"]
    assert (
        environment["CLAIM_CHECK_TTL_SECONDS"],
        environment["CLAIM_CHECK_COMPRESSION"],
        environment["CLAIM_CHECK_INLINE_LIMIT_BYTES"],
        environment["CLAIM_CHECK_S3_LAYOUT"],
    ) == ("86400", "none", "0", "object")


def test_time_to_live_defaults_to_the_stores() -> None:
    stack = new_stack()
    split = _split(stack, "bus", store=ClaimCheckStore(stack, "Store", time_to_live=Duration.days(2)))
    assert _environment(stack, split)["CLAIM_CHECK_TTL_SECONDS"] == "172800"


def test_time_to_live_longer_than_the_stores_bucket_lifecycle_is_rejected() -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store", time_to_live=Duration.days(2))
    with pytest.raises(ValueError, match=r"time_to_live=259200 seconds is longer than the store's"):
        _split(stack, "bus", store=store, time_to_live=Duration.days(3))


@pytest.mark.parametrize("prop", [{"inline_limit_bytes": 100}, {"s3_layout": S3Layout.OBJECT}])
def test_s3_options_without_a_bucket_are_rejected(prop: dict[str, Any]) -> None:
    stack = new_stack()
    (name,) = prop
    with pytest.raises(ValueError, match=rf"{name} is set but the store has no overflow bucket"):
        _split(stack, "bus", store=ClaimCheckStore(stack, "Store", overflow_bucket=False), **prop)


def test_inline_limit_above_350000_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"inline_limit_bytes=400000 is outside 0..350000"):
        _split(new_stack(), "bus", inline_limit_bytes=400_000)


def test_keep_fields_given_as_a_string_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"keep_fields='orderId' is a string"):
        _split(new_stack(), "bus", keep_fields="orderId")


def test_function_runs_the_split_handler_on_arm64_python_with_the_powertools_layer_and_tracing() -> None:
    stack = new_stack()
    _split(stack, "bus")
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "runtime.split.handler",
            "Runtime": "python3.14",
            "Architectures": ["arm64"],
            "TracingConfig": {"Mode": "Active"},
            "MemorySize": 512,
            "Timeout": 30,
            "Layers": [
                {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            {"Ref": "AWS::Partition"},
                            ":lambda:",
                            {"Ref": "AWS::Region"},
                            Match.string_like_regexp(
                                r":017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:\d+$"
                            ),
                        ],
                    ]
                }
            ],
        },
    )


def test_x86_function_uses_the_x86_layer() -> None:
    stack = new_stack()
    _split(stack, "bus", function_architecture=lambda_.Architecture.X86_64)
    template = json.dumps(Template.from_stack(stack).to_json())
    assert "AWSLambdaPowertoolsPythonV3-python314-x86_64" in template


def test_powertools_layer_can_be_overridden() -> None:
    stack = new_stack()
    layer = lambda_.LayerVersion.from_layer_version_arn(
        stack,
        "OwnLayer",
        "arn:aws-cn:lambda:cn-north-1:498634801083:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:1",
    )
    _split(stack, "bus", powertools_layer=layer)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function", {"Layers": [layer.layer_version_arn]}
    )


def test_function_logs_to_its_own_log_group_with_retention() -> None:
    stack = new_stack()
    split = _split(stack, "bus")
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function", {"LoggingConfig": {"LogGroup": {"Ref": logical_id(split.log_group)}}}
    )
    Template.from_stack(stack).has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})


@pytest.mark.parametrize(
    ("memory", "message"), [(127, "function_memory_size=127"), (10_241, "function_memory_size=10241")]
)
def test_function_memory_outside_lambda_limits_is_rejected(memory: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _split(new_stack(), "bus", function_memory_size=memory)


def test_environment_encryption_key_is_used_for_the_function() -> None:
    stack = new_stack()
    key = kms.Key(stack, "EnvKey")
    _split(stack, "bus", encryption_key=key)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function", {"KmsKeyArn": {"Fn::GetAtt": [logical_id(key), "Arn"]}}
    )


# --- logs and alarms ------------------------------------------------------------------------------


def test_pipe_logs_errors_to_its_log_group_by_default() -> None:
    stack = new_stack()
    split = _split(stack, "bus")
    assert _pipe_properties(stack)["LogConfiguration"] == {
        "CloudwatchLogsLogDestination": {
            "LogGroupArn": {"Fn::GetAtt": [logical_id(split.pipe_log_group), "Arn"]}
        },
        "Level": "ERROR",
    }


def test_pipe_log_level_off_creates_no_pipe_log_group() -> None:
    stack = new_stack()
    split = _split(stack, "bus", pipe_log_level=PipeLogLevel.OFF)
    assert "LogConfiguration" not in _pipe_properties(stack)
    assert split.pipe_log_group is None


def test_alarms_cover_pipe_failures_throttles_function_errors_and_the_source_dlq() -> None:
    stack = new_stack()
    split = _split(stack, "bus")
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


def test_imported_source_alarms_on_the_given_dlq() -> None:
    stack = new_stack()
    dlq = sqs.Queue.from_queue_arn(stack, "ImportedDlq", "arn:aws:sqs:us-east-1:111111111111:imported-dlq")
    split = _split(stack, "bus", source=imported_queue(stack), source_dead_letter_queue=dlq)
    Template.from_stack(stack).has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": "imported-dlq"}],
        },
    )
    assert "SourceDeadLetterQueueNotEmpty" in split.alarms


def test_alarms_can_be_turned_off() -> None:
    stack = new_stack()
    split = _split(stack, "bus", alarms_enabled=False)
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 0)
    assert dict(split.alarms) == {}


def test_encrypted_target_queue_lets_the_pipe_use_its_key() -> None:
    stack = new_stack()
    key = kms.Key(stack, "TargetKey")
    encrypted = sqs.Queue(
        stack, "EncryptedTarget", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key
    )
    split = ClaimCheckSplitPipe(
        stack,
        "Split",
        source=queue_with_dlq(stack, "Inbox"),
        store=ClaimCheckStore(stack, "Store"),
        target=encrypted,
    )
    assert {action for action, resource in grants(stack, split.pipe_role) if resource == arn_of(key)} == {
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }


def test_encrypted_target_topic_lets_the_pipe_use_its_key() -> None:
    stack = new_stack()
    key = kms.Key(stack, "TopicKey")
    encrypted = sns.Topic(stack, "EncryptedTopic", master_key=key)
    split = ClaimCheckSplitPipe(
        stack,
        "Split",
        source=queue_with_dlq(stack, "Inbox"),
        store=ClaimCheckStore(stack, "Store"),
        target=encrypted,
    )
    assert {action for action, resource in grants(stack, split.pipe_role) if resource == arn_of(key)} == {
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }


def test_function_timeout_over_15_minutes_is_rejected() -> None:
    stack = new_stack()
    patient = queue_with_dlq(stack, "Patient", visibility_timeout=Duration.minutes(20))
    with pytest.raises(ValueError, match=r"function_timeout=901 seconds is outside 1\.\.900"):
        _split(stack, "bus", source=patient, function_timeout=Duration.seconds(901))


def test_keep_fields_with_an_empty_name_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"keep_fields has ''"):
        _split(new_stack(), "bus", keep_fields=["orderId", ""])


def test_event_source_with_non_ascii_characters_is_rejected() -> None:
    with pytest.raises(
        ValueError, match=r"event_source='shop\.bestellungen-ü' has characters outside printable"
    ):
        _split(new_stack(), "bus", event_source="shop.bestellungen-ü")


def test_store_that_is_neither_a_store_nor_a_table_is_rejected() -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"store: Queue is neither a ClaimCheckStore nor a dynamodb\.ITable"):
        _split(stack, "bus", store=sqs.Queue(stack, "NotAStore"))


def test_fifo_target_queue_gets_one_group_and_claim_id_deduplication() -> None:
    stack = new_stack()
    fifo = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    ClaimCheckSplitPipe(
        stack,
        "Split",
        source=queue_with_dlq(stack, "Inbox"),
        store=ClaimCheckStore(stack, "Store"),
        target=fifo,
    )
    assert _pipe_properties(stack)["TargetParameters"] == {
        "SqsQueueParameters": {"MessageGroupId": "claim-check", "MessageDeduplicationId": "$.claimCheck.id"}
    }
