"""EventBridge Pipes with an SQS source, played locally: poll, filter, enrich in-process, deliver.

Each ``AWS::Pipes::Pipe`` of the template becomes a :class:`LocalPipe` with the template's batch
size, batching window, filter criteria, enrichment function and target. As on AWS, an enrichment
gets the batch as a JSON array of SQS records; any error fails the whole batch, whose messages
become visible again at once, so the source queue's redrive policy moves them to its dead-letter
queue after ``maxReceiveCount`` receives.

The benchmarks drive their pipes with this player too, through its hooks: ``on_enriched`` sees each
enrichment call (request and response bytes, CPU seconds by ``cpu_clock``), ``on_failed`` each
failed batch with its error, ``on_delivered`` each delivery; a subclass may replace
:meth:`PipeRunner.deliver` (the benchmarks do not drive the final target).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

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


class Enrichment(Protocol):
    """What a pipe calls to enrich a batch: a :class:`LocalFunction`, or any in-process stand-in."""

    handler: str

    def invoke(self, event: Any) -> Any:
        """The function's output for ``event``; raises :class:`FunctionError` when the handler raises."""
        ...


@dataclass(frozen=True)
class EnrichmentCall:
    """One enrichment invocation that succeeded, as Pipes sees it."""

    pipe: str
    records: list[dict[str, Any]]  # the batch handed over (the request is its JSON array)
    request_bytes: int
    response_bytes: int
    cpu_seconds: float  # by the runner's ``cpu_clock``, around the call alone


EnrichmentHook = Callable[["LocalPipe", EnrichmentCall], None]
FailureHook = Callable[["LocalPipe", list[dict[str, Any]], Exception], None]


class UnsupportedPipeError(ValueError):
    """A pipe the local run cannot play (a source other than an SQS queue of the template, say)."""


@dataclass
class LocalPipe:
    """One pipe of the template, ready to run against moto."""

    logical_id: str
    name: str
    source_queue: str  # logical id of the source queue
    source_arn: str
    source_queue_url: str
    batch_size: int
    batching_window_seconds: int
    enrichment: Enrichment | None
    target: Target
    filter_patterns: list[str] = field(default_factory=list)
    has_dead_letter_queue: bool = True  # False: a failing batch is parked after PARK_AFTER_FAILURES
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
        enrichment: LocalFunction | None = None
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
            source_queue_url=resources.queue_url(source.logical_id),
            batch_size=int(sqs_parameters.get("BatchSize", 10)),
            batching_window_seconds=int(sqs_parameters.get("MaximumBatchingWindowInSeconds", 0)),
            enrichment=enrichment,
            target=Target.from_arn(str(props["Target"]), props.get("TargetParameters", {}), resources),
            filter_patterns=[str(f["Pattern"]) for f in filters if "Pattern" in f],
            has_dead_letter_queue=source.logical_id in resources.dead_letter_queues,
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
        resources: LocalResources | None,
        ledger: Ledger,
        on_delivered: DeliveryHook | None = None,
        on_enriched: EnrichmentHook | None = None,
        on_failed: FailureHook | None = None,
        cpu_clock: Callable[[], float] = time.process_time,
        progress: Callable[[str], None] = print,
        target_clients: Clients | None = None,
    ) -> None:
        """``resources`` may be ``None`` for pipes built by hand (no template: no Lambda targets).
        ``target_clients``: the clients the pipes send to their targets with (default: ``clients``)."""
        self.pipes = pipes
        self.clients = clients
        self.target_clients = target_clients or clients
        self.resources = resources
        self.ledger = ledger
        self.on_delivered = on_delivered
        self.on_enriched = on_enriched
        self.on_failed = on_failed
        self.cpu_clock = cpu_clock
        self.progress = progress
        self._failure_counts: Counter[str] = Counter()

    def _receive_batch(self, pipe: LocalPipe) -> list[dict[str, Any]]:
        """Up to ``batch_size`` records; stops at the batching window or as soon as the queue is empty."""
        queue_url = pipe.source_queue_url
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
        queue_url = pipe.source_queue_url
        visibility = 0
        if not succeeded and not pipe.has_dead_letter_queue:
            failures = max(self._failure_counts[r["messageId"]] for r in records)
            if failures >= PARK_AFTER_FAILURES:
                visibility = _PARKED_VISIBILITY_SECONDS
        for start in range(0, len(records), SQS_RECEIVE_MAX_MESSAGES):
            chunk = records[start : start + SQS_RECEIVE_MAX_MESSAGES]
            if succeeded and len(chunk) == 1:  # Pipes deletes a single message with DeleteMessage
                self.clients.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=chunk[0]["receiptHandle"])
            elif succeeded:
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
            output: Any = self._enrich(pipe, pipe.enrichment, records) if pipe.enrichment else records
            items = output if isinstance(output, list) else ([] if output is None else [output])
            delivery = self.deliver(pipe, items) if items else None
        # A refused delivery fails the batch too, and so does one whose answer never came (a dropped
        # connection, a timeout): Pipes cannot know whether the target took it, so the batch comes
        # back and the target may see it twice.
        except (FunctionError, DeliveryError, ClientError, BotoCoreError) as error:
            if self.on_failed is not None:
                self.on_failed(pipe, records, error)
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

    def _enrich(self, pipe: LocalPipe, enrichment: Enrichment, records: list[dict[str, Any]]) -> Any:
        """Call the enrichment with the batch as Pipes does: one JSON array, both ways within 6 MB."""
        request = compact_json(records)
        request_bytes = len(request.encode("utf-8"))
        if request_bytes > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
            raise DeliveryError(
                f"enrichment request is over the {LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:,}-byte limit"
            )
        event = json.loads(request)
        started = self.cpu_clock()
        output = enrichment.invoke(event)
        cpu_seconds = max(0.0, self.cpu_clock() - started)
        response_bytes = len(compact_json(output).encode("utf-8"))
        if response_bytes > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
            raise DeliveryError(
                f"enrichment response is over the {LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:,}-byte limit"
            )
        if self.on_enriched is not None:
            self.on_enriched(
                pipe, EnrichmentCall(pipe.name, records, request_bytes, response_bytes, cpu_seconds)
            )
        return output

    def deliver(self, pipe: LocalPipe, items: list[Any]) -> Delivery:
        """Hand the pipe's output to its target (see :func:`~.delivery.deliver`)."""
        return deliver(
            pipe.target,
            items,
            pipe=pipe.name,
            clients=self.target_clients,
            resources=self.resources,
            ledger=self.ledger,
        )

    def queue_depths(self, *, sources: bool) -> dict[str, int]:
        """Messages in each pipe source queue (``sources``), or in each queue that is neither a pipe
        source nor a dead-letter queue (final sinks); empty queues left out."""
        if self.resources is None:
            raise ValueError("queue depths need the template's resources")
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
