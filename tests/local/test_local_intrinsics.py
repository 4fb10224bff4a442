"""Intrinsic functions resolve to the local resources' names, ARNs and URLs, as CloudFormation would."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_claim_check.local.intrinsics import ResourceIndex, UnresolvableError

TEMPLATE: dict[str, Any] = {
    "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
    "Mappings": {"Layers": {"eu-west-1": {"arn": "arn:aws:lambda:eu-west-1:1:layer:x:1"}}},
    "Conditions": {"IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]}},
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "NamedQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-named"}},
        },
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "app-bus"}},
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventBusName": {"Ref": "Bus"}}},
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
    },
}


@pytest.fixture
def index() -> ResourceIndex:
    return ResourceIndex(TEMPLATE, stack_name="Demo", region="eu-west-1")


def test_generated_and_explicit_names_follow_cloudformation(index: ResourceIndex) -> None:
    assert index.resources["Queue"].name == "Demo-Queue"
    assert index.resources["NamedQueue"].name == "Demo-named"
    assert index.resources["Bucket"].name == "demo-bucket"  # bucket names are lower case


def test_ref_and_getatt_give_what_each_type_documents(index: ResourceIndex) -> None:
    assert index.resolve({"Fn::GetAtt": ["Queue", "Arn"]}) == "arn:aws:sqs:eu-west-1:123456789012:Demo-Queue"
    assert (
        index.resolve({"Ref": "Machine"}) == "arn:aws:states:eu-west-1:123456789012:stateMachine:Demo-Machine"
    )
    assert index.resolve({"Ref": "Bus"}) == "app-bus"
    assert index.resolve({"Ref": "Rule"}) == "app-bus|Demo-Rule"  # a rule on a custom bus


def test_queue_ref_is_the_url_moto_gave_once_it_exists(index: ResourceIndex) -> None:
    index.set_queue_url("Queue", "http://127.0.0.1:5000/123456789012/Demo-Queue")
    assert index.resolve({"Ref": "Queue"}) == "http://127.0.0.1:5000/123456789012/Demo-Queue"


def test_join_sub_select_split_findinmap_and_if_compose(index: ResourceIndex) -> None:
    joined = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "Bucket"}, "/*"]]}
    assert index.resolve(joined) == "arn:aws:s3:::demo-bucket/*"
    assert index.resolve(
        {"Fn::Sub": ["${Q}-${AWS::Region}", {"Q": {"Fn::GetAtt": ["Queue", "QueueName"]}}]}
    ) == ("Demo-Queue-eu-west-1")
    assert index.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert index.resolve({"Fn::FindInMap": ["Layers", {"Ref": "AWS::Region"}, "arn"]}) == (
        "arn:aws:lambda:eu-west-1:1:layer:x:1"
    )
    assert index.resolve({"Fn::If": ["IsDev", "yes", "no"]}) == "yes"


def test_novalue_drops_the_property(index: ResourceIndex) -> None:
    assert index.resolve({"A": 1, "B": {"Ref": "AWS::NoValue"}}) == {"A": 1}


def test_import_value_is_refused_with_a_clear_error(index: ResourceIndex) -> None:
    with pytest.raises(UnresolvableError, match="Fn::ImportValue"):
        index.resolve({"Fn::ImportValue": "shared-bus"})
