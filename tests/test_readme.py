"""The README's minimal example is real code: it synthesizes, and wires what it says it wires."""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk
from aws_cdk.assertions import Annotations, Match, Template

README = Path(__file__).resolve().parent.parent / "README.md"


def _minimal_example_source() -> str:
    section = README.read_text().split("## Minimal example", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "README has no python block under 'Minimal example'"
    return match.group(1)


def test_readme_minimal_example_synthesizes_both_pipes_and_the_store() -> None:
    namespace: dict[str, object] = {}
    exec(compile(_minimal_example_source(), str(README), "exec"), namespace)
    app = cdk.App()
    stack_class = namespace["OrdersStack"]
    assert isinstance(stack_class, type)
    stack = stack_class(app, "Orders")
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Pipes::Pipe", 2)
    template.resource_count_is("AWS::DynamoDB::Table", 1)
    template.resource_count_is("AWS::S3::Bucket", 1)
    template.has_resource_properties(
        "AWS::Pipes::Pipe",
        {
            "TargetParameters": {
                "EventBridgeEventBusParameters": {"DetailType": "OrderReceived", "Source": "shop.orders"}
            }
        },
    )


def test_readme_minimal_example_synthesizes_without_warnings() -> None:
    namespace: dict[str, object] = {}
    exec(compile(_minimal_example_source(), str(README), "exec"), namespace)
    stack_class = namespace["OrdersStack"]
    assert isinstance(stack_class, type)
    stack = stack_class(cdk.App(), "Orders")
    Annotations.from_stack(stack).has_no_warning("*", Match.any_value())


def test_readme_lists_every_warning_the_constructs_can_give() -> None:
    source = Path(__file__).resolve().parent.parent / "src" / "cdk_claim_check"
    ids = set()
    for module in source.glob("*.py"):
        ids |= set(re.findall(r"\"(cdk-claim-check:[A-Za-z]+)\"", module.read_text()))
    assert ids, "no warning ids found: the scan is broken"
    readme = README.read_text()
    assert sorted(warning for warning in ids if f"`{warning}`" not in readme) == []


def test_readme_layer_example_synthesizes_with_the_grants_it_names() -> None:
    from aws_cdk import aws_lambda as lambda_

    from cdk_claim_check import ClaimCheckStore

    section = README.read_text().split("### Redeeming claim checks in your own code", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "README has no python block under 'Redeeming claim checks in your own code'"
    stack = cdk.Stack(cdk.App(), "Consumer")
    namespace: dict[str, object] = {
        "self": stack,
        "lambda_": lambda_,
        "store": ClaimCheckStore(stack, "Store"),
    }
    exec(
        compile(
            match.group(1).replace(
                'code=lambda_.Code.from_asset("consumer")', 'code=lambda_.Code.from_inline("x")'
            ),
            str(README),
            "exec",
        ),
        namespace,
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Lambda::LayerVersion", 1)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with([Match.object_like({"Action": "dynamodb:BatchGetItem"})])
            }
        },
    )
