"""The report of a local run: per message, what crossed, whether it came back exactly, and the DLQs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .ledger import Ledger, claim_check_of, compact_json, sha256_hex

Restoration = Literal["exact", "json-equal", "filtered", "no"]


@dataclass(frozen=True)
class DeadLetter:
    """A message found in a dead-letter queue at the end of the run."""

    queue: str
    message_id: str
    size: int
    claim_id: str | None
    error: str | None
    expected: bool  # the injected failure, which must end here


@dataclass(frozen=True)
class MessageOutcome:
    """What happened to one original message."""

    number: int
    message_id: str
    label: str  # the first kept field of its claim check (an order id, say), else the message id
    size: int
    crossed_bytes: int | None  # size of the claim check that crossed, if one did
    crossed_via: str | None
    restored: Restoration
    delivered_to: str | None


@dataclass(frozen=True)
class PipeSummary:
    """One pipe as the run played it: read from the template, counted during the run."""

    name: str
    source: str
    batch_size: int
    enrichment: str | None
    target: str
    batches: int
    failed_batches: int


@dataclass
class BusAudit:
    """What a rule's log group saw on the bus: every event, to show only claim checks cross."""

    log_group: str
    events: int
    claim_checks: int
    largest_event_bytes: int


@dataclass
class RunReport:
    """Everything the run prints, and decides its exit status from."""

    stack: str
    pipes: list[PipeSummary]
    messages: list[MessageOutcome]
    dead_letters: list[DeadLetter]
    bus_audits: list[BusAudit]
    executions: dict[str, int]  # state machine execution status -> count
    failure_mode: str
    failure_injected: bool
    drained: bool
    stranded: dict[str, int] = field(default_factory=dict)  # queue -> messages left in a pipe's source queue
    waiting: dict[str, int] = field(default_factory=dict)  # queue no pipe reads -> messages delivered to it
    notes: list[str] = field(default_factory=list)

    @property
    def lost(self) -> list[MessageOutcome]:
        return [m for m in self.messages if m.restored == "no"]

    @property
    def unexpected_dead_letters(self) -> list[DeadLetter]:
        return [d for d in self.dead_letters if not d.expected]

    @property
    def problems(self) -> list[str]:
        """Why the run failed; empty when every message came back exactly and the failure path held."""
        found = []
        if not self.messages:
            found.append("no message entered the flow")
        if self.lost:
            found.append(f"{len(self.lost)} message(s) lost or not restored exactly")
        if self.unexpected_dead_letters:
            found.append(f"{len(self.unexpected_dead_letters)} unexpected message(s) in dead-letter queues")
        if self.failure_injected and not any(d.expected for d in self.dead_letters):
            found.append(f"the {self.failure_mode} claim check did not end in a dead-letter queue")
        if self.failure_mode != "none" and not self.failure_injected:
            found.append(
                "no claim check crossed a bus, queue or topic, so the failure path was not exercised"
            )
        failed_executions = {s: n for s, n in self.executions.items() if s != "SUCCEEDED"}
        if failed_executions:
            found.append(f"state machine executions not SUCCEEDED: {failed_executions}")
        for audit in self.bus_audits:
            if audit.claim_checks != audit.events:
                found.append(
                    f"{audit.events - audit.claim_checks} event(s) in {audit.log_group} are not claim checks"
                )
        if self.stranded:
            found.append(f"messages left in source queues: {self.stranded}")
        if not self.drained:
            found.append("the flow did not drain before the timeout")
        return found

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON data (``--report-json``)."""
        return {**asdict(self), "problems": self.problems}


def restoration_index(
    ledger: Ledger, observed_items: list[tuple[str, Any]]
) -> dict[str, tuple[Restoration, str]]:
    """For each original's message id: how exactly a delivered payload matched it, and where it went.

    ``exact``: the delivered payload, serialized as a pipe serializes it, has the original's bytes
    (SHA-256). ``json-equal``: same JSON value, different formatting (a JSON target cannot carry the
    original's whitespace).
    """
    by_digest: dict[str, tuple[Restoration, str]] = {}
    for target, item in observed_items:
        if claim_check_of(item) is not None:
            continue
        text = item if isinstance(item, str) else compact_json(item)
        by_digest.setdefault(sha256_hex(text), ("exact", target))
        if not isinstance(item, str):
            by_digest.setdefault(
                "json:" + sha256_hex(json.dumps(item, sort_keys=True)), ("json-equal", target)
            )
    result: dict[str, tuple[Restoration, str]] = {}
    for message_id, original in ledger.originals.items():
        match = by_digest.get(original.sha256)
        if match is None:
            try:
                canonical = json.dumps(json.loads(original.body), sort_keys=True)
                match = by_digest.get("json:" + sha256_hex(canonical))
            except ValueError:
                match = None
        if match is None and message_id in ledger.filtered:
            match = ("filtered", "")  # dropped by a pipe's filter criteria, as the app asked
        result[message_id] = match or ("no", "")
    return result


def message_outcomes(ledger: Ledger, observed_items: list[tuple[str, Any]]) -> list[MessageOutcome]:
    """One outcome per original message, in the order the flow received them."""
    restored = restoration_index(ledger, observed_items)
    crossings = {c.claim.get("sha256"): c for c in ledger.crossings if not c.injected}
    outcomes = []
    for number, (message_id, original) in enumerate(ledger.originals.items(), start=1):
        crossing = crossings.get(original.sha256)
        how, where = restored[message_id]
        outcomes.append(
            MessageOutcome(
                number=number,
                message_id=message_id,
                label=str(next(iter(crossing.metadata.values()), message_id)) if crossing else message_id,
                size=original.size,
                crossed_bytes=crossing.size if crossing else None,
                crossed_via=crossing.target if crossing else None,
                restored=how,
                delivered_to=where or None,
            )
        )
    return outcomes


def _kib(size: int | None) -> str:
    if size is None:
        return "-"
    return f"{size} B" if size < 1024 else f"{size / 1024:,.1f} KiB"


def render(report: RunReport) -> str:
    """The report as the terminal shows it (resource names without the stack's prefix)."""

    def short(name: str | None) -> str:
        return "-" if not name else name.replace(f"{report.stack}-", "").replace(report.stack, "")

    lines = [f"Claim-check local run of stack {report.stack}", ""]
    for pipe in report.pipes:
        lines.append(
            f"pipe {short(pipe.name)}: {pipe.source} -> {pipe.enrichment or 'no enrichment'} -> "
            f"{short(pipe.target)}, batch size {pipe.batch_size}: "
            f"{pipe.batches} batches, {pipe.failed_batches} failed"
        )
    lines.append("")
    lines.append(
        f"{'#':>3}  {'message (kept field or id)':<36}  {'size':>11}  {'crossed':>8}  {'via':<24}  "
        "restored -> delivered to"
    )
    for m in report.messages:
        where = f" -> {short(m.delivered_to)}" if m.delivered_to else ""
        lines.append(
            f"{m.number:>3}  {m.label[:36]:<36}  {_kib(m.size):>11}  {_kib(m.crossed_bytes):>8}  "
            f"{short(m.crossed_via)[:24]:<24}  {m.restored}{where}"
        )
    total_in = sum(m.size for m in report.messages)
    total_crossed = sum(m.crossed_bytes or 0 for m in report.messages)
    exact = sum(1 for m in report.messages if m.restored == "exact")
    equal = sum(1 for m in report.messages if m.restored == "json-equal")
    lines += [
        "",
        f"messages: {len(report.messages)}, payload {_kib(total_in)}, "
        f"crossed as claim checks {_kib(total_crossed)}",
        f"restored byte-exact: {exact}, same JSON value: {equal}, lost: {len(report.lost)}",
    ]
    if report.executions:
        lines.append(
            "workflow executions: " + ", ".join(f"{n} {s}" for s, n in sorted(report.executions.items()))
        )
    for audit in report.bus_audits:
        lines.append(
            f"bus log {audit.log_group}: {audit.events} events, {audit.claim_checks} claim checks, "
            f"largest {_kib(audit.largest_event_bytes)}"
        )
    lines.append(
        f"failure path ({report.failure_mode}): "
        + ("injected" if report.failure_injected else "not injected")
    )
    if report.dead_letters:
        lines.append("dead-letter queues:")
        for d in report.dead_letters:
            tag = "expected" if d.expected else "UNEXPECTED"
            lines.append(f"  {d.queue}: {d.message_id} ({_kib(d.size)}, claim {d.claim_id or '-'}) [{tag}]")
            lines.append(f"      error: {d.error or 'none recorded'}")
    else:
        lines.append("dead-letter queues: empty")
    if report.waiting:
        lines.append(f"delivered to queues no pipe reads: {report.waiting}")
    if report.stranded:
        lines.append(f"left in source queues: {report.stranded}")
    lines += [f"note: {note}" for note in report.notes]
    problems = report.problems
    lines.append("")
    lines.append("RESULT: OK" if not problems else "RESULT: FAILED: " + "; ".join(problems))
    return "\n".join(lines)
