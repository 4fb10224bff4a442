"""Drives one design through the whole claim-check path on moto and meters every request.

The path is the sample's: producer -> source queue -> split pipe (Lambda enrichment) -> event
bus -> rule -> claims queue -> retrieval pipe (Lambda enrichment) -> target. moto stands in for
SQS, EventBridge, DynamoDB and S3; this module plays the two pipes (receive a batch, invoke the
enrichment with the Pipes event, pass its output on, delete the batch), and the botocore hooks
count what each step asks of AWS. The final target (the sample's workflow) is the consumer's
own cost and the same for both designs, so it is not driven.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3

from cdk_claim_check.local.lambda_harness import Handler, LambdaContext, record_of_message
from cdk_claim_check.runtime.contract import LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES, PARTITION_KEY

from .metering import RequestMeter, metered
from .moto_clock import moto_cpu_seconds
from .prices import CHUNK_BYTES

REGION = "us-east-1"


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
    storage_months: float  # how long a stored payload is billed for


@dataclass
class PipeBatch:
    request_bytes: int  # the Pipes event (JSON array of records) handed to the enrichment
    response_bytes: int
    invocation_cpu_seconds: float

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


def _pipes_records(messages: list[dict[str, Any]], queue_arn: str) -> list[dict[str, Any]]:
    """The enrichment's input: Pipes hands a bare JSON array of SQS records."""
    return [record_of_message(m, source_arn=queue_arn) for m in messages]


def _receive(sqs: Any, queue_url: str, batch_size: int, remaining: int) -> list[dict[str, Any]]:
    response = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=min(batch_size, remaining),
        AttributeNames=["All"],
        VisibilityTimeout=300,
    )
    return list(response.get("Messages", []))


def _delete(sqs: Any, queue_url: str, messages: list[dict[str, Any]]) -> None:
    if len(messages) == 1:  # Pipes deletes a single message with DeleteMessage
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
        return
    sqs.delete_message_batch(
        QueueUrl=queue_url,
        Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
    )


def _invoke(handler: Handler, records: list[dict[str, Any]], memory_mb: int) -> tuple[Any, PipeBatch]:
    request = json.dumps(records)
    if len(request) > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
        raise PayloadLimitError(f"enrichment request of {len(request):,} bytes exceeds Lambda's 6 MB")
    context = LambdaContext(function_name="benchmark", memory_limit_in_mb=memory_mb)
    # process_time: the runtime sends its store requests from worker threads, which count too.
    started, emulated_before = time.process_time(), moto_cpu_seconds()
    with contextlib.redirect_stdout(io.StringIO()):  # Powertools' metric lines, as Lambda logs them
        output = handler(json.loads(request), context)
    cpu = max(0.0, time.process_time() - started - (moto_cpu_seconds() - emulated_before))
    response_bytes = len(json.dumps(output))
    if response_bytes > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
        raise PayloadLimitError(f"enrichment response of {response_bytes:,} bytes exceeds Lambda's 6 MB")
    return output, PipeBatch(len(request), response_bytes, cpu)


class PayloadLimitError(Exception):
    """A batch that a real pipe could not hand to or take from its enrichment."""


def _as_list(output: Any) -> list[Any]:
    # An enrichment may return one object (the sample does) or an array (one entry per event).
    return output if isinstance(output, list) else [output]


def run_design(design: Design, resources: Resources, payloads: list[str], payload_label: str) -> PipelineRun:
    """Send ``payloads`` through the path with ``design``; the run records a failure, never raises."""
    sqs = boto3.client("sqs", region_name=REGION)
    events = boto3.client("events", region_name=REGION)
    run = PipelineRun(design.name, payload_label, len(payloads), design.batch_size)
    phases = run.phases
    try:
        with metered() as phases["producer"]:
            for body in payloads:
                sqs.send_message(QueueUrl=resources.source_queue_url, MessageBody=body)

        phases["split_pipe"], phases["split"] = RequestMeter(), RequestMeter()
        remaining = len(payloads)
        while remaining:
            with metered() as pipe_meter:
                messages = _receive(sqs, resources.source_queue_url, design.batch_size, remaining)
            records = _pipes_records(messages, resources.source_queue_arn)
            with metered() as handler_meter:
                output, batch = _invoke(design.split, records, design.lambda_memory_mb)
            phases["split"].calls += handler_meter.calls
            run.split_batches.append(batch)
            with metered() as target_meter:
                entries: list[Any] = [
                    {
                        "Source": "Pipe split",
                        "DetailType": "Event from aws:sqs",
                        "Detail": json.dumps(claim),
                        "EventBusName": resources.bus_name,
                    }
                    for claim in _as_list(output)
                ]
                events.put_events(Entries=entries)
                _delete(sqs, resources.source_queue_url, messages)
            phases["split_pipe"].calls += pipe_meter.calls + target_meter.calls
            remaining -= len(messages)

        phases["retrieval_pipe"], phases["retrieval"] = RequestMeter(), RequestMeter()
        restored: list[Any] = []
        remaining = len(payloads)
        while remaining:
            with metered() as pipe_meter:
                messages = _receive(sqs, resources.claims_queue_url, design.batch_size, remaining)
            if not messages:
                raise RuntimeError("the bus delivered fewer claim checks than messages were sent")
            run.delivered_claim_bytes += [len(m["Body"].encode("utf-8")) for m in messages]
            records = _pipes_records(messages, resources.claims_queue_arn)
            with metered() as handler_meter:
                output, batch = _invoke(design.retrieval, records, design.lambda_memory_mb)
            phases["retrieval"].calls += handler_meter.calls
            run.retrieval_batches.append(batch)
            restored += [design.restore(record) for record in _as_list(output)]
            with metered() as delete_meter:
                _delete(sqs, resources.claims_queue_url, messages)
            phases["retrieval_pipe"].calls += pipe_meter.calls + delete_meter.calls
            remaining -= len(messages)
        run.restored_exactly = _same_values(restored, [json.loads(body) for body in payloads])
    except Exception as error:  # a design that cannot carry a payload is a result, not a crash
        run.failure = _describe(error)
    return run


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
