"""Handler CPU per message against a bare put/get of the same bytes, I/O replayed, not emulated.

Both sides run through real boto3 clients whose HTTP replies are replayed from a recording made
on moto (see replay.py), so the ratio compares the handler's own work (parsing the Pipes event,
hashing, compressing, building items and claim checks, Powertools) with the least any store must
do: one PutItem / GetItem carrying the body's bytes. Sides alternate and the medians are compared.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import pstats
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws

from cdk_claim_check.local.lambda_harness import LambdaContext, import_handler, sqs_record
from cdk_claim_check.runtime.contract import (
    LAMBDA_MAX_TIMEOUT_SECONDS,
    PARTITION_KEY,
    PER_RECORD_TARGET_MAX_BATCH,
)

from .designs import runtime_environment
from .lambda_env import CODE_ROOT, RETRIEVAL_HANDLER, SPLIT_HANDLER
from .payloads import PayloadSpec, make_payload
from .pipeline import REGION, create_resources
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


def _cpu_seconds(side: Side) -> float:
    argument = side.prepare()
    with replaying(side.replies) as remaining, contextlib.redirect_stdout(io.StringIO()):
        # process_time, not thread_time: the runtime sends its requests from worker threads.
        started = time.process_time()
        side.action(argument)
        elapsed = time.process_time() - started
    if remaining:
        raise RuntimeError(f"{len(remaining)} recorded replies were not asked for: the code path changed")
    return elapsed


def measure(spec: PayloadSpec, repetitions: int) -> dict[str, Any]:
    """Median CPU seconds per message of each side, for one payload size."""
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
        with recording() as split_replies, contextlib.redirect_stdout(io.StringIO()):
            claims = split(json.loads(json.dumps(split_event)), context)
        retrieval_event = _sqs_records([_bus_envelope(c) for c in claims], resources.claims_queue_arn)
        with recording() as retrieval_replies, contextlib.redirect_stdout(io.StringIO()):
            retrieval(json.loads(json.dumps(retrieval_event)), context)
        keys = [f"bare-{index}" for index in range(BATCH_SIZE)]

        def bare_put() -> None:
            for key, body in zip(keys, bodies, strict=True):
                item: dict[str, Any] = {PARTITION_KEY: {"S": key}, "body": {"B": body.encode("utf-8")}}
                dynamodb.put_item(TableName=resources.table_name, Item=item)

        def bare_get() -> None:
            for key in keys:
                dynamodb.get_item(TableName=resources.table_name, Key={PARTITION_KEY: {"S": key}})["Item"][
                    "body"
                ]["B"].decode()

        with recording() as put_replies:
            bare_put()
        with recording() as get_replies:
            bare_get()

    sides = {
        "split": Side(_fresh_copy(split_event), lambda event: split(event, context), split_replies),
        "bare_put": Side(lambda: None, lambda _: bare_put(), put_replies),
        "retrieval": Side(
            _fresh_copy(retrieval_event), lambda event: retrieval(event, context), retrieval_replies
        ),
        "bare_get": Side(lambda: None, lambda _: bare_get(), get_replies),
    }
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for repetition in range(repetitions + 1):
        for name, side in sides.items():  # alternate the sides within each round
            elapsed = _cpu_seconds(side)
            if repetition:  # the first round warms caches and lazily built clients
                samples[name].append(elapsed / BATCH_SIZE)
    medians: dict[str, Any] = {name: statistics.median(values) for name, values in samples.items()}
    medians["split_hotspots"] = _hotspots(sides["split"])
    medians["retrieval_hotspots"] = _hotspots(sides["retrieval"])
    return medians


def _hotspots(side: Side, top: int = 3) -> list[str]:
    """Where a handler's time goes in its own thread (one profiled run): the top functions.

    The store's requests run in worker threads, which cProfile does not see; the handler's wait
    for them (lock acquisition, thread start) is left out of the ranking, not of the shares.
    """
    profile = cProfile.Profile()
    argument = side.prepare()
    with replaying(side.replies), contextlib.redirect_stdout(io.StringIO()):
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
