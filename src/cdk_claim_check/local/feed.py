"""Where the local run's messages come from: the app's producer function, or a file of bodies.

A producer is a Lambda function of the template marked with the metadata
``PRODUCER_METADATA_KEY`` (the example's sample-data creator is one). The local run invokes it
in-process with ``{"count": N, "seed": S}``; it sends N messages to its queue itself, exactly as
it would in AWS. Without a producer, or with ``--messages-from``, each non-empty line of a file is
sent verbatim as one message body to the flow's entry queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .functions import LocalFunction
from .provision import LocalResources
from .server import Clients

PRODUCER_METADATA_KEY = "cdk-claim-check:local-producer"


class FeedError(ValueError):
    """The run has no way to put messages into the flow, or was told an unknown queue."""


def producer_functions(resources: LocalResources) -> list[LocalFunction]:
    """The template's functions marked as message producers for the local run."""
    template_resources = resources.index.template_resources
    return [
        function
        for logical_id, function in resources.functions.items()
        if PRODUCER_METADATA_KEY in template_resources[logical_id].get("Metadata", {})
    ]


def read_bodies(path: Path, limit: int | None = None) -> list[str]:
    """Each non-empty line of ``path`` is one message body, sent as it is written."""
    bodies = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return bodies[:limit] if limit is not None else bodies


def find_queue(resources: LocalResources, wanted: str) -> str:
    """The logical id of the queue named ``wanted`` (logical id, physical name, URL or ARN)."""
    for physical in resources.index.of_type("AWS::SQS::Queue"):
        if wanted in (physical.logical_id, physical.name, physical.ref, physical.attributes["Arn"]):
            return physical.logical_id
    names = [p.logical_id for p in resources.index.of_type("AWS::SQS::Queue")]
    raise FeedError(f"no queue {wanted!r} in the stack; its queues are {names}")


def send_bodies(clients: Clients, queue_url: str, bodies: Iterable[str]) -> int:
    """Send each body as one message; return how many were sent."""
    sent = 0
    for body in bodies:
        clients.sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        sent += 1
    return sent
