"""EventBridge Pipes with an SQS source, played locally: poll, filter, enrich in-process, deliver.

Each ``AWS::Pipes::Pipe`` of the template becomes a :class:`LocalPipe` with the template's batch
size, batching window, filter criteria, enrichment function and target. As on AWS, an enrichment
gets the batch as a JSON array of SQS records; any error fails the whole batch, whose messages
become visible again at once, so the source queue's redrive policy moves them to its dead-letter
queue after ``maxReceiveCount`` receives.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ..runtime.contract import LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES, SQS_RECEIVE_MAX_MESSAGES
from .delivery import DeliveryError, Target, deliver
from .functions import FunctionError, LocalFunction
from .lambda_harness import record_of_message
from .ledger import Delivery, Failure, Ledger, compact_json
from .provision import LocalResources
from .server import Clients

# A queue without a redrive policy would hand a failing batch back forever, as on AWS until the
# retention period ends; the local run parks such messages (hidden for SQS's longest visibility
# timeout) after this many failures, and the report counts them as stranded.
PARK_AFTER_FAILURES = 5
_PARKED_VISIBILITY_SECONDS = 36_000  # under SQS's 12-hour total
DeliveryHook = Callable[["LocalPipe", Delivery], None]


class UnsupportedPipeError(ValueError):
    """A pipe the local run cannot play (a source other than an SQS queue of the template, say)."""


@dataclass
class LocalPipe:
    """One pipe of the template, ready to run against moto."""

    logical_id: str
    name: str
    source_queue: str  # logical id of the source queue
    source_arn: str
    batch_size: int
    batching_window_seconds: int
    enrichment: LocalFunction | None
    target: Target
    filter_patterns: list[str] = field(default_factory=list)
    is_entry: bool = False  # its source queue is fed from outside the flow, so its messages are the originals

    @classmethod
    def from_template(cls, logical_id: str, resources: LocalResources) -> LocalPipe:
        """Read the pipe's source, batching, filters, enrichment and target from the template."""
        props = resources.props(logical_id)
        source = resources.index.by_arn(str(props["Source"]))
        if source is None or source.type != "AWS::SQS::Queue":
            raise UnsupportedPipeError(
                f"pipe {logical_id}: source {props['Source']} is not an SQS queue of this stack"
            )
        source_parameters = props.get("SourceParameters", {})
        sqs_parameters = source_parameters.get("SqsQueueParameters", {})
        enrichment = None
        if props.get("Enrichment"):
            enrichment = resources.function_by_arn(str(props["Enrichment"]))
            if enrichment is None:
                raise UnsupportedPipeError(
                    f"pipe {logical_id}: enrichment {props['Enrichment']} is not a local function"
                )
        if props.get("EnrichmentParameters", {}).get("InputTemplate"):
            resources.notes.append(f"pipe {logical_id}: the enrichment input template is ignored locally")
        if props.get("TargetParameters", {}).get("InputTemplate"):
            resources.notes.append(f"pipe {logical_id}: the target input template is ignored locally")
        filters = source_parameters.get("FilterCriteria", {}).get("Filters", [])
        return cls(
            logical_id=logical_id,
            name=resources.index.resources[logical_id].name,
            source_queue=source.logical_id,
            source_arn=source.attributes["Arn"],
            batch_size=int(sqs_parameters.get("BatchSize", 10)),
            batching_window_seconds=int(sqs_parameters.get("MaximumBatchingWindowInSeconds", 0)),
            enrichment=enrichment,
            target=Target.from_arn(str(props["Target"]), props.get("TargetParameters", {}), resources),
            filter_patterns=[str(f["Pattern"]) for f in filters if "Pattern" in f],
        )


def _matches_any(patterns: list[str], record: dict[str, Any]) -> bool:
    from moto.events.models import EventPattern

    candidate = dict(record)
    with contextlib.suppress(ValueError):  # Pipes filters on a JSON body as JSON
        candidate["body"] = json.loads(record["body"])
    return any(EventPattern.load(pattern).matches_event(candidate) for pattern in patterns)  # type: ignore[arg-type]


class PipeRunner:
    """Runs the pipes of one template, one poll at a time."""

    def __init__(
        self,
        pipes: list[LocalPipe],
        *,
        clients: Clients,
        resources: LocalResources,
        ledger: Ledger,
        on_delivered: DeliveryHook | None = None,
        progress: Callable[[str], None] = print,
    ) -> None:
        self.pipes = pipes
        self.clients = clients
        self.resources = resources
        self.ledger = ledger
        self.on_delivered = on_delivered
        self.progress = progress
        self._failure_counts: Counter[str] = Counter()

    def _receive_batch(self, pipe: LocalPipe) -> list[dict[str, Any]]:
        """Up to ``batch_size`` records; stops at the batching window or as soon as the queue is empty."""
        queue_url = self.resources.queue_url(pipe.source_queue)
        deadline = time.monotonic() + pipe.batching_window_seconds
        records: list[dict[str, Any]] = []
        while len(records) < pipe.batch_size:
            reply = self.clients.sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=min(SQS_RECEIVE_MAX_MESSAGES, pipe.batch_size - len(records)),
                MessageAttributeNames=["All"],
                AttributeNames=["All"],
                WaitTimeSeconds=0,
            )
            messages = reply.get("Messages", [])
            records.extend(record_of_message(message, source_arn=pipe.source_arn) for message in messages)
            if not messages or time.monotonic() >= deadline:
                break
        return records

    def _settle(self, pipe: LocalPipe, records: list[dict[str, Any]], *, succeeded: bool) -> None:
        """Delete a delivered batch; make a failed one visible again, as Pipes does after its retries."""
        queue_url = self.resources.queue_url(pipe.source_queue)
        visibility = 0
        if not succeeded and pipe.source_queue not in self.resources.dead_letter_queues:
            failures = max(self._failure_counts[r["messageId"]] for r in records)
            if failures >= PARK_AFTER_FAILURES:
                visibility = _PARKED_VISIBILITY_SECONDS
        for start in range(0, len(records), SQS_RECEIVE_MAX_MESSAGES):
            chunk = records[start : start + SQS_RECEIVE_MAX_MESSAGES]
            if succeeded:
                self.clients.sqs.delete_message_batch(
                    QueueUrl=queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)
                    ],
                )
            else:
                self.clients.sqs.change_message_visibility_batch(
                    QueueUrl=queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": r["receiptHandle"], "VisibilityTimeout": visibility}
                        for i, r in enumerate(chunk)
                    ],
                )

    def poll(self, pipe: LocalPipe) -> bool:
        """Run one batch through ``pipe``; ``False`` when its source queue had nothing."""
        records = self._receive_batch(pipe)
        if not records:
            return False
        self.ledger.batches[pipe.name] += 1
        if pipe.is_entry:
            for record in records:
                self.ledger.record_original(record["messageId"], record["body"], pipe.name)
        if pipe.filter_patterns:
            dropped = [r for r in records if not _matches_any(pipe.filter_patterns, r)]
            self.ledger.filtered.update(r["messageId"] for r in dropped)
            self._settle(pipe, dropped, succeeded=True)  # Pipes consumes what its filters drop
            records = [r for r in records if r not in dropped]
            if not records:
                return True
        try:
            output: Any = pipe.enrichment.invoke(records) if pipe.enrichment else records
            response_bytes = len(compact_json(output).encode("utf-8")) if pipe.enrichment else 0
            if response_bytes > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
                raise DeliveryError(
                    f"enrichment response is over the {LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:,}-byte limit"
                )
            items = output if isinstance(output, list) else ([] if output is None else [output])
            delivery = None
            if items:
                delivery = deliver(
                    pipe.target,
                    items,
                    pipe=pipe.name,
                    clients=self.clients,
                    resources=self.resources,
                    ledger=self.ledger,
                )
        except (FunctionError, DeliveryError, ClientError) as error:  # a refused delivery fails the batch too
            for record in records:
                self._failure_counts[record["messageId"]] += 1
                self.ledger.failures.append(
                    Failure(pipe=pipe.name, message_id=record["messageId"], error=str(error))
                )
            self.ledger.failed_batches[pipe.name] += 1
            self._settle(pipe, records, succeeded=False)
            self.progress(f"  {pipe.name}: batch of {len(records)} failed, back to its queue: {error}")
            return True
        self._settle(pipe, records, succeeded=True)
        self.progress(f"  {pipe.name}: batch of {len(records)} -> {pipe.target.kind} {pipe.target.name}")
        if delivery is not None and self.on_delivered is not None:
            self.on_delivered(pipe, delivery)
        return True

    def queue_depths(self, *, sources: bool) -> dict[str, int]:
        """Messages in each pipe source queue (``sources``), or in each queue that is neither a pipe
        source nor a dead-letter queue (final sinks); empty queues left out."""
        source_queues = {pipe.source_queue for pipe in self.pipes}
        others = (
            {q.logical_id for q in self.resources.index.of_type("AWS::SQS::Queue")}
            - source_queues
            - set(self.resources.dead_letter_queues.values())
        )
        counts: dict[str, int] = {}
        for queue in sorted(source_queues if sources else others):
            attributes = self.clients.sqs.get_queue_attributes(
                QueueUrl=self.resources.queue_url(queue),
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            left = sum(int(value) for value in attributes.values())
            if left:
                counts[queue] = left
        return counts

    def run_until_idle(self, *, timeout_seconds: float) -> bool:
        """Poll every pipe in turn until a whole round moves nothing; ``False`` if the time ran out first."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            moved = [self.poll(pipe) for pipe in self.pipes]
            if not any(moved):
                return True
        return False
