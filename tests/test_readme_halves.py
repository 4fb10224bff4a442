"""The README's examples of each half on its own are real code: each synthesizes one pipe as described."""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

import cdk_claim_check

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[str]:
    section = README.read_text().split("## Each half on its own", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 2, "expected the split and the retrieval example"
    return blocks


def _function(stack: cdk.Stack, name: str) -> lambda_.Function:
    return lambda_.Function(
        stack, name, runtime=lambda_.Runtime.PYTHON_3_13, handler="a.b", code=lambda_.Code.from_inline("x")
    )


def _run(block: str) -> Template:
    stack = cdk.Stack(cdk.App(), "Half")
    namespace: dict[str, object] = {
        **{name: getattr(cdk_claim_check, name) for name in cdk_claim_check.__all__},
        "self": stack,
        "Duration": Duration,
        "dynamodb": dynamodb,
        "s3": s3,
        "bus": events.EventBus(stack, "Bus"),
        "producer_function": _function(stack, "Producer"),
        "consumer_function": _function(stack, "Consumer"),
    }
    exec(compile(block, str(README), "exec"), namespace)
    return Template.from_stack(stack)


def test_the_split_alone_creates_its_inbox_and_sends_claim_checks_to_the_bus() -> None:
    template = _run(_blocks()[0])
    template.resource_count_is("AWS::Pipes::Pipe", 1)
    template.resource_count_is("AWS::SQS::Queue", 2)  # the inbox and its DLQ
    template.has_resource_properties(
        "AWS::Pipes::Pipe",
        {"TargetParameters": {"EventBridgeEventBusParameters": {"DetailType": "OrderReceived"}}},
    )
    send = Match.object_like({"Action": Match.array_with(["sqs:SendMessage"])})
    template.has_resource_properties(
        "AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([send])}}
    )


def test_the_retrieval_alone_redeems_from_an_imported_store_for_a_function() -> None:
    template = _run(_blocks()[1])
    template.resource_count_is("AWS::Pipes::Pipe", 1)
    template.resource_count_is("AWS::DynamoDB::Table", 0)
    template.resource_count_is("AWS::S3::Bucket", 0)
    template.has_resource_properties("AWS::Pipes::Pipe", {"Target": Match.any_value()})
