"""One local run: provision the stack in moto, feed it, drive its pipes, and collect the report."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..runtime.contract import SQS_RECEIVE_MAX_MESSAGES
from .assembly import StackArtifact
from .failure import FailureInjector, FailureMode
from .feed import FeedError, find_queue, producer_functions, read_bodies, send_bodies
from .functions import HANDLER_OUTPUT
from .lambda_harness import moto_server
from .ledger import Ledger, claim_check_of
from .pipes import LocalPipe, PipeRunner, UnsupportedPipeError
from .provision import LocalResources, provision
from .report import BusAudit, DeadLetter, PipeSummary, RunReport, message_outcomes
from .server import Clients

DEFAULT_MESSAGES = 20


@dataclass(frozen=True)
class RunOptions:
    """What to run and how (the CLI's options, minus how the stack was obtained)."""

    messages: int | None = None  # None: DEFAULT_MESSAGES from a producer, every line of messages_from
    seed: int = 7
    messages_from: Path | None = None
    source_queue: str | None = None
    failure: FailureMode = "tampered"
    region: str = "us-east-1"
    timeout_seconds: float = 600.0
    handler_log: TextIO | None = None


def _entry_pipes(pipes: list[LocalPipe], resources: LocalResources) -> None:
    """Mark the pipes whose source queue nothing in the stack feeds: their messages are the originals."""
    fed = {pipe.target.arn for pipe in pipes if pipe.target.kind == "queue"}
    for rule in resources.index.of_type("AWS::Events::Rule"):
        fed.update(str(t["Arn"]) for t in resources.props(rule.logical_id).get("Targets", []))
    for subscription in resources.index.of_type("AWS::SNS::Subscription"):
        fed.add(str(resources.props(subscription.logical_id).get("Endpoint")))
    for pipe in pipes:
        pipe.is_entry = pipe.source_arn not in fed


def local_pipes(resources: LocalResources) -> list[LocalPipe]:
    """The template's running pipes that the local run can play (the others are noted in ``resources``),
    with the entry pipes marked."""
    pipes: list[LocalPipe] = []
    for pipe_resource in resources.index.of_type("AWS::Pipes::Pipe"):
        if resources.props(pipe_resource.logical_id).get("DesiredState") == "STOPPED":
            resources.notes.append(f"pipe {pipe_resource.logical_id} is STOPPED in the template")
            continue
        try:
            pipes.append(LocalPipe.from_template(pipe_resource.logical_id, resources))
        except (UnsupportedPipeError, ValueError) as error:
            resources.notes.append(str(error))
    _entry_pipes(pipes, resources)
    return pipes


def _feed(options: RunOptions, resources: LocalResources, pipes: list[LocalPipe], clients: Clients) -> str:
    """Put the run's messages into the flow; say how."""
    producers = producer_functions(resources)
    if options.messages_from is None and not options.source_queue and producers:
        for producer in producers:
            producer.invoke({"count": options.messages or DEFAULT_MESSAGES, "seed": options.seed})
        count = options.messages or DEFAULT_MESSAGES
        return f"{count} messages from producer function(s) {[p.logical_id for p in producers]}"
    if options.source_queue:
        queue = find_queue(resources, options.source_queue)
    else:
        entries = sorted({pipe.source_queue for pipe in pipes if pipe.is_entry})
        if len(entries) != 1:
            raise FeedError(f"pass --source-queue: the flow has {len(entries)} entry queues {entries}")
        queue = entries[0]
    if options.messages_from is None:
        raise FeedError(
            "the stack has no producer function: pass --messages-from FILE (one message body per line)"
        )
    bodies = read_bodies(options.messages_from, options.messages)
    sent = send_bodies(clients, resources.queue_url(queue), bodies)
    return f"{sent} messages from {options.messages_from} to queue {queue}"


def _wait_for_executions(ledger: Ledger, clients: Clients, deadline: float) -> None:
    for delivery in ledger.deliveries:
        if delivery.execution_arn is None:
            continue
        while True:
            described = clients.stepfunctions.describe_execution(executionArn=delivery.execution_arn)
            delivery.execution_status = described["status"]
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                # The workflow's own record of its input, not what the run meant to send.
                delivery.items = json.loads(described.get("input", "[]"))
                break
            time.sleep(0.1)


def _drain_dead_letters(
    resources: LocalResources, ledger: Ledger, clients: Clients, claim_id: str | None
) -> list[DeadLetter]:
    found = []
    for dlq in sorted(set(resources.dead_letter_queues.values())):
        url = resources.queue_url(dlq)
        while messages := clients.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=SQS_RECEIVE_MAX_MESSAGES, VisibilityTimeout=600
        ).get("Messages", []):
            for message in messages:
                claim = claim_check_of(message["Body"])
                found_claim = str(claim["id"]) if claim else None
                found.append(
                    DeadLetter(
                        queue=dlq,
                        message_id=message["MessageId"],
                        size=len(message["Body"].encode("utf-8")),
                        claim_id=found_claim,
                        error=ledger.last_error(message["MessageId"]),
                        expected=claim_id is not None and found_claim == claim_id,
                    )
                )
    return found


def _audit_bus_logs(resources: LocalResources, clients: Clients) -> list[BusAudit]:
    audits = []
    for group in resources.rule_log_groups:
        events: list[dict[str, Any]] = []
        streams = clients.logs.describe_log_streams(logGroupName=group).get("logStreams", [])
        for stream in streams:
            events += clients.logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])[
                "events"
            ]
        sizes = [len(e["message"].encode("utf-8")) for e in events]
        claims = sum(1 for e in events if claim_check_of(e["message"]) is not None)
        audits.append(
            BusAudit(
                log_group=group,
                events=len(events),
                claim_checks=claims,
                largest_event_bytes=max(sizes, default=0),
            )
        )
    return audits


def run_stack(
    stack: StackArtifact, options: RunOptions, progress: Callable[[str], None] = print
) -> RunReport:
    """Run the whole flow of ``stack`` against a fresh moto server and return the report."""
    HANDLER_OUTPUT.sink = options.handler_log
    try:
        with moto_server(execute_state_machines=True) as endpoint_url:
            return _run(stack, options, Clients.for_endpoint(endpoint_url, options.region), progress)
    finally:
        HANDLER_OUTPUT.sink = None


def _run(
    stack: StackArtifact, options: RunOptions, clients: Clients, progress: Callable[[str], None]
) -> RunReport:
    deadline = time.monotonic() + options.timeout_seconds
    resources = provision(stack, clients)
    pipes = local_pipes(resources)
    for pipe in pipes:
        enrichment = pipe.enrichment.handler if pipe.enrichment else "no enrichment"
        progress(
            f"pipe {pipe.logical_id}: {pipe.source_queue} (batch {pipe.batch_size}, window "
            f"{pipe.batching_window_seconds}s) -> {enrichment} -> {pipe.target.kind} {pipe.target.name}"
        )
    ledger = Ledger()
    injector = FailureInjector(mode=options.failure, clients=clients, resources=resources, ledger=ledger)
    runner = PipeRunner(
        pipes, clients=clients, resources=resources, ledger=ledger, on_delivered=injector, progress=progress
    )
    progress(f"feeding: {_feed(options, resources, pipes, clients)}")
    drained = runner.run_until_idle(timeout_seconds=max(1.0, deadline - time.monotonic()))
    injected = injector.inject()
    if injected:
        progress(f"failure path: {injector.notes[-1]}")
        drained = runner.run_until_idle(timeout_seconds=max(1.0, deadline - time.monotonic())) and drained
    _wait_for_executions(ledger, clients, deadline)
    statuses = Counter(d.execution_status for d in ledger.deliveries if d.execution_status is not None)
    observed = [(f"{d.target_kind} {d.target}", item) for d in ledger.deliveries for item in d.items]
    summaries = [
        PipeSummary(
            name=pipe.name,
            source=pipe.source_queue,
            batch_size=pipe.batch_size,
            enrichment=pipe.enrichment.handler if pipe.enrichment else None,
            target=f"{pipe.target.kind} {pipe.target.name}",
            batches=ledger.batches[pipe.name],
            failed_batches=ledger.failed_batches[pipe.name],
        )
        for pipe in pipes
    ]
    return RunReport(
        stack=stack.name,
        pipes=summaries,
        messages=message_outcomes(ledger, observed),
        dead_letters=_drain_dead_letters(resources, ledger, clients, injector.claim_id),
        bus_audits=_audit_bus_logs(resources, clients),
        executions=dict(statuses),
        failure_mode=options.failure,
        failure_injected=injected,
        drained=drained,
        stranded=runner.queue_depths(sources=True),
        waiting=runner.queue_depths(sources=False),
        notes=[*resources.notes, *injector.notes],
    )
