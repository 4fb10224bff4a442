"""Pipe targets: delivering a pipe's output the way EventBridge Pipes does for each target kind.

A bus, queue or topic gets one event / message per item (the enrichment output of one record);
a Lambda function or a Step Functions state machine gets the whole batch as one JSON array, even
at batch size 1.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from ..runtime.contract import (
    LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES,
    PER_RECORD_TARGET_MAX_BATCH,
    STEP_FUNCTIONS_INPUT_LIMIT_BYTES,
)
from .ledger import Crossing, Delivery, Ledger, claim_check_of, compact_json, metadata_of
from .provision import LocalResources
from .server import Clients

TargetKind = Literal["bus", "queue", "topic", "function", "state_machine"]
_KIND_BY_SERVICE: dict[str, TargetKind] = {
    "events": "bus",
    "sqs": "queue",
    "sns": "topic",
    "lambda": "function",
    "states": "state_machine",
}
# moto enforces neither the Lambda payload nor the Step Functions input limit; AWS would refuse
# such deliveries, so the local run does too.


class DeliveryError(RuntimeError):
    """The target refused the batch (Pipes would retry it, then return it to the source queue)."""


@dataclass(frozen=True)
class Target:
    """A pipe's target as the template states it."""

    kind: TargetKind
    arn: str
    name: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_arn(cls, arn: str, parameters: dict[str, Any], resources: LocalResources) -> Target:
        """Tell the target kind from its ARN, and its name from the template (or the ARN)."""
        service = arn.split(":")[2]
        if service not in _KIND_BY_SERVICE:
            raise ValueError(f"target {arn}: {service} targets are not supported by the local run")
        physical = resources.index.by_arn(arn)
        if physical is not None:
            name = physical.name
        elif service == "events":
            name = arn.split("event-bus/", 1)[-1]
        else:
            name = arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        return cls(kind=_KIND_BY_SERVICE[service], arn=arn, name=name, parameters=parameters)


def _as_text(item: Any) -> str:
    return item if isinstance(item, str) else compact_json(item)


def _dynamic(value: Any, item: Any) -> Any:
    """A target parameter as Pipes reads it per item: a ``$.a.b`` path into the item, else the value.

    A path that finds nothing (or no string) raises :class:`DeliveryError`, as SQS would refuse a
    FIFO message without a group.
    """
    if not (isinstance(value, str) and value.startswith("$.")):
        return value
    node = item
    for part in value[2:].split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, str):
        raise DeliveryError(f"target parameter {value} finds no string in the delivered item")
    return node


def _check_size(what: str, text: str, limit: int) -> None:
    size = len(text.encode("utf-8"))
    if size > limit:
        raise DeliveryError(f"{what} is {size:,} bytes, over the {limit:,}-byte limit")


def deliver(
    target: Target,
    items: list[Any],
    *,
    pipe: str,
    clients: Clients,
    resources: LocalResources | None,
    ledger: Ledger,
    injected: bool = False,
) -> Delivery:
    """Send ``items`` to ``target``; record what crossed; raise :class:`DeliveryError` if it refused them."""
    delivery = Delivery(pipe=pipe, target_kind=target.kind, target=target.name, items=items)
    texts = [_as_text(item) for item in items]
    if target.kind == "bus":
        bus_parameters = target.parameters.get("EventBridgeEventBusParameters", {})
        entries = [
            {
                "EventBusName": target.name,
                "Source": bus_parameters.get("Source", f"Pipe {pipe}"),
                "DetailType": bus_parameters.get("DetailType", "Event from aws:sqs"),
                "Detail": text,
            }
            for text in texts
        ]
        for start in range(0, len(entries), PER_RECORD_TARGET_MAX_BATCH):
            reply = clients.events.put_events(Entries=entries[start : start + PER_RECORD_TARGET_MAX_BATCH])  # type: ignore[arg-type]
            if reply.get("FailedEntryCount"):
                raise DeliveryError(f"bus {target.name} refused events: {reply['Entries']}")
    elif target.kind == "queue":
        queue_parameters = target.parameters.get("SqsQueueParameters", {})
        queue_url = clients.sqs.get_queue_url(QueueName=target.name)["QueueUrl"]
        for item, text in zip(items, texts, strict=True):
            fifo = {
                key: _dynamic(queue_parameters[key], item)
                for key in ("MessageGroupId", "MessageDeduplicationId")
                if key in queue_parameters
            }
            clients.sqs.send_message(QueueUrl=queue_url, MessageBody=text, **fifo)
    elif target.kind == "topic":
        for text in texts:
            clients.sns.publish(TopicArn=target.arn, Message=text)
    elif target.kind == "function":
        function = resources.function_by_arn(target.arn) if resources is not None else None
        if function is None:
            raise DeliveryError(
                f"function {target.arn} is not an asset of this stack, so it cannot run locally"
            )
        _check_size("Lambda invocation payload", compact_json(items), LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES)
        function.invoke(items)
    else:
        _check_size("Step Functions execution input", compact_json(items), STEP_FUNCTIONS_INPUT_LIMIT_BYTES)
        execution_name = f"{pipe[:40]}-{uuid.uuid4().hex[:32]}"
        execution = clients.stepfunctions.start_execution(
            stateMachineArn=target.arn, name=execution_name, input=compact_json(items)
        )
        delivery.execution_arn = execution["executionArn"]
    for item, text in zip(items, texts, strict=True):
        claim = claim_check_of(item)
        if claim is not None:
            crossing = Crossing(
                pipe=pipe,
                target=target.name,
                claim=claim,
                size=len(text.encode("utf-8")),
                injected=injected,
                metadata=metadata_of(item),
            )
            ledger.crossings.append(crossing)
    ledger.deliveries.append(delivery)
    return delivery
