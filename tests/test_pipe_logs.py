"""Pipe log destinations: CloudWatch Logs, S3 and Firehose, the pipe role's grants, and bad combinations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from _synth import (
    ACCOUNT,
    arn_of,
    grants,
    logical_id,
    new_stack,
    pipe_properties,
    render,
    retrieval_pipe,
    role_statements,
    split_pipe,
)
from cdk_claim_check import ClaimCheckStore

PipeBuilder = Callable[..., Any]


@pytest.fixture(params=[split_pipe, retrieval_pipe], ids=["split", "retrieval"])
def pipe(request: pytest.FixtureRequest) -> PipeBuilder:
    builder: PipeBuilder = request.param
    return builder


def _stream(stack: cdk.Stack) -> firehose.IDeliveryStream:
    return firehose.DeliveryStream.from_delivery_stream_arn(
        stack, "LogStream", "arn:aws:firehose:us-east-1:123456789012:deliverystream/pipe-logs"
    )


def _object_arn(stack: cdk.Stack, bucket: s3.IBucket, key: str) -> str:
    return render(stack.resolve(bucket.arn_for_objects(key)))


def test_pipe_logs_to_s3_under_a_prefix_and_may_put_objects_only_there(pipe: PipeBuilder) -> None:
    stack = new_stack()
    bucket = s3.Bucket(stack, "PipeLogs", enforce_ssl=True)
    construct = pipe(stack, pipe_log_bucket=bucket, pipe_log_bucket_prefix="pipes/orders/")
    configuration = pipe_properties(stack)["LogConfiguration"]
    assert configuration["S3LogDestination"] == {
        "BucketName": {"Ref": logical_id(bucket)},
        "BucketOwner": ACCOUNT,
        "OutputFormat": "json",
        "Prefix": "pipes/orders/",
    }
    assert "CloudwatchLogsLogDestination" in configuration  # beside CloudWatch, not instead of it
    on_bucket = {(a, r) for a, r in grants(stack, construct.pipe_role) if "PipeLogs" in r}
    assert on_bucket == {("s3:PutObject", _object_arn(stack, bucket, "pipes/orders/*"))}


def test_pipe_role_may_use_the_key_of_a_kms_encrypted_log_bucket(pipe: PipeBuilder) -> None:
    stack = new_stack()
    key = kms.Key(stack, "LogKey")
    bucket = s3.Bucket(stack, "PipeLogs", encryption_key=key, enforce_ssl=True)
    construct = pipe(stack, pipe_log_bucket=bucket, pipe_log_bucket_prefix="pipes/")
    assert ("kms:GenerateDataKey", arn_of(key)) in grants(stack, construct.pipe_role)
    (statement,) = [
        s for s in role_statements(stack, construct.pipe_role) if s["Action"] == "kms:GenerateDataKey"
    ]
    # Only through S3, and only for the log objects of that bucket.
    assert render(statement["Condition"]["StringEquals"]["kms:ViaService"]) == "s3.us-east-1.<AWS::URLSuffix>"
    contexts = statement["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"]
    assert [render(c) for c in contexts] == [arn_of(bucket), f"{arn_of(bucket)}/pipes/*"]


def test_pipe_logs_to_firehose_with_execution_data_and_may_put_records_on_that_stream(
    pipe: PipeBuilder,
) -> None:
    stack = new_stack()
    stream = _stream(stack)
    construct = pipe(
        stack,
        pipe_log_delivery_stream=stream,
        pipe_log_to_cloudwatch=False,
        pipe_log_include_execution_data=True,
    )
    configuration = pipe_properties(stack)["LogConfiguration"]
    assert configuration == {
        "Level": "ERROR",
        "IncludeExecutionData": ["ALL"],
        "FirehoseLogDestination": {"DeliveryStreamArn": stream.delivery_stream_arn},
    }
    on_stream = {(a, r) for a, r in grants(stack, construct.pipe_role) if r == stream.delivery_stream_arn}
    assert on_stream == {
        ("firehose:PutRecord", stream.delivery_stream_arn),
        ("firehose:PutRecordBatch", stream.delivery_stream_arn),
    }
    assert construct.pipe_log_group is None
    Template.from_stack(stack).resource_count_is("AWS::Logs::LogGroup", 1)  # the function's only


def test_all_three_destinations_at_once(pipe: PipeBuilder) -> None:
    stack = new_stack()
    pipe(stack, pipe_log_bucket=s3.Bucket(stack, "PipeLogs"), pipe_log_delivery_stream=_stream(stack))
    assert {
        "CloudwatchLogsLogDestination",
        "S3LogDestination",
        "FirehoseLogDestination",
    } <= set(pipe_properties(stack)["LogConfiguration"])


def test_a_log_bucket_that_is_also_named_for_extended_client_pointers_is_refused(pipe: PipeBuilder) -> None:
    # The retrieval would then read the pipe's own log objects, execution data included, as payloads.
    stack = new_stack()
    shared = s3.Bucket(stack, "Shared", enforce_ssl=True)
    with pytest.raises(ValueError, match=r"pipe_log_bucket is also in extended_client_buckets"):
        pipe(stack, extended_client_buckets=[shared], pipe_log_bucket=shared)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        pytest.param(
            {"pipe_log_level": "OFF", "pipe_log_bucket_prefix": "p/"},
            r"pipe_log_level is OFF, so pipe_log_bucket_prefix would never be used",
            id="off-with-a-destination",
        ),
        pytest.param(
            {"pipe_log_level": "OFF", "pipe_log_include_execution_data": True},
            r"pipe_log_level is OFF, so pipe_log_include_execution_data would never be used",
            id="off-with-execution-data",
        ),
        pytest.param(
            {"pipe_log_to_cloudwatch": False},
            r"pipe_log_to_cloudwatch=False leaves the pipe no log destination; pass pipe_log_bucket",
            id="no-destination-left",
        ),
        pytest.param(
            {"pipe_log_bucket_prefix": "pipes/"},
            r"pipe_log_bucket_prefix is set without pipe_log_bucket",
            id="prefix-without-bucket",
        ),
    ],
)
def test_contradicting_log_props_are_refused_naming_them(
    pipe: PipeBuilder, props: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        pipe(new_stack(), **props)


def test_a_log_group_with_cloudwatch_turned_off_is_refused(pipe: PipeBuilder) -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"pipe_log_group is set but pipe_log_to_cloudwatch=False"):
        pipe(
            stack,
            pipe_log_group=logs.LogGroup(stack, "Central"),
            pipe_log_to_cloudwatch=False,
            pipe_log_bucket=s3.Bucket(stack, "PipeLogs"),
        )


@pytest.mark.parametrize("prefix", ["", "/pipes/", "pipes/*"])
def test_a_prefix_that_is_not_a_key_prefix_is_refused(pipe: PipeBuilder, prefix: str) -> None:
    stack = new_stack()
    with pytest.raises(ValueError, match=r"pipe_log_bucket_prefix=.* is not a key prefix"):
        pipe(stack, pipe_log_bucket=s3.Bucket(stack, "PipeLogs"), pipe_log_bucket_prefix=prefix)


@pytest.mark.parametrize("imported", ["same-object", "by-name", "by-arn"])
def test_the_store_bucket_is_refused_as_the_log_bucket(pipe: PipeBuilder, imported: str) -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    assert store.bucket is not None
    bucket = {
        "same-object": lambda: store.bucket,
        "by-name": lambda: s3.Bucket.from_bucket_name(stack, "Again", store.bucket.bucket_name),
        "by-arn": lambda: s3.Bucket.from_bucket_arn(stack, "Again", store.bucket.bucket_arn),
    }[imported]()
    with pytest.raises(ValueError, match=r"pipe_log_bucket is the store's own bucket"):
        pipe(stack, store=store, pipe_log_bucket=bucket)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        pytest.param(
            {"pipe_log_bucket": "central-logs"},
            r"pipe_log_bucket='central-logs' is a str; pass an s3.IBucket",
            id="bucket",
        ),
        pytest.param(
            {"pipe_log_delivery_stream": "arn:aws:firehose:us-east-1:1:deliverystream/x"},
            r"pipe_log_delivery_stream='arn:[^']*' is a str; pass a kinesisfirehose.IDeliveryStream",
            id="stream",
        ),
        pytest.param(
            {"pipe_log_to_cloudwatch": "no"},
            r"pipe_log_to_cloudwatch='no' is a str; pass True or False",
            id="flag",
        ),
    ],
)
def test_log_props_of_the_wrong_kind_name_the_prop_and_what_to_pass(
    pipe: PipeBuilder, props: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        pipe(new_stack(), **props)
