"""Handler CPU per message against a bare put/get of the same bytes, I/O replayed, not emulated.

Both sides run through real boto3 clients whose HTTP replies are replayed from a recording made
on moto (see replay.py), so the ratio compares the handler's own work (parsing the Pipes event,
hashing, compressing, building items and claim checks, Powertools) with the least any store must
do: one PutItem / GetItem carrying the body's bytes. Sides alternate and the medians are compared.

Each side is timed twice over: the handler alone (its event parsed before the clock starts), and
with the Lambda runtime's marshalling (``json.loads`` of the event it receives and ``json.dumps`` of
what it returns, as the Python runtime does around every invocation). The bare sides receive the same
Pipes events: a bare put returns the keys it wrote, a bare get the bodies as strings. The split is
timed in both S3 layouts (``object`` stores each large body as an object of its own).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import boto3
from moto import mock_aws

from cdk_claim_check.local.lambda_harness import Handler, LambdaContext, import_handler, sqs_record
from cdk_claim_check.runtime.contract import (
    LAMBDA_MAX_TIMEOUT_SECONDS,
    PARTITION_KEY,
    PER_RECORD_TARGET_MAX_BATCH,
)

from .designs import runtime_environment
from .lambda_env import CODE_ROOT, RETRIEVAL_HANDLER, SPLIT_HANDLER
from .payloads import PayloadSpec, make_payload
from .pipeline import REGION, create_resources, function_log
from .replay import RecordedReply, recording, replaying

BATCH_SIZE = PER_RECORD_TARGET_MAX_BATCH  # the constructs' default for a bus target


def _sqs_records(bodies: list[str], queue_arn: str) -> list[dict[str, Any]]:
    return [
        sqs_record(body, message_id=str(uuid.UUID(int=index + 1)), source_arn=queue_arn)
        for index, body in enumerate(bodies)
    ]


def _bus_envelope(claim: dict[str, Any]) -> str:
    """What an EventBridge rule delivers to the claims queue."""
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Event from aws:sqs",
            "source": "Pipe split",
            "account": "123456789012",
            "time": "2026-11-29T00:00:00Z",
            "region": REGION,
            "resources": [],
            "detail": claim,
        }
    )


@dataclass(frozen=True)
class Side:
    """One side of the comparison: its input, made before the clock starts, and what is timed."""

    prepare: Callable[[], Any]
    action: Callable[[Any], object]
    replies: list[RecordedReply]


def _fresh_copy(event: list[dict[str, Any]]) -> Callable[[], Any]:
    # Lambda hands each invocation its own parsed event; parsing it is not the handler's work.
    text = json.dumps(event)
    return lambda: json.loads(text)


def _marshalled(event: list[dict[str, Any]], handler: Callable[[Any], object]) -> Side:
    """What the Lambda runtime does around ``handler``: parse the event's text, serialise the result."""
    text = json.dumps(event)
    return Side(lambda: text, lambda raw: json.dumps(handler(json.loads(raw))), [])


def _cpu_seconds(side: Side) -> float:
    argument = side.prepare()
    with replaying(side.replies) as remaining, function_log():
        # process_time, not thread_time: the runtime sends its requests from worker threads.
        started = time.process_time()
        side.action(argument)
        elapsed = time.process_time() - started
    if remaining:
        raise RuntimeError(f"{len(remaining)} recorded replies were not asked for: the code path changed")
    return elapsed


def measure(spec: PayloadSpec, repetitions: int) -> dict[str, Any]:
    """Median CPU seconds per message of each side, for one payload size; ``*_marshalled`` sides
    include the Lambda runtime's event parsing and result serialising; spreads are the interquartile
    range of the per-round ratios."""
    bodies = [make_payload(spec, index) for index in range(BATCH_SIZE)]
    # One context for every repetition: a deadline far enough away for all of them.
    context = LambdaContext(function_name="benchmark", timeout_seconds=LAMBDA_MAX_TIMEOUT_SECONDS)
    with mock_aws():
        resources = create_resources(f"cpu{spec.size_bytes}{'r' if not spec.compressible else ''}")
        environ = runtime_environment(resources, "packed")
        split = import_handler(CODE_ROOT, SPLIT_HANDLER, environ)
        retrieval = import_handler(CODE_ROOT, RETRIEVAL_HANDLER, environ)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        split_event = _sqs_records(bodies, resources.source_queue_arn)
        # Each handler runs once before its recording: what a cold start looks up once (the bucket
        # owner, clients) is not part of every invocation, and a replay must not expect it.
        with function_log():
            split(json.loads(json.dumps(split_event)), context)
        with recording() as split_replies, function_log():
            claims = split(json.loads(json.dumps(split_event)), context)
        retrieval_event = _sqs_records([_bus_envelope(c) for c in claims], resources.claims_queue_arn)
        with function_log():
            retrieval(json.loads(json.dumps(retrieval_event)), context)
        with recording() as retrieval_replies, function_log():
            retrieval(json.loads(json.dumps(retrieval_event)), context)
        # Imported only now: a handler reads its environment at its first call, and this import sets
        # the process environment to the object layout's. Its own table: the claim ids are the packed
        # split's, and an item is never overwritten.
        object_resources = create_resources(f"cpuobj{spec.size_bytes}{'r' if not spec.compressible else ''}")
        split_object = import_handler(
            CODE_ROOT, SPLIT_HANDLER, runtime_environment(object_resources, "object")
        )
        with function_log():
            split_object(json.loads(json.dumps(split_event)), context)
        with recording() as object_replies, function_log():
            split_object(json.loads(json.dumps(split_event)), context)
        keys = [f"bare-{index}" for index in range(BATCH_SIZE)]

        def bare_put(event: list[dict[str, Any]]) -> list[str]:
            for key, record in zip(keys, event, strict=True):
                item: dict[str, Any] = {
                    PARTITION_KEY: {"S": key},
                    "body": {"B": record["body"].encode("utf-8")},
                }
                dynamodb.put_item(TableName=resources.table_name, Item=item)
            return keys

        def bare_get(event: list[dict[str, Any]]) -> list[str]:
            return [
                dynamodb.get_item(TableName=resources.table_name, Key={PARTITION_KEY: {"S": key}})["Item"][
                    "body"
                ]["B"].decode()
                for key, _ in zip(keys, event, strict=True)
            ]

        with recording() as put_replies:
            bare_put(split_event)
        with recording() as get_replies:
            bare_get(retrieval_event)

    def handled(function: Handler) -> Callable[[Any], object]:
        return lambda event: function(event, context)

    plain = {
        "split": (split_event, handled(split), split_replies),
        "split_object": (split_event, handled(split_object), object_replies),
        "bare_put": (split_event, bare_put, put_replies),
        "retrieval": (retrieval_event, handled(retrieval), retrieval_replies),
        "bare_get": (retrieval_event, bare_get, get_replies),
    }
    sides: dict[str, Side] = {}
    for name, (event, action, replies) in plain.items():
        sides[name] = Side(_fresh_copy(event), action, replies)
        sides[f"{name}_marshalled"] = replace(_marshalled(event, action), replies=replies)
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for repetition in range(repetitions + 1):
        for name, side in sides.items():  # alternate the sides within each round
            try:
                elapsed = _cpu_seconds(side)
            except RuntimeError as error:
                raise RuntimeError(f"{spec.label}, {name}: {error}") from None
            if repetition:  # the first round warms caches and lazily built clients
                samples[name].append(elapsed / BATCH_SIZE)
    medians: dict[str, Any] = {name: statistics.median(values) for name, values in samples.items()}
    spreads: dict[str, list[float]] = {}
    for ratio, (numerator, denominator) in RATIOS.items():
        per_round = [a / b for a, b in zip(samples[numerator], samples[denominator], strict=True)]
        medians[ratio] = statistics.median(per_round)
        spreads[ratio] = _quartiles(per_round)
    medians["spread"] = spreads
    medians["split_hotspots"] = _hotspots(sides["split"])
    medians["split_object_hotspots"] = _hotspots(sides["split_object"])
    medians["retrieval_hotspots"] = _hotspots(sides["retrieval_marshalled"])
    return medians


RATIOS = {
    "split_ratio": ("split", "bare_put"),
    "split_object_ratio": ("split_object", "bare_put"),
    "retrieval_ratio": ("retrieval", "bare_get"),
    "split_marshalled_ratio": ("split_marshalled", "bare_put_marshalled"),
    "split_object_marshalled_ratio": ("split_object_marshalled", "bare_put_marshalled"),
    "retrieval_marshalled_ratio": ("retrieval_marshalled", "bare_get_marshalled"),
}
"""Each ratio's side and the bare side it is divided by, both timed in the same round."""


def _quartiles(values: list[float]) -> list[float]:
    """First and third quartile (the spread reported next to a median)."""
    if len(values) < 2:
        return [values[0], values[0]] if values else []
    first, _, third = statistics.quantiles(values, n=4)
    return [first, third]


def _hotspots(side: Side, top: int = 3) -> list[str]:
    """Where a handler's time goes in its own thread (one profiled run): the top functions.

    The store's requests run in worker threads, which cProfile does not see; the handler's wait
    for them (lock acquisition, thread start) is left out of the ranking, not of the shares.
    """
    profile = cProfile.Profile()
    argument = side.prepare()
    with replaying(side.replies), function_log():
        profile.runcall(side.action, argument)
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in stats.values()) or 1.0
    waits = ("acquire' of '_thread.lock", "start_new_thread")
    own = [item for item in stats.items() if not any(wait in item[0][2] for wait in waits)]
    ranked = sorted(own, key=lambda item: item[1][2], reverse=True)[:top]
    return [f"{_function_name(key)} {entry[2] / total:.0%}" for key, entry in ranked]


def _function_name(key: tuple[str, int, str]) -> str:
    filename, _, function = key
    if filename == "~":  # a built-in such as zlib.compress
        return function.strip("<>").replace("built-in method ", "")
    return f"{filename.rsplit('/', 1)[-1]}:{function}"
