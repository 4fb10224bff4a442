"""The peer a Python user would pick instead: the SQS Extended Client, side by side with ``ClaimCheckClient``.

One message at a time through one SQS queue, on moto, the way each library is used from plain code:

- **peer** (``amazon-sqs-extended-client``): ``send_message`` stores the body in S3 and sends a pointer,
  ``receive_message`` reads it back, ``delete_message`` deletes the message and (with
  ``delete_payload_from_s3``, set here so that the peer pays no storage) the object. Two settings:
  ``always_through_s3`` (every body in S3: the like-for-like claim check) and its default (only bodies
  above 256 KB in S3; smaller ones ride in the SQS message itself).
- **ours**: ``ClaimCheckClient.put`` stores the body and returns the claim check, which is sent as the
  message; the consumer receives it, ``redeem`` restores the body, ``delete_message``. The store keeps
  the body for its time to live (7 days, S3 objects one day longer by the lifecycle rule).

Cost: every request counted by the botocore hooks and priced as in the pipeline runs (SQS per 64 KB
chunk, S3 PUT/GET, DynamoDB units by item size, storage). CPU: each side's requests are recorded once
on moto and replayed (replay.py), the sides alternate for ``repetitions`` rounds and the ratio
ours / peer is the median of the per-round ratios, with its interquartile range.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws

from cdk_claim_check.local.lambda_harness import ACCOUNT, REGION
from cdk_claim_check.runtime import ClaimCheckClient

from .cost_model import object_bytes, sqs_chunks
from .dynamodb_units import item_size, units_of
from .metering import AwsCall, metered
from .payloads import KIB, PayloadSpec, make_payload
from .pipeline import create_resources
from .prices import DYNAMODB_ITEM_OVERHEAD_BYTES, GB, PRICES
from .replay import RecordedReply, recording, replaying
from .storage_time import dynamodb_storage_months, s3_storage_months

SPECS = tuple(PayloadSpec(f"{kib} KB", kib * KIB) for kib in (1, 16, 100, 200, 350, 900))
MESSAGES = 10  # per side and round: one at a time, as each client is used
_S3_PUT = {"PutObject"}
_S3_GET = {"GetObject"}


@contextlib.contextmanager
def _extended_client_session() -> Iterator[type]:
    """The peer's session class, without its import's side effect (it replaces ``boto3.Session``
    process-wide) leaking into the other measurements."""
    session, module_session, default = boto3.Session, boto3.session.Session, boto3.DEFAULT_SESSION
    try:
        from sqs_extended_client.client import SQSExtendedClientSession

        yield SQSExtendedClientSession
    finally:
        boto3.Session, boto3.session.Session = session, module_session  # type: ignore[misc]
        boto3.DEFAULT_SESSION = default


@dataclass
class _Side:
    name: str
    produce: Callable[[str], None]
    consume: Callable[[], str]


def _peer(session_class: type, queue_url: str, bucket: str, *, always_through_s3: bool) -> _Side:
    sqs = session_class(region_name=REGION).client("sqs")
    sqs.large_payload_support = bucket
    sqs.always_through_s3 = always_through_s3
    sqs.delete_payload_from_s3 = True

    def produce(body: str) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)

    def consume() -> str:
        message = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1)["Messages"][0]
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return str(message["Body"])

    name = "peer (always through S3)" if always_through_s3 else "peer (default, 256 KB threshold)"
    return _Side(name, produce, consume)


def _ours(queue_url: str, table: str, bucket: str) -> _Side:
    sqs = boto3.client("sqs", region_name=REGION)
    client = ClaimCheckClient(
        table,
        bucket,
        expected_bucket_owner=ACCOUNT,
        dynamodb_client=boto3.client("dynamodb", region_name=REGION),
        s3_client=boto3.client("s3", region_name=REGION),
    )

    def produce(body: str) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(client.put(body), separators=(",", ":")))

    def consume() -> str:
        message = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1)["Messages"][0]
        body = client.redeem(message["Body"]).body
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return body

    return _Side("ours (ClaimCheckClient.put / redeem)", produce, consume)


def _usd_per_million(calls: list[AwsCall], messages: int, *, stores_for_ttl: bool) -> dict[str, float]:
    sqs = sum(sqs_chunks(c) for c in calls if c.service == "sqs") * PRICES.sqs_request_chunk
    s3_requests = sum(PRICES.s3_put for c in calls if c.service == "s3" and c.operation in _S3_PUT)
    s3_requests += sum(PRICES.s3_get for c in calls if c.service == "s3" and c.operation in _S3_GET)
    units = [units_of(c) for c in calls if c.service == "dynamodb"]
    dynamodb = sum(w for w, _ in units) * PRICES.dynamodb_write_unit
    dynamodb += sum(r for _, r in units) * PRICES.dynamodb_read_unit
    storage = 0.0
    if stores_for_ttl:  # the peer deletes its object with the message (delete_payload_from_s3)
        objects = sum(object_bytes(c) for c in calls if c.service == "s3" and c.operation == "PutObject")
        items = sum(
            item_size(c.params["Item"]) + DYNAMODB_ITEM_OVERHEAD_BYTES
            for c in calls
            if c.service == "dynamodb" and c.operation == "PutItem"
        )
        storage = objects / GB * s3_storage_months() * PRICES.s3_storage_gb_month
        storage += items / GB * dynamodb_storage_months() * PRICES.dynamodb_storage_gb_month
    lines = {"sqs": sqs, "s3_requests": s3_requests, "dynamodb": dynamodb, "storage": storage}
    per_million = {name: value / messages * 1e6 for name, value in lines.items()}
    per_million["total"] = sum(per_million.values())
    return per_million


def _record(side: _Side, bodies: list[str]) -> tuple[list[RecordedReply], list[RecordedReply], list[AwsCall]]:
    with metered() as meter:
        with recording() as produced:
            for body in bodies:
                side.produce(body)
        with recording() as consumed:
            restored = [side.consume() for _ in bodies]
    if sorted(restored) != sorted(bodies):
        raise RuntimeError(f"{side.name}: what came out differs from what went in")
    return produced, consumed, meter.calls


def _timed(action: Callable[[], object], replies: list[RecordedReply]) -> float:
    with replaying(replies) as remaining:
        started = time.process_time()  # process_time: ClaimCheckClient may use worker threads
        action()
        elapsed = time.process_time() - started
    if remaining:
        raise RuntimeError(f"{len(remaining)} recorded replies were not asked for: the code path changed")
    return elapsed


def _quartiles(values: list[float]) -> list[float]:
    first, _, third = statistics.quantiles(values, n=4)
    return [first, third]


def measure(spec: PayloadSpec, repetitions: int) -> dict[str, Any]:
    """Cost per million messages and CPU per message of each side, for one payload size."""
    bodies = [make_payload(spec, index) for index in range(MESSAGES)]
    warm_up = [make_payload(spec, 1_000_000 + index) for index in range(2)]
    suffix = f"{spec.size_bytes}"
    with mock_aws(), _extended_client_session() as session_class:
        resources = create_resources(f"ext{suffix}")
        queue_url, table, bucket = resources.source_queue_url, resources.table_name, resources.bucket_name
        sides = [
            _ours(queue_url, table, bucket),
            _peer(session_class, queue_url, bucket, always_through_s3=True),
            _peer(session_class, queue_url, bucket, always_through_s3=False),
        ]
        recorded: dict[str, tuple[list[RecordedReply], list[RecordedReply]]] = {}
        costs: dict[str, dict[str, float]] = {}
        requests: dict[str, dict[str, float]] = {}
        for side in sides:
            _record(side, warm_up)  # clients and caches built once, as in a long-lived process
            produced, consumed, calls = _record(side, bodies)
            recorded[side.name] = (produced, consumed)
            costs[side.name] = _usd_per_million(
                calls, len(bodies), stores_for_ttl=side.name.startswith("ours")
            )
            counted: dict[str, float] = {}
            for call in calls:
                key = f"{call.service}.{call.operation}"
                counted[key] = counted.get(key, 0.0) + 1 / len(bodies)
            requests[side.name] = counted
        samples: dict[str, list[float]] = {side.name: [] for side in sides}
        for _ in range(repetitions):
            for side in sides:  # alternate the sides within each round
                produced, consumed = recorded[side.name]
                cpu = _timed(lambda s=side: [s.produce(b) for b in bodies], produced)
                cpu += _timed(lambda s=side: [s.consume() for _ in bodies], consumed)
                samples[side.name].append(cpu / len(bodies))
    ours, peer = sides[0].name, sides[1].name
    per_round = [a / b for a, b in zip(samples[ours], samples[peer], strict=True)]
    return {
        "usd_per_million": costs,
        "requests_per_message": requests,
        "cpu_seconds_per_message": {name: statistics.median(values) for name, values in samples.items()},
        "cpu_ratio_ours_to_peer": statistics.median(per_round),
        "cpu_ratio_spread": _quartiles(per_round),
    }


def measure_all(repetitions: int, specs: tuple[PayloadSpec, ...] = SPECS) -> dict[str, Any]:
    return {spec.label: measure(spec, repetitions) for spec in specs}
