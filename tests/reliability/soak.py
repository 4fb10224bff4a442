"""The soak: many messages of mixed sizes through a whole claim-check flow under store faults, with a ledger.

The flow is ``apps/soak_app.py`` (the library's constructs), played by the local run against moto:
its pipes poll, the real handlers enrich in-process and are stopped at the template's timeout, as
Lambda stops them. Every call the handlers make to the store (DynamoDB, S3) passes the fault proxy,
which faults about ``fault_rate`` of them (throttles, 500s, dropped connections before and after the
write was applied, delays, truncated answers, answers held past the function's timeout). A few
poison messages (an SQS Extended Client pointer into a bucket nobody named) are mixed in. The pipes'
own sends to their targets (``PutEvents`` to the bus, ``SendMessage`` to the final queue) pass the
proxy too, which faults about ``delivery_fault_rate`` of them: throttles, 500s, and connections
dropped before or after the send was applied. A send applied whose answer was lost is retried (by
botocore, else by the queue redelivering the batch), so the target sees it twice: the duplicates that
Pipes' at-least-once delivery makes, counted by the ledger.

The ledger is kept apart from the run: what was sent (by SHA-256 of the body), what reached the final
queue (read from the queue itself), and what lies in the dead-letter queues with the error that put
it there. It proves ``sent = delivered byte-exact + in a DLQ with a named error``; a message in
neither is lost, and the soak fails. Redeliveries that reach the target twice are counted, not hidden.

Run it (about 25 minutes for 10,000 messages on two cores)::

    bash scripts/soak --messages 10000
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fault_proxy import FaultProxy, rule

from cdk_claim_check.local.assembly import StackArtifact, read_stacks, synthesize
from cdk_claim_check.local.lambda_harness import moto_server
from cdk_claim_check.local.ledger import Ledger, claim_check_of
from cdk_claim_check.local.pipes import PipeRunner
from cdk_claim_check.local.provision import LocalResources, provision
from cdk_claim_check.local.runner import local_pipes
from cdk_claim_check.local.server import Clients
from cdk_claim_check.runtime.contract import SQS_MAX_MESSAGE_BYTES, SQS_RECEIVE_MAX_MESSAGES

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).resolve().parent / "apps" / "soak_app.py"
MIN_BODY_BYTES = 1024
POISON_BUCKET = "nobody-named-this-bucket"
# The kinds of store fault, drawn with equal chance once a request is to be faulted.
FAULT_KINDS = ("throttle", "error500", "drop", "drop_after", "delay", "hold", "truncate")
# The kinds of fault on the pipes' sends to their targets.
DELIVERY_FAULT_KINDS = ("throttle", "error500", "drop", "drop_after")
STORE_SERVICES = frozenset({"dynamodb", "s3"})
# The pipes' sends to their targets: the split's to the bus, the retrieval's to the final queue.
DELIVERY_CALLS = ("events:PutEvents", "sqs:SendMessage")
_REGION = "us-east-1"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- what is sent --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One message the soak sent: its sequence number, size and whether it is poison."""

    seq: int
    size: int
    poison: bool


def _sized_text(rng: random.Random, size: int, *, compressible: bool) -> str:
    if compressible:  # an order-like body: a few kilobytes of the same words, again and again
        words = ("widget", "gadget", "sprocket", "qty", "price", "sku", "note")
        block = " ".join(rng.choice(words) for _ in range(1024))
        return (block * (size // len(block) + 1))[:size]
    # noise that no compressor shrinks
    return base64.b64encode(rng.randbytes(size * 3 // 4 + 3)).decode("ascii")[:size]


def make_body(seq: int, rng: random.Random, *, max_bytes: int, poison_rate: float) -> tuple[str, bool]:
    """One body: poison (a foreign Extended Client pointer), else a JSON object or plain text whose size
    is drawn log-uniformly between 1 KiB and ``max_bytes``; half compress well, half not at all."""
    if rng.random() < poison_rate:
        pointer = [
            "software.amazon.payloadoffloading.PayloadS3Pointer",
            {"s3BucketName": POISON_BUCKET, "s3Key": f"k{seq}"},
        ]
        return json.dumps(pointer, separators=(",", ":")), True
    size = round(MIN_BODY_BYTES * (max_bytes / MIN_BODY_BYTES) ** rng.random())
    compressible = rng.random() < 0.5
    if rng.random() < 0.5:
        head = json.dumps({"seq": seq, "kind": "order", "lines": ""}, separators=(",", ":"))
        filler = _sized_text(rng, max(0, size - len(head)), compressible=compressible)
        return json.dumps({"seq": seq, "kind": "order", "lines": filler}, separators=(",", ":")), False
    head = f"seq={seq};"
    return head + _sized_text(rng, max(0, size - len(head)), compressible=compressible), False


# --- the ledger ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    sha256: str | None  # the original's digest (a claim check carries it), None if unknown
    error: str | None


@dataclass
class SoakLedger:
    """Sent against delivered and dead-lettered, by the SHA-256 of each original body."""

    sent: dict[str, Sent] = field(default_factory=dict)
    delivered: Counter[str] = field(default_factory=Counter)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def send(self, body: str, seq: int, poison: bool) -> None:
        self.sent[sha256_hex(body)] = Sent(seq, len(body.encode("utf-8")), poison)

    def account(self) -> dict[str, Any]:
        """Every sent message in exactly one class, and what does not add up."""
        in_dlq = {d.sha256 for d in self.dead_letters if d.sha256 is not None}
        delivered = {sha for sha in self.sent if self.delivered[sha] > 0}
        dead = {sha for sha in self.sent if sha in in_dlq and sha not in delivered}
        lost = sorted(self.sent[sha].seq for sha in self.sent if sha not in delivered and sha not in dead)
        poison = {sha for sha, sent in self.sent.items() if sent.poison}
        return {
            "sent": len(self.sent),
            "sent_bytes": sum(s.size for s in self.sent.values()),
            "poison_sent": len(poison),
            "delivered_byte_exact": len(delivered),
            "in_dlq": len(dead),
            "in_dlq_poison": len(dead & poison),
            "in_dlq_batchmates": len(dead - poison),
            "lost": len(lost),
            "lost_seqs": lost[:20],
            "duplicates": sum(
                count - 1 for sha, count in self.delivered.items() if sha in self.sent and count > 1
            ),
            "unknown_deliveries": sum(count for sha, count in self.delivered.items() if sha not in self.sent),
            "poison_delivered": len(delivered & poison),
            "dlq_without_error": sum(1 for d in self.dead_letters if not d.error),
            "dlq_unknown": sum(1 for d in self.dead_letters if d.sha256 not in self.sent),
            "dlq_errors": dict(Counter(_error_kind(d.error) for d in self.dead_letters).most_common()),
        }


def _error_kind(error: str | None) -> str:
    """The error's reason code (``pointer_not_allowed``, say), else its first words, for a histogram."""
    if not error:
        return "none"
    found = re.search(r"\): ([a-z_]+): ", error)
    return found.group(1) if found else " ".join(error.split()[:6])


def problems(account: dict[str, Any]) -> list[str]:
    """Why the soak failed; empty when every message is accounted for."""
    found = []
    if account["lost"]:
        found.append(
            f"{account['lost']} message(s) neither delivered nor in a DLQ: seqs {account['lost_seqs']}"
        )
    if account["unknown_deliveries"]:
        found.append(f"{account['unknown_deliveries']} delivered payload(s) match no message sent (altered)")
    if account["poison_delivered"]:
        found.append(f"{account['poison_delivered']} poison message(s) were delivered")
    if account["dlq_without_error"]:
        found.append(f"{account['dlq_without_error']} DLQ message(s) carry no recorded error")
    if account["dlq_unknown"]:
        found.append(f"{account['dlq_unknown']} DLQ message(s) match no message sent")
    return found


# --- the run -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoakOptions:
    messages: int = 1000
    fault_rate: float = 0.01
    poison_rate: float = 0.002
    seed: int = 11
    max_body_bytes: int = SQS_MAX_MESSAGE_BYTES
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    delivery_fault_rate: float = 0.01
    delivery_fault_kinds: tuple[str, ...] = DELIVERY_FAULT_KINDS
    max_wave: int = 60  # messages sent between two drains of the flow: 1..max_wave, at random
    timeout_seconds: float = 4 * 3600.0  # for sending and draining together; the run fails past it


def synthesize_soak_app(out_dir: Path, function_timeout_seconds: int = 10) -> StackArtifact:
    import os

    saved = dict(os.environ)
    os.environ.update(
        {
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            "CDK_VALIDATION": "false",
            "SOAK_FUNCTION_TIMEOUT": str(function_timeout_seconds),
        }
    )
    try:
        assembly = synthesize(f"{sys.executable} {APP}", out_dir, cwd=ROOT)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    (stack,) = read_stacks(assembly)
    return stack


def _drain(clients: Clients, queue_url: str) -> Iterator[dict[str, Any]]:
    while messages := clients.sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=SQS_RECEIVE_MAX_MESSAGES, VisibilityTimeout=3600
    ).get("Messages", []):
        yield from messages


def _store_faults(options: SoakOptions, function_timeout: int) -> list[Any]:
    """One rule per fault kind on DynamoDB and S3 calls, together faulting about ``fault_rate`` of them."""
    share = options.fault_rate / len(options.fault_kinds)
    seconds = {"delay": 0.5, "hold": function_timeout + 2.0}
    return [
        rule(
            kind, service, probability=share, seed=options.seed * 100 + number, seconds=seconds.get(kind, 0.0)
        )
        for number, kind in enumerate(options.fault_kinds)
        for service in ("dynamodb", "s3")
    ]


def _delivery_faults(options: SoakOptions) -> list[Any]:
    """One rule per fault kind and target call, together faulting about ``delivery_fault_rate``."""
    share = options.delivery_fault_rate / len(options.delivery_fault_kinds)
    return [
        rule(kind, call, probability=share, seed=options.seed * 1000 + number)
        for number, (kind, call) in enumerate(
            (kind, call) for kind in options.delivery_fault_kinds for call in DELIVERY_CALLS
        )
    ]


def run_soak(
    stack: StackArtifact, options: SoakOptions, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    """Send, drain and account; return the figures and the ledger's account."""
    rng = random.Random(options.seed)
    soak_ledger = SoakLedger()
    with moto_server() as endpoint_url:
        clients = Clients.for_endpoint(endpoint_url, _REGION)
        resources = provision(stack, clients)
        pipes = local_pipes(resources)
        timeout = max(f.timeout_seconds for f in resources.functions.values())
        with FaultProxy(endpoint_url) as proxy:
            for function in resources.functions.values():
                function.environment["AWS_ENDPOINT_URL"] = proxy.url
            if options.fault_rate:
                proxy.add(*_store_faults(options, timeout))
            if options.delivery_fault_rate:
                proxy.add(*_delivery_faults(options))
            run_ledger = Ledger()
            # Only the pipes' sends to their targets pass the proxy, not their polls.
            runner = PipeRunner(
                pipes,
                clients=clients,
                resources=resources,
                ledger=run_ledger,
                progress=lambda _: None,
                target_clients=Clients.for_endpoint(proxy.url, _REGION),
            )
            (inbox_url,) = [pipe.source_queue_url for pipe in pipes if pipe.is_entry]
            delivered_url = resources.queue_url(_delivered_queue(resources))
            started = time.monotonic()
            deadline = started + options.timeout_seconds
            drained = True
            seq = 0
            while seq < options.messages and time.monotonic() < deadline:
                before = seq
                for _ in range(min(rng.randint(1, options.max_wave), options.messages - seq)):
                    body, poison = make_body(
                        seq, rng, max_bytes=options.max_body_bytes, poison_rate=options.poison_rate
                    )
                    clients.sqs.send_message(QueueUrl=inbox_url, MessageBody=body)
                    soak_ledger.send(body, seq, poison)
                    seq += 1
                drained = runner.run_until_idle(timeout_seconds=max(1.0, deadline - time.monotonic()))
                _take_deliveries(clients, delivered_url, soak_ledger)
                if seq // 500 != before // 500 or seq == options.messages:
                    progress(f"  {seq} sent and drained, {time.monotonic() - started:.0f} s")
            duration = time.monotonic() - started
            store = [entry for entry in proxy.log if entry.service in STORE_SERVICES]
            sends = [entry for entry in proxy.log if f"{entry.service}:{entry.operation}" in DELIVERY_CALLS]
            faults = Counter(entry.fault for entry in store if entry.fault)
            delivery_faults = Counter(entry.fault for entry in sends if entry.fault)
            stranded = runner.queue_depths(sources=True)
        _collect(clients, resources, run_ledger, soak_ledger)
    account = soak_ledger.account()
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "options": asdict(options),
        "account": account,
        "problems": problems(account)
        + ([f"left in source queues: {stranded}"] if stranded else [])
        + ([] if drained else ["the flow did not drain before the timeout"]),
        "duration_seconds": round(duration, 1),
        "messages_per_second": round(len(soak_ledger.sent) / duration, 1),
        "mib_per_second": round(account["sent_bytes"] / 1_048_576 / duration, 2),
        "store_calls": len(store),
        "store_faults": dict(sorted(faults.items())),
        "store_fault_share": round(sum(faults.values()) / max(1, len(store)), 4),
        "target_sends": len(sends),
        "target_send_faults": dict(sorted(delivery_faults.items())),
        "function_timeouts": sum(f.timeouts for f in resources.functions.values()),
        "batches": dict(run_ledger.batches),
        "failed_batches": dict(run_ledger.failed_batches),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _delivered_queue(resources: LocalResources) -> str:
    (delivered,) = [
        q.logical_id
        for q in resources.index.of_type("AWS::SQS::Queue")
        if q.logical_id.startswith("Delivered")
    ]
    return delivered


def _take_deliveries(clients: Clients, queue_url: str, soak_ledger: SoakLedger) -> None:
    """Count what reached the final queue and delete it, so the queue stays short (moto's receive
    looks at every message in the queue for each one it returns: a 10,000-message queue never drains)."""
    for message in _drain(clients, queue_url):
        soak_ledger.delivered[sha256_hex(message["Body"])] += 1
        clients.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def _collect(
    clients: Clients, resources: LocalResources, run_ledger: Ledger, soak_ledger: SoakLedger
) -> None:
    """Read the final queue and the DLQs into the soak's ledger."""
    _take_deliveries(clients, resources.queue_url(_delivered_queue(resources)), soak_ledger)
    for source, dlq in sorted(resources.dead_letter_queues.items()):
        for message in _drain(clients, resources.queue_url(dlq)):
            claim = claim_check_of(message["Body"])
            digest = str(claim.get("sha256")) if claim else sha256_hex(message["Body"])
            soak_ledger.dead_letters.append(
                DeadLetter(queue=source, sha256=digest, error=run_ledger.last_error(message["MessageId"]))
            )


README_START = "<!-- soak:start -->"
README_END = "<!-- soak:end -->"
README = ROOT / "README.md"
FIGURES = ROOT / "docs" / "soak.json"


def _by_kind(counts: dict[str, int]) -> str:
    """``{"drop": 2, "hold": 1}`` as ``drop 2, hold 1``."""
    return ", ".join(f"{kind} {count}" for kind, count in counts.items()) or "none"


def render_readme_block(figures: dict[str, Any]) -> str:
    """The README's "Soak" table, from the figures of one run (``docs/soak.json``)."""
    account, options = figures["account"], figures["options"]
    rows = [
        (
            "messages sent",
            f"{account['sent']:,} ({account['sent_bytes'] / 1_048_576:,.0f} MiB, 1 KiB .. 1 MiB)",
        ),
        ("of them poison (a pointer into a bucket nobody named)", f"{account['poison_sent']:,}"),
        (
            "store calls faulted",
            f"{sum(figures['store_faults'].values()):,} of {figures['store_calls']:,} "
            f"({figures['store_fault_share']:.2%}): {_by_kind(figures['store_faults'])}",
        ),
        (
            "sends to the bus and the final queue faulted",
            f"{sum(figures['target_send_faults'].values()):,} of {figures['target_sends']:,}: "
            f"{_by_kind(figures['target_send_faults'])}",
        ),
        ("delivered byte-exact", f"{account['delivered_byte_exact']:,}"),
        (
            "in a DLQ with a named error",
            f"{account['in_dlq']:,}: {account['in_dlq_poison']:,} poison, "
            f"{account['in_dlq_batchmates']:,} batchmates of poison",
        ),
        ("lost", f"{account['lost']:,}"),
        ("delivered more than once (at-least-once), extra copies", f"{account['duplicates']:,}"),
        ("functions stopped at their timeout", f"{figures['function_timeouts']:,}"),
        ("failed batches (retried by the queue)", f"{sum(figures['failed_batches'].values()):,}"),
        (
            "duration, throughput",
            f"{figures['duration_seconds']:,.0f} s, {figures['messages_per_second']} messages/s, "
            f"{figures['mib_per_second']} MiB/s (moto and both pipes in one process)",
        ),
        ("peak memory", f"{figures['peak_rss_mib']:,} MiB (moto included)"),
    ]
    lines = ["| | |", "| --- | --- |", *(f"| {name} | {value} |" for name, value in rows)]
    lines.append("")
    lines.append(
        f"Run of {figures['date']}: `bash scripts/soak --messages {account['sent']} --fault-rate "
        f"{options['fault_rate']} --delivery-fault-rate {options['delivery_fault_rate']} "
        f"--poison-rate {options['poison_rate']} --seed {options['seed']} --readme`."
    )
    return "\n".join(lines)


def update_readme(readme: Path, figures: dict[str, Any]) -> None:
    """Replace the text between the soak markers of ``readme`` with the rendered table."""
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(
        f"{head}{README_START}\n{render_readme_block(figures)}\n{README_END}{tail}", encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=SoakOptions.messages)
    parser.add_argument("--fault-rate", type=float, default=SoakOptions.fault_rate)
    parser.add_argument(
        "--delivery-fault-rate",
        type=float,
        default=SoakOptions.delivery_fault_rate,
        help="the share of the pipes' sends to their targets to fault",
    )
    parser.add_argument("--poison-rate", type=float, default=SoakOptions.poison_rate)
    parser.add_argument("--seed", type=int, default=SoakOptions.seed)
    parser.add_argument(
        "--faults", default=",".join(FAULT_KINDS), help="the kinds of store fault to inject (comma-separated)"
    )
    parser.add_argument(
        "--timeout-seconds", type=float, default=SoakOptions.timeout_seconds, help="fail the soak past this"
    )
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument(
        "--readme",
        action="store_true",
        help=f"write the figures to {FIGURES.relative_to(ROOT)} and README.md",
    )
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        stack = synthesize_soak_app(Path(work) / "cdk.out")
        options = SoakOptions(
            messages=args.messages,
            fault_rate=args.fault_rate,
            poison_rate=args.poison_rate,
            seed=args.seed,
            fault_kinds=tuple(kind.strip() for kind in args.faults.split(",") if kind.strip()),
            delivery_fault_rate=args.delivery_fault_rate,
            timeout_seconds=args.timeout_seconds,
        )
        print(
            f"soak: {options.messages} messages, store fault rate {options.fault_rate}, "
            f"target send fault rate {options.delivery_fault_rate}, poison rate {options.poison_rate}"
        )
        figures = run_soak(stack, options)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if args.readme:
        FIGURES.write_text(text + "\n")
        update_readme(README, figures)
    print("SOAK: OK" if not figures["problems"] else "SOAK: FAILED: " + "; ".join(figures["problems"]))
    return 0 if not figures["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
