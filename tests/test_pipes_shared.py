"""What both pipes share, tested over both: batching window, sources, timeouts, bus parameters, function,
pipe logs, alarms, and the props they refuse."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Size
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from _synth import (
    IMPORTED_QUEUE_ARN,
    arn_of,
    grants,
    imported_queue,
    logical_id,
    new_stack,
    pipe_properties,
    queue_with_dlq,
    retrieval_pipe,
    split_pipe,
)


@dataclass(frozen=True)
class PipeKind:
    name: str
    make: Callable[..., Any]
    path: str
    small_records: dict[str, Any]
    """Props that let 1 KiB records batch by the hundred (the retrieval also bounds its payloads)."""

    def __call__(self, stack: cdk.Stack, target: Any = "bus", **props: Any) -> Any:
        return self.make(stack, target, **props)


PIPES = [
    PipeKind("split", split_pipe, "/Stack/Split", {}),
    PipeKind("retrieval", retrieval_pipe, "/Stack/Retrieve", {"max_payload_size": Size.kibibytes(1)}),
]


@pytest.fixture(params=PIPES, ids=[kind.name for kind in PIPES])
def pipe(request: pytest.FixtureRequest) -> PipeKind:
    kind: PipeKind = request.param
    return kind


def test_batch_above_10_needs_a_batching_window(pipe: PipeKind) -> None:
    stack = new_stack()
    small = queue_with_dlq(stack, "Small", max_message_size_bytes=1024)
    with pytest.raises(ValueError, match=r"batch_size=100 is above 10.*maximum_batching_window"):
        pipe(stack, "function", source=small, batch_size=100, **pipe.small_records)


def test_batch_above_10_with_a_batching_window_reaches_a_function_target(pipe: PipeKind) -> None:
    stack = new_stack()
    small = queue_with_dlq(stack, "Small", max_message_size_bytes=1024)
    pipe(
        stack,
        "function",
        source=small,
        batch_size=100,
        maximum_batching_window=Duration.seconds(5),
        **pipe.small_records,
    )
    assert pipe_properties(stack)["SourceParameters"]["SqsQueueParameters"] == {
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 5,
    }


def test_batching_window_over_300_seconds_is_rejected(pipe: PipeKind) -> None:
    with pytest.raises(ValueError, match=r"maximum_batching_window=301 seconds"):
        pipe(new_stack(), maximum_batching_window=Duration.seconds(301))


def test_imported_source_is_consumed_by_arn(pipe: PipeKind) -> None:
    stack = new_stack()
    construct = pipe(stack, source=imported_queue(stack), batch_size=5)
    assert pipe_properties(stack)["Source"] == IMPORTED_QUEUE_ARN
    assert ("sqs:ReceiveMessage", IMPORTED_QUEUE_ARN) in grants(stack, construct.pipe_role)


def test_imported_source_without_a_known_dlq_gets_a_warning(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack, source=imported_queue(stack))
    Annotations.from_stack(stack).has_warning(
        pipe.path, Match.string_like_regexp("no dead-letter queue.*source_dead_letter_queue")
    )


def test_created_source_without_a_dlq_gets_a_warning(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack, source=sqs.Queue(stack, "Bare", enforce_ssl=True))
    Annotations.from_stack(stack).has_warning(pipe.path, Match.string_like_regexp("no dead-letter queue"))


def test_created_source_with_a_dlq_gets_no_warning(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack)
    Annotations.from_stack(stack).has_no_warning(pipe.path, Match.any_value())


def test_a_dlq_after_fewer_than_five_receives_gets_a_warning(pipe: PipeKind) -> None:
    stack = new_stack()
    dlq = sqs.Queue(stack, "OnceDlq", enforce_ssl=True)
    once = sqs.Queue(
        stack, "Once", enforce_ssl=True, dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=1, queue=dlq)
    )
    pipe(stack, source=once)
    Annotations.from_stack(stack).has_warning(
        pipe.path, Match.string_like_regexp("after 1 receive.*Use maxReceiveCount >= 5")
    )


def test_missing_dlq_warning_can_be_acknowledged_by_its_id(pipe: PipeKind) -> None:
    stack = new_stack()
    construct = pipe(stack, source=imported_queue(stack))
    cdk.Annotations.of(construct).acknowledge_warning(
        "cdk-claim-check:SourceWithoutDeadLetterQueue", "the imported queue's DLQ is monitored elsewhere"
    )
    Annotations.from_stack(stack).has_no_warning(pipe.path, Match.any_value())


def test_imported_source_alarms_on_the_given_dlq(pipe: PipeKind) -> None:
    stack = new_stack()
    dlq = sqs.Queue.from_queue_arn(stack, "ImportedDlq", "arn:aws:sqs:us-east-1:111111111111:imported-dlq")
    construct = pipe(stack, source=imported_queue(stack), source_dead_letter_queue=dlq)
    Template.from_stack(stack).has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": "imported-dlq"}],
        },
    )
    assert "SourceDeadLetterQueueNotEmpty" in construct.alarms


def test_encrypted_source_lets_the_pipe_decrypt_with_its_key(pipe: PipeKind) -> None:
    stack = new_stack()
    key = kms.Key(stack, "QueueKey")
    encrypted = queue_with_dlq(
        stack, "Encrypted", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key
    )
    construct = pipe(stack, source=encrypted)
    assert ("kms:Decrypt", arn_of(key)) in grants(stack, construct.pipe_role)


def test_visibility_timeout_shorter_than_the_function_timeout_is_rejected(pipe: PipeKind) -> None:
    stack = new_stack()
    hasty = queue_with_dlq(stack, "Hasty", visibility_timeout=Duration.seconds(20))
    with pytest.raises(ValueError, match=r"visibility timeout \(20 s\) is shorter .* timeout \(30 s\)"):
        pipe(stack, source=hasty)


def test_function_timeout_longer_than_the_default_visibility_timeout_is_rejected(pipe: PipeKind) -> None:
    with pytest.raises(ValueError, match=r"visibility timeout \(30 s\) is shorter .* timeout \(60 s\)"):
        pipe(new_stack(), function_timeout=Duration.seconds(60))


def test_function_timeout_over_15_minutes_is_rejected(pipe: PipeKind) -> None:
    stack = new_stack()
    patient = queue_with_dlq(stack, "Patient", visibility_timeout=Duration.minutes(20))
    with pytest.raises(ValueError, match=r"function_timeout=901 seconds is outside 1\.\.900"):
        pipe(stack, source=patient, function_timeout=Duration.seconds(901))


@pytest.mark.parametrize("memory", [127, 10_241])
def test_function_memory_outside_lambda_limits_is_rejected(pipe: PipeKind, memory: int) -> None:
    with pytest.raises(ValueError, match=rf"function_memory_size={memory} MB is outside 128\.\.10240"):
        pipe(new_stack(), function_memory_size=memory)


def test_function_logs_to_its_own_log_group_with_retention(pipe: PipeKind) -> None:
    stack = new_stack()
    construct = pipe(stack, log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function",
        {"LoggingConfig": {"LogGroup": {"Ref": logical_id(construct.function_log_group)}}},
    )
    Template.from_stack(stack).has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 7})


def test_environment_encryption_key_is_used_for_the_function(pipe: PipeKind) -> None:
    stack = new_stack()
    key = kms.Key(stack, "EnvKey")
    pipe(stack, environment_encryption_key=key)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function", {"KmsKeyArn": {"Fn::GetAtt": [logical_id(key), "Arn"]}}
    )


def test_pipe_log_level_off_creates_no_pipe_log_group(pipe: PipeKind) -> None:
    stack = new_stack()
    construct = pipe(stack, pipe_log_level="OFF")
    assert construct.pipe_log_group is None
    assert "LogConfiguration" not in pipe_properties(stack)


def test_alarms_can_be_turned_off(pipe: PipeKind) -> None:
    stack = new_stack()
    construct = pipe(stack, alarms_enabled=False)
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 0)
    assert dict(construct.alarms) == {}


def test_bus_target_uses_the_given_detail_type_and_event_source(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack, "bus", detail_type="OrderReceived", event_source="shop.orders")
    assert pipe_properties(stack)["TargetParameters"] == {
        "EventBridgeEventBusParameters": {"DetailType": "OrderReceived", "Source": "shop.orders"}
    }


@pytest.mark.parametrize("prop", ["detail_type", "event_source"])
def test_bus_parameters_on_another_target_are_rejected(pipe: PipeKind, prop: str) -> None:
    with pytest.raises(ValueError, match=rf"{prop} is set but the target is an SQS queue"):
        pipe(new_stack(), "queue", **{prop: "x"})


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"event_source": "aws.orders"}, r"event_source='aws.orders' starts with 'aws.'"),
        ({"event_source": "s" * 257}, r"event_source has 257 characters"),
        (
            {"event_source": "shop.bestellungen-ü"},
            r"event_source='shop\.bestellungen-ü' has characters outside",
        ),
        ({"detail_type": "d" * 129}, r"detail_type has 129 characters"),
    ],
    ids=["aws-prefix", "too-long-source", "non-ascii-source", "too-long-detail-type"],
)
def test_invalid_bus_parameters_are_rejected(pipe: PipeKind, props: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pipe(new_stack(), "bus", **props)


def test_misspelt_shared_prop_is_refused_naming_the_prop_it_resembles(pipe: PipeKind) -> None:
    with pytest.raises(TypeError, match=r"unexpected prop 'batchsize'; did you mean 'batch_size'"):
        pipe(new_stack(), batchsize=5)


def test_plain_table_as_store_is_refused_with_the_way_to_wrap_it(pipe: PipeKind) -> None:
    stack = new_stack()
    table = dynamodb.Table.from_table_name(stack, "Existing", "claims")
    with pytest.raises(TypeError, match=r"store: got a DynamoDB table.*ClaimCheckStore.from_table"):
        pipe(stack, store=table)


def test_store_that_is_not_a_store_is_rejected(pipe: PipeKind) -> None:
    stack = new_stack()
    with pytest.raises(TypeError, match=r"store: got Queue; pass a ClaimCheckStore"):
        pipe(stack, store=sqs.Queue(stack, "NotAStore"))


def test_topic_as_source_is_refused_saying_to_subscribe_a_queue(pipe: PipeKind) -> None:
    stack = new_stack()
    topic = sns.Topic(stack, "Orders")
    with pytest.raises(
        TypeError, match=r"source: got Topic; pass an sqs.IQueue \(to consume a topic, subscribe"
    ):
        pipe(stack, source=topic)


@pytest.mark.parametrize("given", ["ERROR", "error", "Error"])
def test_pipe_log_level_is_accepted_as_a_string(pipe: PipeKind, given: str) -> None:
    stack = new_stack()
    pipe(stack, pipe_log_level=given)
    assert pipe_properties(stack)["LogConfiguration"]["Level"] == "ERROR"


def test_unknown_pipe_log_level_names_the_prop_and_the_choices(pipe: PipeKind) -> None:
    with pytest.raises(
        ValueError, match=r"pipe_log_level='LOUD' is not a PipeLogLevel; pass one of PipeLogLevel.OFF"
    ):
        pipe(new_stack(), pipe_log_level="LOUD")


def test_token_batch_size_is_refused_naming_the_prop(pipe: PipeKind) -> None:
    stack = new_stack()
    token = cdk.Token.as_number(cdk.CfnParameter(stack, "BatchSize", type="Number").value_as_number)
    with pytest.raises(ValueError, match=r"batch_size is an unresolved token.*pass a plain int"):
        pipe(stack, batch_size=token)


@pytest.mark.parametrize("given", ["10", 2.5, True])
def test_batch_size_that_is_not_a_whole_number_is_refused(pipe: PipeKind, given: object) -> None:
    with pytest.raises((TypeError, ValueError), match=r"batch_size="):
        pipe(new_stack(), batch_size=given)


def test_state_machine_invocation_is_accepted_as_a_string(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack, "state_machine", state_machine_invocation="fire_and_forget")
    parameters = pipe_properties(stack)["TargetParameters"]["StepFunctionStateMachineParameters"]
    assert parameters == {"InvocationType": "FIRE_AND_FORGET"}


def test_pipe_name_description_and_desired_state_are_set(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack, pipe_name="orders-claims", pipe_description="Orders", desired_state="STOPPED")
    properties = pipe_properties(stack)
    assert (properties["Name"], properties["Description"], properties["DesiredState"]) == (
        "orders-claims",
        "Orders",
        "STOPPED",
    )


def test_pipe_gets_no_physical_name_by_default_and_runs(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack)
    properties = pipe_properties(stack)
    assert "Name" not in properties
    assert properties["DesiredState"] == "RUNNING"


@pytest.mark.parametrize("name", ["", "has space", "x" * 65])
def test_invalid_pipe_name_is_refused(pipe: PipeKind, name: str) -> None:
    with pytest.raises(ValueError, match=r"pipe_name=.* is not 1\.\.64 letters"):
        pipe(new_stack(), pipe_name=name)


def test_given_filter_patterns_become_the_source_filter(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack, filter_patterns=[{"body": {"type": ["order"]}}])
    filters = pipe_properties(stack)["SourceParameters"]["FilterCriteria"]["Filters"]
    assert [json.loads(f["Pattern"]) for f in filters] == [{"body": {"type": ["order"]}}]


def test_an_empty_filter_list_filters_nothing(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack, filter_patterns=[])
    assert "FilterCriteria" not in pipe_properties(stack)["SourceParameters"]


@pytest.mark.parametrize("patterns", [{"body": {}}, [{}], [{"a": [1]}] * 6, ["body"]])
def test_malformed_filter_patterns_are_refused(pipe: PipeKind, patterns: Any) -> None:
    with pytest.raises(ValueError, match=r"filter_patterns"):
        pipe(new_stack(), filter_patterns=patterns)


def test_pipe_logs_to_a_given_log_group_with_execution_data_when_asked(pipe: PipeKind) -> None:
    stack = new_stack()
    group = cdk.aws_logs.LogGroup(stack, "Central")
    construct = pipe(stack, pipe_log_group=group, pipe_log_include_execution_data=True)
    configuration = pipe_properties(stack)["LogConfiguration"]
    assert configuration["CloudwatchLogsLogDestination"] == {
        "LogGroupArn": {"Fn::GetAtt": [logical_id(group), "Arn"]}
    }
    assert configuration["IncludeExecutionData"] == ["ALL"]
    assert construct.pipe_log_group is group


def test_pipe_logs_leave_execution_data_out_by_default(pipe: PipeKind) -> None:
    stack = new_stack()
    pipe(stack)
    assert "IncludeExecutionData" not in pipe_properties(stack)["LogConfiguration"]


def test_pipe_encryption_key_encrypts_the_pipe_and_the_pipe_role_may_use_it(pipe: PipeKind) -> None:
    stack = new_stack()
    key = kms.Key(stack, "PipeKey")
    construct = pipe(stack, pipe_encryption_key=key)
    assert pipe_properties(stack)["KmsKeyIdentifier"] == {"Fn::GetAtt": [logical_id(key), "Arn"]}
    granted = {action for action, resource in grants(stack, construct.pipe_role) if resource == arn_of(key)}
    assert granted == {"kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"}


def test_pipe_role_trusts_only_pipes_of_its_account_and_region(pipe: PipeKind) -> None:
    stack = new_stack()
    construct = pipe(stack)
    role = Template.from_stack(stack).to_json()["Resources"][logical_id(construct.pipe_role)]
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "pipes.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "111111111111"}
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": {
            "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":pipes:us-east-1:111111111111:pipe/*"]]
        }
    }


def test_log_encryption_key_encrypts_both_log_groups_and_lets_cloudwatch_logs_use_it(pipe: PipeKind) -> None:
    stack = new_stack()
    key = kms.Key(stack, "LogKey")
    pipe(stack, log_encryption_key=key)
    template = Template.from_stack(stack)
    groups = template.find_resources("AWS::Logs::LogGroup")
    assert len(groups) == 2
    assert all(
        g["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [logical_id(key), "Arn"]} for g in groups.values()
    )
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [Match.object_like({"Principal": {"Service": "logs.us-east-1.amazonaws.com"}})]
                )
            }
        },
    )


def test_the_source_queue_as_the_target_is_refused_as_an_endless_loop(pipe: PipeKind) -> None:
    stack = new_stack()
    queue = queue_with_dlq(stack, "Loop")
    with pytest.raises(ValueError, match=r"target is the pipe's own source queue"):
        pipe(stack, queue, source=queue)


def test_the_source_queue_imported_again_as_the_target_is_refused_too(pipe: PipeKind) -> None:
    stack = new_stack()
    queue = queue_with_dlq(stack, "Loop")
    again = sqs.Queue.from_queue_arn(stack, "Again", queue.queue_arn)
    with pytest.raises(ValueError, match=r"target is the pipe's own source queue"):
        pipe(stack, again, source=queue)
