"""Helpers for the construct tests: stacks, sources, targets, and reading a role's policy back."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Template

from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore
from cdk_claim_check._nag import render_intrinsic as render

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# Template assertions do not need CDK's own validation pass; test_nag.py turns it on where it matters.
os.environ.setdefault("CDK_VALIDATION", "false")

ACCOUNT = "111111111111"
REGION = "us-east-1"
IMPORTED_QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:imported-source"


def new_stack(app: cdk.App | None = None, id: str = "Stack") -> cdk.Stack:
    return cdk.Stack(app or cdk.App(), id, env=cdk.Environment(account=ACCOUNT, region=REGION))


def queue_with_dlq(scope: cdk.Stack, id: str, **props: Any) -> sqs.Queue:
    dlq = sqs.Queue(scope, f"{id}Dlq", enforce_ssl=True)
    return sqs.Queue(
        scope,
        id,
        enforce_ssl=True,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
        **props,
    )


def imported_queue(scope: cdk.Stack, id: str = "Imported") -> sqs.IQueue:
    return sqs.Queue.from_queue_arn(scope, id, IMPORTED_QUEUE_ARN)


def state_machine(
    scope: cdk.Stack, id: str = "Workflow", kind: sfn.StateMachineType = sfn.StateMachineType.STANDARD
) -> sfn.StateMachine:
    return sfn.StateMachine(
        scope,
        id,
        definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(scope, f"{id}Pass")),
        state_machine_type=kind,
    )


def target_function(scope: cdk.Stack, id: str = "Consumer") -> lambda_.Function:
    return lambda_.Function(
        scope,
        id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
    )


def targets(scope: cdk.Stack) -> dict[str, Any]:
    """One target of every kind, keyed by a short name."""
    return {
        "bus": events.EventBus(scope, "Bus"),
        "queue": sqs.Queue(scope, "TargetQueue", enforce_ssl=True),
        "topic": sns.Topic(scope, "Topic"),
        "function": target_function(scope),
        "state_machine": state_machine(scope),
    }


def logical_id(construct: Any) -> str:
    child = construct.node.default_child if not isinstance(construct, cdk.CfnElement) else construct
    return str(cdk.Stack.of(construct).get_logical_id(child))


def role_statements(stack: cdk.Stack, role: iam.IRole) -> list[dict[str, Any]]:
    """Every statement of every policy attached to ``role`` in the synthesized template."""
    template = Template.from_stack(stack).to_json()
    role_ref = {"Ref": logical_id(role)}
    statements: list[dict[str, Any]] = []
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy" and role_ref in resource["Properties"]["Roles"]:
            statements.extend(resource["Properties"]["PolicyDocument"]["Statement"])
    return statements


def grants(stack: cdk.Stack, role: iam.IRole) -> set[tuple[str, str]]:
    """The role's permissions as (action, resource) pairs, resources rendered as in cdk-nag ids."""
    pairs: set[tuple[str, str]] = set()
    for statement in role_statements(stack, role):
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for action in actions:
            for resource in resources:
                pairs.add((action, render(resource)))
    return pairs


def arn_of(construct: Any) -> str:
    return f"<{logical_id(construct)}.Arn>"


def store_object_grants(action: str, bucket_arn: str) -> set[tuple[str, str]]:
    """``action`` on the store bucket's objects under the runtime's prefixes (``packed/``, ``objects/``)."""
    return {(action, f"{bucket_arn}/{prefix}*") for prefix in ("packed/", "objects/")}


SEND_ACTION = {
    "bus": ("event_bus_arn", "events:PutEvents"),
    "queue": ("queue_arn", "sqs:SendMessage"),
    "topic": ("topic_arn", "sns:Publish"),
    "function": ("function_arn", "lambda:InvokeFunction"),
    "state_machine": ("state_machine_arn", "states:StartExecution"),
}
"""Per target kind of :func:`targets`: its ARN attribute and the one action a pipe needs to deliver."""


def expected_pipe_role_grants(
    stack: cdk.Stack, pipe: Any, source: sqs.IQueue, kind: str, target: Any
) -> set[tuple[str, str]]:
    """All a pipe role may do: consume its source, invoke its enrichment, deliver to its target, log."""
    attribute, action = SEND_ACTION[kind]
    return {
        ("sqs:ReceiveMessage", arn_of(source)),
        ("sqs:DeleteMessage", arn_of(source)),
        ("sqs:GetQueueAttributes", arn_of(source)),
        ("lambda:InvokeFunction", arn_of(pipe.function)),
        (action, render(stack.resolve(getattr(target, attribute)))),
        ("logs:CreateLogStream", arn_of(pipe.pipe_log_group)),
        ("logs:PutLogEvents", arn_of(pipe.pipe_log_group)),
    }


def normalise_assets(template: Mapping[str, Any]) -> dict[str, Any]:
    """Replace asset hashes, so a snapshot changes only when the template really does."""
    rendered = json.dumps(template, sort_keys=True)
    rendered = re.sub(r"[0-9a-f]{64}(\.zip)?", lambda m: "<asset-hash>" + (m.group(1) or ""), rendered)
    normalised: dict[str, Any] = json.loads(rendered)
    return normalised


def _pipe(cls: Any, id: str, source_id: str, stack: cdk.Stack, target: Any, props: dict[str, Any]) -> Any:
    """A claim-check pipe into ``target`` (a resource, or a kind of :func:`targets` made afresh);
    source and store made unless given."""
    if "source" not in props:
        props["source"] = queue_with_dlq(stack, source_id)
    if "store" not in props:
        props["store"] = ClaimCheckStore(stack, "Store")
    resource = targets(stack)[target] if isinstance(target, str) else target
    return cls(stack, id, target=resource, **props)


def split_pipe(stack: cdk.Stack, target: Any = "bus", **props: Any) -> ClaimCheckSplitPipe:
    """A ClaimCheckSplitPipe (construct id ``Split``, source ``Inbox``); see :func:`_pipe`."""
    pipe: ClaimCheckSplitPipe = _pipe(ClaimCheckSplitPipe, "Split", "Inbox", stack, target, props)
    return pipe


def pipe_properties(stack: cdk.Stack) -> dict[str, Any]:
    """Properties of the stack's only pipe."""
    (pipe,) = Template.from_stack(stack).find_resources("AWS::Pipes::Pipe").values()
    properties: dict[str, Any] = pipe["Properties"]
    return properties


def function_environment(stack: cdk.Stack, construct: Any) -> dict[str, Any]:
    """Environment variables of a claim-check construct's enrichment function, as synthesized."""
    function = Template.from_stack(stack).to_json()["Resources"][logical_id(construct.function)]
    variables: dict[str, Any] = function["Properties"]["Environment"]["Variables"]
    return variables


def retrieval_pipe(stack: cdk.Stack, target: Any = "state_machine", **props: Any) -> ClaimCheckRetrievalPipe:
    """A ClaimCheckRetrievalPipe (construct id ``Retrieve``, source ``Claims``); see :func:`_pipe`."""
    pipe: ClaimCheckRetrievalPipe = _pipe(ClaimCheckRetrievalPipe, "Retrieve", "Claims", stack, target, props)
    return pipe
