"""Drives one design through the whole claim-check path on moto and meters every request.

The path is the sample's: producer -> source queue -> split pipe (Lambda enrichment) -> event
bus -> rule -> claims queue -> retrieval pipe (Lambda enrichment) -> target. moto stands in for
SQS, EventBridge, DynamoDB and S3; the local run's Pipes player (``cdk_claim_check.local.pipes``)
plays the two pipes (receive a batch, invoke the enrichment with the Pipes event, pass its output
on, delete the batch), its hooks report each enrichment call, and the botocore hooks count what
each step asks of AWS. The final target (the sample's workflow) is the consumer's own cost and the
same for both designs, so it is not driven: the retrieval pipe's output is kept instead.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3

from cdk_claim_check.local.delivery import Target
from cdk_claim_check.local.functions import FunctionError
from cdk_claim_check.local.lambda_harness import ACCOUNT, REGION, Handler, LambdaContext
from cdk_claim_check.local.ledger import Delivery, Ledger
from cdk_claim_check.local.pipes import EnrichmentCall, LocalPipe, PipeRunner
from cdk_claim_check.local.server import Clients
from cdk_claim_check.runtime.contract import PARTITION_KEY, POWERTOOLS_SERVICE_NAME

from .metering import RequestMeter, metered
from .moto_clock import moto_cpu_seconds
from .prices import CHUNK_BYTES


@dataclass(frozen=True)
class Design:
    """One way to carry payloads: its two enrichment handlers and how its pipes are configured."""

    name: str
    split: Handler
    retrieval: Handler
    restore: Callable[[Any], Any]  # one retrieval output record -> the payload the target gets
    batch_size: int
    lambda_memory_mb: int
    lambda_architecture: str
    storage_months: float  # how long a stored DynamoDB item is billed for
    s3_storage_months: float  # how long a stored S3 object is billed for
    traced: bool  # active X-Ray tracing on both functions
    retrieval_batch_size: int | None = None  # None: the split's

    @property
    def retrieval_batch(self) -> int:
        return self.retrieval_batch_size or self.batch_size


@dataclass
class PipeBatch:
    request_bytes: int  # the Pipes event (JSON array of records) handed to the enrichment
    response_bytes: int
    invocation_cpu_seconds: float
    log_lines: list[str] = field(default_factory=list)  # what the function wrote to its log

    @property
    def pipes_chunks(self) -> int:
        return max(1, math.ceil(self.request_bytes / CHUNK_BYTES))


@dataclass
class PipelineRun:
    design: str
    payload_label: str
    messages: int
    batch_size: int
    failure: str | None = None
    phases: dict[str, RequestMeter] = field(default_factory=dict)
    split_batches: list[PipeBatch] = field(default_factory=list)
    retrieval_batches: list[PipeBatch] = field(default_factory=list)
    delivered_claim_bytes: list[int] = field(default_factory=list)  # EventBridge -> SQS sends
    restored_exactly: bool = False
    retrieval_batch_size: int = 0
    interleaved: bool = False


@dataclass(frozen=True)
class Resources:
    table_name: str
    bucket_name: str
    source_queue_url: str
    source_queue_arn: str
    claims_queue_url: str
    claims_queue_arn: str
    bus_name: str


def create_resources(suffix: str) -> Resources:
    """The stack's stateful resources, as the constructs (and the sample) create them."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    events = boto3.client("events", region_name=REGION)
    table_name = f"claims-{suffix}"
    dynamodb.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    bucket_name = f"claims-{suffix}".lower()
    s3.create_bucket(Bucket=bucket_name)

    def queue(name: str) -> tuple[str, str]:
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    source_url, source_arn = queue(f"source-{suffix}")
    claims_url, claims_arn = queue(f"claims-{suffix}")
    bus_name = f"bus-{suffix}"
    events.create_event_bus(Name=bus_name)
    events.put_rule(
        Name="to-claims", EventBusName=bus_name, EventPattern=json.dumps({"source": [{"prefix": ""}]})
    )
    events.put_targets(Rule="to-claims", EventBusName=bus_name, Targets=[{"Id": "claims", "Arn": claims_arn}])
    return Resources(table_name, bucket_name, source_url, source_arn, claims_url, claims_arn, bus_name)


@dataclass
class _InProcessHandler:
    """A design's handler as the player's enrichment: a Lambda context per call; what it writes to
    its log (Powertools' log lines and metric lines, stdout) is kept for the log ingestion price."""

    handler: str  # the name the player reports
    function: Handler
    memory_mb: int
    log_lines: list[str] = field(default_factory=list)  # of the last invocation

    def invoke(self, event: Any) -> Any:
        context = LambdaContext(function_name="benchmark", memory_limit_in_mb=self.memory_mb)
        log = io.StringIO()
        try:
            with function_log(log):
                return self.function(event, context)
        except Exception as error:
            raise FunctionError(self.handler, error) from error
        finally:
            self.log_lines = log.getvalue().splitlines()


@contextlib.contextmanager
def function_log(stream: io.StringIO | None = None) -> Iterator[io.StringIO]:
    """Capture what a handler writes to its log: stdout (Powertools' metric lines) and the Powertools
    logger's handlers, which are bound to the real stdout when they are built."""
    stream = stream or io.StringIO()
    handlers = [
        handler
        for handler in logging.getLogger(POWERTOOLS_SERVICE_NAME).handlers
        if isinstance(handler, logging.StreamHandler)
    ]
    previous = [handler.setStream(stream) for handler in handlers]
    try:
        with contextlib.redirect_stdout(stream):
            yield stream
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            if old is not None:
                handler.setStream(old)


class _Player(PipeRunner):
    """The local run's player, with the retrieval pipe's output kept instead of delivered."""

    def __init__(self, pipes: list[LocalPipe], clients: Clients, run: PipelineRun) -> None:
        super().__init__(
            pipes,
            clients=clients,
            resources=None,
            ledger=Ledger(),
            on_enriched=self._enriched,
            on_failed=self._failed,
            # process_time: the runtime sends its store requests from worker threads, which count too;
            # moto's own work on them is AWS's, not the handler's.
            cpu_clock=lambda: time.process_time() - moto_cpu_seconds(),
            progress=lambda _: None,
        )
        self.run = run
        self.handed_over = 0  # records of the last successful batch
        self.outputs: list[Any] = []  # what the retrieval pipe would hand to its target
        self.error: Exception | None = None

    def _enriched(self, pipe: LocalPipe, call: EnrichmentCall) -> None:
        enrichment = pipe.enrichment
        lines = list(enrichment.log_lines) if isinstance(enrichment, _InProcessHandler) else []
        batch = PipeBatch(call.request_bytes, call.response_bytes, call.cpu_seconds, lines)
        if pipe.name == "split":
            self.run.split_batches.append(batch)
        else:
            self.run.retrieval_batches.append(batch)
            self.run.delivered_claim_bytes += [len(r["body"].encode("utf-8")) for r in call.records]
        self.handed_over = len(call.records)

    def _failed(self, pipe: LocalPipe, records: list[dict[str, Any]], error: Exception) -> None:
        self.error = error

    def deliver(self, pipe: LocalPipe, items: list[Any]) -> Delivery:
        if pipe.name == "split":
            return super().deliver(pipe, items)
        self.outputs += items
        return Delivery(pipe=pipe.name, target_kind=pipe.target.kind, target=pipe.target.name, items=items)

    def drain(self, pipe: LocalPipe, messages: int) -> None:
        """Poll ``pipe`` until ``messages`` records went through; raise what stopped it."""
        remaining = messages
        while remaining:
            self.handed_over = 0
            if not self.poll(pipe):
                raise RuntimeError(f"the {pipe.name} pipe's queue holds fewer messages than were sent")
            if self.error is not None:
                raise self.error
            remaining -= self.handed_over


def _pipe(
    name: str,
    queue_url: str,
    queue_arn: str,
    design: Design,
    handler: Handler,
    target: Target,
    batch_size: int,
) -> LocalPipe:
    return LocalPipe(
        logical_id=name,
        name=name,
        source_queue=name,
        source_arn=queue_arn,
        source_queue_url=queue_url,
        batch_size=batch_size,
        batching_window_seconds=0,
        enrichment=_InProcessHandler(f"{design.name} {name}", handler, design.lambda_memory_mb),
        target=target,
    )


def run_design(
    design: Design,
    resources: Resources,
    payloads: list[str],
    payload_label: str,
    *,
    interleave: bool = False,
) -> PipelineRun:
    """Send ``payloads`` through the path with ``design``; the run records a failure, never raises.

    With ``interleave`` the claims queue is reordered (unmetered) before the retrieval pipe drains
    it, so that consecutive claims come from different split batches: the packed layout's claims of
    one S3 object are then spread across retrieval batches, each of which reads the object again.
    """
    clients = Clients.for_endpoint("", REGION)  # moto's in-process mock answers
    run = PipelineRun(design.name, payload_label, len(payloads), design.batch_size)
    run.retrieval_batch_size, run.interleaved = design.retrieval_batch, interleave
    bus = Target(
        kind="bus",
        arn=f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{resources.bus_name}",
        name=resources.bus_name,
    )
    workflow = Target(
        kind="state_machine", arn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:consumer", name="consumer"
    )
    split = _pipe(
        "split",
        resources.source_queue_url,
        resources.source_queue_arn,
        design,
        design.split,
        bus,
        design.batch_size,
    )
    retrieval = _pipe(
        "retrieval",
        resources.claims_queue_url,
        resources.claims_queue_arn,
        design,
        design.retrieval,
        workflow,
        design.retrieval_batch,
    )
    player = _Player([split, retrieval], clients, run)
    try:
        with metered() as run.phases["producer"]:
            for body in payloads:
                clients.sqs.send_message(QueueUrl=resources.source_queue_url, MessageBody=body)
        with metered() as run.phases["split_pipe"]:  # the pipe's requests and its enrichment's
            player.drain(split, len(payloads))
        if interleave:
            _interleave(clients, resources.claims_queue_url, len(payloads), design.batch_size)
        with metered() as run.phases["retrieval_pipe"]:
            player.drain(retrieval, len(payloads))
        restored = [design.restore(record) for record in player.outputs]
        run.restored_exactly = _same_values(restored, [json.loads(body) for body in payloads])
    except Exception as error:  # a design that cannot carry a payload is a result, not a crash
        run.failure = _describe(error.error if isinstance(error, FunctionError) else error)
    return run


def _interleave(clients: Clients, queue_url: str, messages: int, split_batch: int) -> None:
    """Reorder the claims queue round-robin over the split batches (claim 1 of every batch, then
    claim 2, ...). Not metered: it stands for the order in which claims happen to arrive."""
    received: list[dict[str, Any]] = []
    while len(received) < messages:
        reply = clients.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        batch = reply.get("Messages", [])
        if not batch:
            raise RuntimeError("the claims queue holds fewer claims than were sent")
        received += batch
        for message in batch:
            clients.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    order = sorted(range(len(received)), key=lambda index: (index % split_batch, index // split_batch))
    for index in order:
        clients.sqs.send_message(QueueUrl=queue_url, MessageBody=received[index]["Body"])


def _same_values(restored: list[Any], originals: list[Any]) -> bool:
    """Equal as multisets (standard queues do not keep order), numbers compared by value."""
    unmatched = [_exact_numbers(value) for value in originals]
    for value in map(_exact_numbers, restored):
        if value not in unmatched:
            return False
        unmatched.remove(value)
    return not unmatched


def _exact_numbers(value: Any) -> Any:
    # 100.0 and 100 are the same JSON number; Decimal compares them by value, floats exactly.
    return json.loads(json.dumps(value), parse_float=Decimal, parse_int=Decimal)


def _describe(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        return f"{response['Error'].get('Code')}: {response['Error'].get('Message')}"
    return f"{type(error).__name__}: {error}"
