"""``dlq list`` and ``dlq redrive``: what waits in a dead-letter queue, and moving it back safely.

Listing receives the messages with a short visibility timeout and makes them visible again at once:
nothing is removed (each message's receive count goes up by one, which matters only to a DLQ that
has a redrive policy of its own). Why a message failed comes from two places: a check of its claim
against the store now (with ``--table``), and the last error the functions logged for its message
id (with ``--log-group``; the handlers log the failing record's reason and every message id of its
batch, so a message that failed only with its batch is explained too).

Redrive uses SQS's own message-move task when it can (no ``--max``, no ``--dry-run``, and the queue
accepts ``StartMessageMoveTask``); otherwise it receives, sends to the source, and deletes from the
DLQ only after the send succeeded, so a failure at any step leaves the message in the DLQ (at worst
it is sent twice, never lost). Each move is written to the ledger as it happens.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

from ..runtime.contract import SQS_MAX_RETENTION_SECONDS, SQS_RECEIVE_MAX_MESSAGES
from ..runtime.errors import ClaimCheckError
from .aws import Aws, OperatorError, aws_errors, error_code
from .claims import StoreOptions, UnknownClaimError, inspect_claim

DEFAULT_HOLD_SECONDS = 30
"""How long a listed or moving message stays hidden from other consumers of the DLQ."""
_FAILURE_TERM = '"failed"'
"""CloudWatch Logs filter term of the handlers' failure records (``split failed``, ``retrieval failed``)."""
_MAX_LOG_PAGES = 100


@dataclass(frozen=True)
class Queue:
    """A queue, by URL and ARN."""

    url: str
    arn: str

    @property
    def name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]


def resolve_queue(aws: Aws, queue: str, what: str = "QUEUE") -> Queue:
    """A queue named by URL, ARN or name.

    :raises OperatorError: when it does not exist (exit status 2).
    """
    sqs = aws.client("sqs")
    with aws_errors(f"{what} {queue!r}"):
        if queue.startswith(("https://", "http://")):
            url = queue
        elif queue.startswith("arn:"):
            parts = queue.split(":")
            if len(parts) != 6 or parts[2] != "sqs":
                raise OperatorError(f"{what} {queue!r} is not an SQS queue ARN")
            url = sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]
        else:
            url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Queue(url=url, arn=arn)


def _depth(aws: Aws, queue: Queue) -> int:
    with aws_errors(f"queue {queue.name}"):
        attributes = aws.client("sqs").get_queue_attributes(
            QueueUrl=queue.url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0))


def _receive(aws: Aws, queue: Queue, limit: int, hold_seconds: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of up to 10 messages, hidden for ``hold_seconds``, until ``limit`` or two empty receives."""
    seen: set[str] = set()
    empty = 0
    while len(seen) < limit and empty < 2:
        with aws_errors(f"DLQ {queue.name}"):
            messages = (
                aws.client("sqs")
                .receive_message(
                    QueueUrl=queue.url,
                    MaxNumberOfMessages=min(SQS_RECEIVE_MAX_MESSAGES, limit - len(seen)),
                    VisibilityTimeout=hold_seconds,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                    WaitTimeSeconds=1,
                )
                .get("Messages", [])
            )
        fresh = [m for m in messages if m["MessageId"] not in seen]
        empty = 0 if fresh else empty + 1
        seen.update(m["MessageId"] for m in fresh)
        if fresh:
            yield fresh


def _release(aws: Aws, queue: Queue, messages: list[dict[str, Any]]) -> None:
    """Make received messages visible again now (else they return when their hold ends)."""
    for start in range(0, len(messages), SQS_RECEIVE_MAX_MESSAGES):
        chunk = messages[start : start + SQS_RECEIVE_MAX_MESSAGES]
        with aws_errors(f"DLQ {queue.name}"):
            aws.client("sqs").change_message_visibility_batch(
                QueueUrl=queue.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(chunk)
                ],
            )


@dataclass
class DlqEntry:
    """One message of a DLQ, as ``dlq list`` shows it (never its body).

    :ivar message_id: the SQS message id (a DLQ keeps the id the message had in its source queue).
    :ivar size: the body's size in bytes.
    :ivar receive_count: ``ApproximateReceiveCount``.
    :ivar sent_at: ``SentTimestamp`` (epoch milliseconds) of the original send.
    :ivar kind: ``claim check`` (a retrieval's DLQ) or ``payload`` (a split's DLQ: the original message).
    :ivar claim_id: the claim's id, for a claim check.
    :ivar check: with ``--table``: ``ok`` or why the claim does not redeem now.
    :ivar last_error: with ``--log-group``: the latest failure the functions logged for this message.
    """

    message_id: str
    size: int
    receive_count: int
    sent_at: int
    kind: str
    claim_id: str | None = None
    check: str | None = None
    last_error: str | None = None


def _entry(message: dict[str, Any]) -> DlqEntry:
    from ..runtime.wire import parse_claim

    body = message["Body"]
    attributes = message.get("Attributes", {})
    entry = DlqEntry(
        message_id=message["MessageId"],
        size=len(body.encode("utf-8")),
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        sent_at=int(attributes.get("SentTimestamp", 0)),
        kind="payload",
    )
    try:
        check, _ = parse_claim(body)
    except ClaimCheckError:
        return entry
    entry.kind, entry.claim_id = "claim check", check.id
    return entry


def list_dlq(
    aws: Aws,
    queue: Queue,
    *,
    limit: int,
    store: StoreOptions | None,
    log_groups: list[str],
    since_seconds: int = SQS_MAX_RETENTION_SECONDS,
    hold_seconds: int = DEFAULT_HOLD_SECONDS,
) -> list[DlqEntry]:
    """Up to ``limit`` messages of ``queue`` with their claim, its check now, and their last logged error;
    every message is made visible again before this returns."""
    received: list[dict[str, Any]] = []
    try:
        for batch in _receive(aws, queue, limit, hold_seconds):
            received += batch
    finally:
        if received:
            _release(aws, queue, received)
    entries = [_entry(message) for message in received]
    for entry, message in zip(entries, received, strict=True):
        if store is not None and entry.claim_id is not None:
            try:
                report = inspect_claim(aws, store, message["Body"])
                entry.check = report.check if report.check == "ok" else f"{report.check}: {report.detail}"
            except UnknownClaimError as error:
                entry.check = f"missing: {error}"
            except OperatorError as error:
                if error.exit_status == 2:  # the table, the credentials: nothing else would work either
                    raise
                entry.check = str(error)
    if log_groups:
        errors = last_errors(aws, log_groups, {e.message_id for e in entries}, since_seconds)
        for entry in entries:
            entry.last_error = errors.get(entry.message_id)
    return entries


def last_errors(aws: Aws, log_groups: list[str], message_ids: set[str], since_seconds: int) -> dict[str, str]:
    """The latest failure the handlers logged for each message id (as the failing record, or as a
    message of the failed batch), from the functions' log groups."""
    found: dict[str, tuple[int, str]] = {}
    start = int((time.time() - since_seconds) * 1000)
    logs = aws.client("logs")
    for group in log_groups:
        token: str | None = None
        for _ in range(_MAX_LOG_PAGES):
            request: dict[str, Any] = {
                "logGroupName": group,
                "filterPattern": _FAILURE_TERM,
                "startTime": start,
            }
            if token:
                request["nextToken"] = token
            with aws_errors(f"log group {group!r}"):
                reply = logs.filter_log_events(**request)
            for event in reply.get("events", []):
                _note(found, event, message_ids)
            token = reply.get("nextToken")
            if not token:
                break
    return {message_id: text for message_id, (_, text) in found.items()}


def _note(found: dict[str, tuple[int, str]], event: dict[str, Any], message_ids: set[str]) -> None:
    try:
        record = json.loads(event["message"])
    except (ValueError, KeyError):
        return
    if not isinstance(record, dict) or record.get("level") != "ERROR":
        return
    when = int(event.get("timestamp", 0))
    failing = record.get("correlation_id")
    reason = record.get("reason")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when / 1000))
    for message_id in {str(failing), *map(str, record.get("message_ids") or [])} & message_ids:
        if reason is None:
            exception = record.get("exception_name", "error")
            text = f"{stamp} {record.get('message')}: {exception} (an AWS or runtime failure, not the claim)"
        elif message_id == failing:
            text = f"{stamp} {reason}: {record.get('detail', '')}".rstrip(": ")
        else:
            position = record.get("position")
            text = f"{stamp} failed with its batch: record {position} (messageId {failing}) {reason}"
        if message_id not in found or found[message_id][0] <= when:
            found[message_id] = (when, _printable(text))


def _printable(text: str) -> str:
    """Log text as it may be shown on a terminal: control characters (escape sequences) replaced."""
    return "".join(char if char.isprintable() else "?" for char in text)


# --- redrive ---------------------------------------------------------------------------------------------


@dataclass
class RedriveResult:
    """What ``dlq redrive`` did.

    :ivar method: ``move-task`` (SQS StartMessageMoveTask) or ``receive-send-delete``.
    :ivar moved: messages sent to the source and deleted from the DLQ (move task: as SQS reports them).
    :ivar not_deleted: messages sent but whose delete failed: they stay in the DLQ too (sent twice at worst).
    :ivar notes: what happened besides (fallbacks, dry run).
    """

    method: str
    moved: int = 0
    not_deleted: int = 0
    notes: list[str] = field(default_factory=list)


def source_of(aws: Aws, dlq: Queue) -> Queue:
    """The one queue whose redrive policy names ``dlq``.

    :raises OperatorError: when none or several do (then ``--to`` must say which).
    """
    with aws_errors(f"DLQ {dlq.name}"):
        urls = aws.client("sqs").list_dead_letter_source_queues(QueueUrl=dlq.url).get("queueUrls", [])
    if len(urls) != 1:
        named = ", ".join(urls) or "none"
        raise OperatorError(
            f"DLQ {dlq.name} is the dead-letter queue of {len(urls)} queues ({named}): pass --to"
        )
    return resolve_queue(aws, urls[0], "source")


def redrive(
    aws: Aws,
    dlq: Queue,
    target: Queue,
    *,
    limit: int | None,
    dry_run: bool,
    method: str,
    ledger: TextIO,
    hold_seconds: int = DEFAULT_HOLD_SECONDS,
    wait_seconds: int = 300,
    progress: Callable[[str], None] = print,
) -> RedriveResult:
    """Move up to ``limit`` messages (default: as many as the DLQ held at the start) from ``dlq`` to
    ``target``, writing one JSON line per move (or per move task) to ``ledger``."""
    check_redrive(dlq, target, limit=limit, method=method)
    if dry_run:
        return _dry_run(aws, dlq, target, limit, hold_seconds, progress)
    if method in ("auto", "move-task") and limit is None:
        result = _move_task(aws, dlq, target, ledger, wait_seconds, progress)
        if result is not None or method == "move-task":
            if result is None:
                raise OperatorError("the DLQ does not accept StartMessageMoveTask (see above)", 1)
            return result
    return _receive_send_delete(aws, dlq, target, limit, ledger, hold_seconds, progress)


def check_redrive(dlq: Queue, target: Queue, *, limit: int | None, method: str) -> None:
    """Refuse a redrive that cannot be done as asked.

    :raises OperatorError: when ``target`` is the DLQ itself, or a move task is asked to honour a limit.
    """
    if dlq.arn == target.arn:
        raise OperatorError("--to names the DLQ itself: redrive moves messages back to their source queue")
    if method == "move-task" and limit is not None:
        raise OperatorError("--method move-task cannot honour --max (a move task moves everything)")


def _dry_run(
    aws: Aws, dlq: Queue, target: Queue, limit: int | None, hold: int, progress: Callable[[str], None]
) -> RedriveResult:
    entries = list_dlq(
        aws, dlq, limit=limit or max(1, _depth(aws, dlq)), store=None, log_groups=[], hold_seconds=hold
    )
    for entry in entries:
        progress(f"would move {entry.message_id} ({entry.kind}, {entry.size} bytes) to {target.name}")
    return RedriveResult(
        "dry-run", notes=[f"dry run: {len(entries)} message(s) would move; nothing was changed"]
    )


def _move_task(
    aws: Aws, dlq: Queue, target: Queue, ledger: TextIO, wait_seconds: int, progress: Callable[[str], None]
) -> RedriveResult | None:
    """SQS's own move task; ``None`` when the DLQ does not accept it (the caller falls back)."""
    from botocore.exceptions import ClientError

    sqs = aws.client("sqs")
    try:
        handle = sqs.start_message_move_task(SourceArn=dlq.arn, DestinationArn=target.arn)["TaskHandle"]
    except ClientError as error:
        progress(f"StartMessageMoveTask refused ({error_code(error) or error}); moving message by message")
        return None
    _write(
        ledger,
        {"method": "move-task", "task_handle": handle, "from": dlq.arn, "to": target.arn, "at": _now()},
    )
    deadline = time.monotonic() + wait_seconds
    status, moved = "RUNNING", 0
    while time.monotonic() < deadline:
        with aws_errors(f"DLQ {dlq.name}"):
            tasks = sqs.list_message_move_tasks(SourceArn=dlq.arn).get("Results", [])
        task = next((t for t in tasks if t.get("TaskHandle") == handle), tasks[0] if tasks else {})
        status, moved = task.get("Status", status), int(task.get("ApproximateNumberOfMessagesMoved", moved))
        if status != "RUNNING":
            break
        time.sleep(2)
    _write(
        ledger, {"method": "move-task", "task_handle": handle, "status": status, "moved": moved, "at": _now()}
    )
    result = RedriveResult("move-task", moved=moved, notes=[f"move task {status}"])
    if status == "RUNNING":
        result.notes.append(f"still running after {wait_seconds}s; SQS goes on moving (task {handle})")
    return result


def _send_request(target: Queue, message: dict[str, Any]) -> dict[str, Any]:
    """SendMessage of ``message``'s body and attributes to ``target`` (FIFO: its group, deduplicated
    by its id)."""
    request: dict[str, Any] = {"QueueUrl": target.url, "MessageBody": message["Body"]}
    attributes = {
        name: {
            key: value
            for key, value in attribute.items()
            if key in ("DataType", "StringValue", "BinaryValue")
        }
        for name, attribute in (message.get("MessageAttributes") or {}).items()
    }
    if attributes:
        request["MessageAttributes"] = attributes
    if target.arn.endswith(".fifo"):
        group = message.get("Attributes", {}).get("MessageGroupId")
        if not group:
            raise OperatorError(
                f"message {message['MessageId']} has no MessageGroupId for FIFO queue {target.name}"
            )
        # A retry of this redrive within SQS's 5-minute window is then not delivered twice.
        request["MessageGroupId"] = group
        request["MessageDeduplicationId"] = message["MessageId"]
    return request


def _receive_send_delete(
    aws: Aws,
    dlq: Queue,
    target: Queue,
    limit: int | None,
    ledger: TextIO,
    hold_seconds: int,
    progress: Callable[[str], None],
) -> RedriveResult:
    sqs = aws.client("sqs")
    # Never more than the DLQ held at the start: a message that fails again and returns is not chased.
    budget = min(limit, _depth(aws, dlq)) if limit is not None else _depth(aws, dlq)
    result = RedriveResult("receive-send-delete")
    for batch in _receive(aws, dlq, budget, hold_seconds):
        for message in batch:
            entry = _entry(message)
            with aws_errors(f"send to {target.name}"):
                sent = sqs.send_message(**_send_request(target, message))
            line = {
                "method": "receive-send-delete",
                "dlq_message_id": entry.message_id,
                "claim_id": entry.claim_id,
                "size": entry.size,
                "to": target.arn,
                "sent_message_id": sent["MessageId"],
                "at": _now(),
            }
            try:
                with aws_errors(f"delete from {dlq.name}"):
                    sqs.delete_message(QueueUrl=dlq.url, ReceiptHandle=message["ReceiptHandle"])
            except OperatorError as error:
                line["status"] = f"sent, not deleted ({error}): it stays in the DLQ and would be sent again"
                result.not_deleted += 1
            else:
                line["status"] = "moved"
                result.moved += 1
            _write(ledger, line)
            progress(f"{line['status']}: {entry.message_id} -> {target.name} as {sent['MessageId']}")
    return result


def _write(ledger: TextIO, line: dict[str, Any]) -> None:
    ledger.write(json.dumps(line, sort_keys=True) + "\n")
    ledger.flush()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def entries_json(entries: list[DlqEntry]) -> list[dict[str, Any]]:
    """The entries as JSON objects."""
    return [asdict(entry) for entry in entries]
