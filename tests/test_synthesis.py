"""Synthesis as a whole: cfn-lint finds no errors, and copies of the constructs never collide."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk.assertions import Template

from _synth import new_stack, queue_with_dlq, targets
from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore

CFN_LINT = Path(sys.executable).parent / "cfn-lint"
_CFN_LINT_ERROR_BIT = 2  # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational


def _all_targets_stack(app: cdk.App, id: str) -> cdk.Stack:
    """A stack with a store and a split and a retrieval pipe into every target kind."""
    stack = new_stack(app, id)
    store = ClaimCheckStore(stack, "Store")
    for name, target in targets(stack).items():
        ClaimCheckSplitPipe(
            stack, f"Split{name}", source=queue_with_dlq(stack, f"Inbox{name}"), store=store, target=target
        )
        ClaimCheckRetrievalPipe(
            stack,
            f"Retrieve{name}",
            source=queue_with_dlq(stack, f"Claims{name}"),
            store=store,
            target=target,
        )
    return stack


def test_cfn_lint_finds_no_errors_in_the_synthesized_templates(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    _all_targets_stack(app, "Everything")
    app.synth()
    result = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", str(tmp_path / "Everything.template.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ":E" in line]
    assert result.returncode & _CFN_LINT_ERROR_BIT == 0, result.stdout + result.stderr
    assert errors == []


def test_two_copies_of_each_construct_in_one_stack_synthesize() -> None:
    stack = new_stack()
    bus = events.EventBus(stack, "Bus")
    for copy in ("A", "B"):
        store = ClaimCheckStore(stack, f"Store{copy}")
        ClaimCheckSplitPipe(
            stack, f"Split{copy}", source=queue_with_dlq(stack, f"Inbox{copy}"), store=store, target=bus
        )
        ClaimCheckRetrievalPipe(
            stack, f"Retrieve{copy}", source=queue_with_dlq(stack, f"Claims{copy}"), store=store, target=bus
        )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Pipes::Pipe", 4)
    template.resource_count_is("AWS::DynamoDB::Table", 2)
    template.resource_count_is("AWS::Lambda::Function", 4)


@pytest.mark.parametrize(
    "name_property", ["Name", "FunctionName", "TableName", "BucketName", "RoleName", "LogGroupName"]
)
def test_no_resource_gets_a_physical_name(name_property: str) -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    bus = events.EventBus(stack, "Bus")
    ClaimCheckSplitPipe(stack, "Split", source=queue_with_dlq(stack, "Inbox"), store=store, target=bus)
    ClaimCheckRetrievalPipe(
        stack, "Retrieve", source=queue_with_dlq(stack, "Claims"), store=store, target=bus
    )
    resources = Template.from_stack(stack).to_json()["Resources"]
    named = [
        logical
        for logical, resource in resources.items()
        if name_property in resource.get("Properties", {}) and resource["Type"] != "AWS::Events::EventBus"
    ]
    assert named == []


def test_two_stacks_with_the_constructs_in_one_app_synthesize(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    _all_targets_stack(app, "First")
    _all_targets_stack(app, "Second")
    assembly = app.synth()
    assert sorted(stack.stack_name for stack in assembly.stacks) == ["First", "Second"]
    for name in ("First", "Second"):
        outputs = json.loads((tmp_path / f"{name}.template.json").read_text()).get("Outputs", {})
        assert not any("Export" in output for output in outputs.values())
