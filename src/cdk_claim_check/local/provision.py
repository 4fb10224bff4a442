"""Creating in moto the resources of a stack template that its pipes need, as CloudFormation would."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .assembly import StackArtifact
from .functions import LocalFunction, lambda_environment
from .intrinsics import ResourceIndex
from .server import Clients

_QUEUE_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "MaximumMessageSize",
    "FifoQueue",
    "ContentBasedDeduplication",
)
# Rule target services moto delivers to; a rule with any other target would make moto's
# PutEvents fail, so such targets are left out (and reported) instead.
_DELIVERABLE_RULE_TARGETS = ("sqs", "logs", "events")


@dataclass
class LocalResources:
    """What a template became in moto: names and ARNs, in-process functions, and what was left out."""

    stack: StackArtifact
    index: ResourceIndex
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    dead_letter_queues: dict[str, str] = field(
        default_factory=dict
    )  # source queue logical id -> DLQ logical id
    max_receive_counts: dict[str, int] = field(
        default_factory=dict
    )  # source queue logical id -> maxReceiveCount
    rule_log_groups: list[str] = field(default_factory=list)  # names of log groups that rules write to
    notes: list[str] = field(default_factory=list)

    def props(self, logical_id: str) -> dict[str, Any]:
        """A resource's properties with every intrinsic resolved."""
        resolved: dict[str, Any] = self.index.resolve(
            self.index.template_resources[logical_id].get("Properties", {})
        )
        return resolved

    def queue_url(self, logical_id: str) -> str:
        """The moto URL of a queue of the template."""
        return self.index.resources[logical_id].ref

    def function_by_arn(self, arn: str) -> LocalFunction | None:
        """The in-process function with this ARN (a qualified ARN or alias counts as the function)."""
        for function in self.functions.values():
            if arn == function.arn or arn.startswith(f"{function.arn}:"):
                return function
        return None


def provision(stack: StackArtifact, clients: Clients) -> LocalResources:
    """Create the template's queues, buses, rules, state machines, tables, buckets, topics and log groups."""
    index = ResourceIndex(stack.template, stack_name=stack.name.replace("/", "-"), region=clients.region)
    resources = LocalResources(stack=stack, index=index)
    steps: list[tuple[tuple[str, ...], Callable[[LocalResources, str, Clients], None]]] = [
        (("AWS::SQS::Queue",), _create_queue),
        (("AWS::SQS::Queue",), _set_redrive_policy),
        (("AWS::Events::EventBus",), _create_event_bus),
        (("AWS::SNS::Topic",), _create_topic),
        (("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"), _create_table),
        (("AWS::S3::Bucket",), _create_bucket),
        (("AWS::Logs::LogGroup",), _create_log_group),
        (("AWS::StepFunctions::StateMachine",), _create_state_machine),
        (("AWS::Events::Rule",), _create_rule),
        (("AWS::SNS::Subscription",), _create_subscription),
        (("AWS::Lambda::Function",), _load_function),
    ]
    for resource_types, step in steps:
        for logical_id, resource in stack.template.get("Resources", {}).items():
            if resource.get("Type") in resource_types:
                step(resources, logical_id, clients)
    return resources


def _create_queue(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    props = resources.props(logical_id)
    attributes = {
        name: str(props[name]).lower() if isinstance(props[name], bool) else str(props[name])
        for name in _QUEUE_ATTRIBUTES
        if name in props
    }
    name = resources.index.resources[logical_id].name
    url = clients.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
    resources.index.set_queue_url(logical_id, url)


def _set_redrive_policy(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    # After every queue exists, since moto links the dead-letter queue when the policy is set.
    policy = resources.props(logical_id).get("RedrivePolicy")
    if not policy:
        return
    policy = json.loads(policy) if isinstance(policy, str) else policy
    clients.sqs.set_queue_attributes(
        QueueUrl=resources.queue_url(logical_id), Attributes={"RedrivePolicy": json.dumps(policy)}
    )
    dlq = resources.index.by_arn(str(policy["deadLetterTargetArn"]))
    if dlq is not None:
        resources.dead_letter_queues[logical_id] = dlq.logical_id
        resources.max_receive_counts[logical_id] = int(policy["maxReceiveCount"])


def _create_event_bus(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    name = resources.index.resources[logical_id].name
    if name != "default":
        clients.events.create_event_bus(Name=name)


def _create_topic(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    props = resources.props(logical_id)
    attributes = {"FifoTopic": "true"} if props.get("FifoTopic") else {}
    clients.sns.create_topic(Name=resources.index.resources[logical_id].name, Attributes=attributes)


def _create_subscription(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    props = resources.props(logical_id)
    if props.get("Protocol") != "sqs":
        resources.notes.append(
            f"subscription {logical_id}: protocol {props.get('Protocol')} is not delivered locally"
        )
        return
    attributes = {"RawMessageDelivery": str(props.get("RawMessageDelivery", False)).lower()}
    if "FilterPolicy" in props:
        attributes["FilterPolicy"] = json.dumps(props["FilterPolicy"])
    clients.sns.subscribe(
        TopicArn=str(props["TopicArn"]),
        Protocol="sqs",
        Endpoint=str(props["Endpoint"]),
        Attributes=attributes,
    )


def _create_table(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    props = resources.props(logical_id)
    name = resources.index.resources[logical_id].name
    secondary = [
        {"IndexName": gsi["IndexName"], "KeySchema": gsi["KeySchema"], "Projection": gsi["Projection"]}
        for gsi in props.get("GlobalSecondaryIndexes", [])
    ]
    clients.dynamodb.create_table(
        TableName=name,
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
        **({"GlobalSecondaryIndexes": secondary} if secondary else {}),  # type: ignore[arg-type]
    )
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        clients.dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )


def _create_bucket(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    name = resources.index.resources[logical_id].name
    if clients.region == "us-east-1":
        clients.s3.create_bucket(Bucket=name)
    else:
        clients.s3.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": clients.region},  # type: ignore[typeddict-item]
        )


def _create_log_group(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    clients.logs.create_log_group(logGroupName=resources.index.resources[logical_id].name)


def _create_state_machine(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    props = resources.props(logical_id)
    definition = props.get("DefinitionString")
    if definition is None:
        definition = json.dumps(props.get("Definition", {}))
    for key, value in (props.get("DefinitionSubstitutions") or {}).items():
        definition = definition.replace("${" + key + "}", str(value))
    clients.stepfunctions.create_state_machine(
        name=resources.index.resources[logical_id].name,
        definition=definition,
        roleArn=str(props.get("RoleArn", f"arn:aws:iam::123456789012:role/{logical_id}")),
        type=props.get("StateMachineType", "STANDARD"),
    )


def _create_rule(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    props = resources.props(logical_id)
    physical = resources.index.resources[logical_id]
    bus = str(props.get("EventBusName", "default")).rsplit("/", 1)[-1]
    if "EventPattern" not in props:
        resources.notes.append(f"rule {logical_id}: no event pattern (scheduled rules do not run locally)")
        return
    clients.events.put_rule(
        Name=physical.name,
        EventBusName=bus,
        EventPattern=json.dumps(props["EventPattern"]),
        State=props.get("State", "ENABLED"),
    )
    targets: list[Any] = []
    for target in props.get("Targets", []):
        service = str(target["Arn"]).split(":")[2]
        if service not in _DELIVERABLE_RULE_TARGETS:
            resources.notes.append(
                f"rule {logical_id}: target {target['Id']} ({service}) is not delivered locally"
            )
            continue
        if service == "logs":
            resources.rule_log_groups.append(str(target["Arn"]).split(":log-group:", 1)[1].removesuffix(":*"))
        keep = ("Id", "Arn", "Input", "InputPath", "InputTransformer", "SqsParameters")
        targets.append({key: value for key, value in target.items() if key in keep})
    if targets:
        clients.events.put_targets(Rule=physical.name, EventBusName=bus, Targets=targets)


def _load_function(resources: LocalResources, logical_id: str, clients: Clients) -> None:
    code_dir = resources.stack.asset_dir(logical_id)
    if code_dir is None:
        resources.notes.append(f"function {logical_id}: code is not an asset, so it cannot run locally")
        return
    props = resources.props(logical_id)
    physical = resources.index.resources[logical_id]
    memory_mb = int(props.get("MemorySize", 128))
    environment = lambda_environment(
        props.get("Environment", {}).get("Variables", {}),
        name=physical.name,
        region=clients.region,
        endpoint_url=clients.endpoint_url,
        memory_mb=memory_mb,
        code_dir=code_dir,
    )
    resources.functions[logical_id] = LocalFunction(
        logical_id=logical_id,
        name=physical.name,
        arn=physical.attributes["Arn"],
        handler=str(props["Handler"]),
        code_dir=code_dir,
        environment=environment,
        timeout_seconds=int(props.get("Timeout", 3)),
        memory_mb=memory_mb,
        log_writer=_log_writer(
            str(props.get("LoggingConfig", {}).get("LogGroup") or f"/aws/lambda/{physical.name}"), clients
        ),
    )


def _log_writer(log_group: str, clients: Clients) -> Callable[[list[str]], None]:
    """Ships a function's output to its log group in moto, one stream per function, as Lambda does."""
    stream = f"local/[$LATEST]{uuid.uuid4().hex}"
    created = False

    def write(lines: list[str]) -> None:
        nonlocal created
        if not created:
            with contextlib.suppress(clients.logs.exceptions.ResourceAlreadyExistsException):
                clients.logs.create_log_group(logGroupName=log_group)
            clients.logs.create_log_stream(logGroupName=log_group, logStreamName=stream)
            created = True
        now = int(time.time() * 1000)
        clients.logs.put_log_events(
            logGroupName=log_group,
            logStreamName=stream,
            logEvents=[{"timestamp": now, "message": line} for line in lines],
        )

    return write
