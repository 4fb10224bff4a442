"""``cdk-claim-check dlq list`` and ``dlq redrive`` on moto: nothing removed by listing, nothing lost by
redriving (moto has no StartMessageMoveTask, so the receive / send / delete-after-send path is what runs)."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cdk_claim_check.operate import dlq as dlq_module
from cdk_claim_check.operate.aws import Aws, AwsOptions, OperatorError
from cdk_claim_check.runtime import ClaimCheckClient
from conftest import Ran

SECRET = "payload-secret-ünïcödé"


@pytest.fixture
def queues(moto_server: str) -> dict[str, Any]:
    """A source queue whose redrive policy names a fresh DLQ; the DLQ holds three messages."""
    sqs = boto3.client("sqs", endpoint_url=moto_server, region_name="us-east-1")
    suffix = uuid.uuid4().hex[:8]
    dlq = sqs.create_queue(QueueName=f"dlq-{suffix}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    source = sqs.create_queue(QueueName=f"source-{suffix}", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    return {"sqs": sqs, "dlq": dlq, "dlq_name": f"dlq-{suffix}", "source": source}


def _depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def _drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=60
    ).get("Messages", []):
        got += messages
    return got


def _send(queues: dict[str, Any], bodies: list[str]) -> None:
    for body in bodies:
        queues["sqs"].send_message(
            QueueUrl=queues["dlq"],
            MessageBody=body,
            MessageAttributes={"tenant": {"DataType": "String", "StringValue": "t-1"}},
        )


def test_dlq_list_shows_each_claim_its_check_and_removes_nothing(
    operate: Callable[..., Ran], queues: dict[str, Any], client: ClaimCheckClient, claim_check_resources: Any
) -> None:
    good = client.put(SECRET)
    bad = client.put("other")
    bad["claimCheck"]["sha256"] = "1" * 64
    _send(queues, [json.dumps({"detail": good}), json.dumps(bad), SECRET])
    ran = operate("dlq", "list", queues["dlq_name"], "--table", claim_check_resources.table_name)
    assert ran.status == 0, ran.err
    assert "3 message(s)" in ran.out and ran.out.count("claim check") == 2 and "payload  claim -" in ran.out
    assert good["claimCheck"]["id"] in ran.out and "check now:  ok" in ran.out
    assert "check now:  tampered: claim" in ran.out
    assert SECRET not in ran.out + ran.err
    # Listed, not removed, and visible again at once.
    assert len(_drain(queues["sqs"], queues["dlq"])) == 3


def _log_group_with(moto_server: str, name: str, records: list[dict[str, Any]]) -> str:
    """A new function log group in moto holding ``records`` as JSON log lines; its name."""
    logs = boto3.client("logs", endpoint_url=moto_server, region_name="us-east-1")
    group = f"/aws/lambda/{name}-{uuid.uuid4().hex[:6]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": json.dumps(line)} for line in records],
    )
    return group


def test_dlq_list_shows_the_last_error_the_functions_logged_for_each_message(
    operate: Callable[..., Ran], queues: dict[str, Any], moto_server: str
) -> None:
    _send(queues, ["a", "b"])
    ids = sorted(
        entry["message_id"] for entry in json.loads(operate("dlq", "list", queues["dlq_name"], "--json").out)
    )
    # The shape of the retrieval handler's failure record (tests/runtime shows it logs these keys).
    record = {
        "level": "ERROR",
        "message": "retrieval failed",
        "correlation_id": ids[1],
        "reason": "tampered",
        "detail": "claim x does not match its store item",
        "position": 1,
        "message_ids": ids,
    }
    noise = {"level": "INFO", "message": "batch redeemed", "message_ids": ids}
    group = _log_group_with(moto_server, "retrieve", [record, noise])
    ran = operate("dlq", "list", queues["dlq_name"], "--log-group", group, "--json")
    errors = {entry["message_id"]: entry["last_error"] for entry in json.loads(ran.out)}
    assert errors[ids[1]].endswith("tampered: claim x does not match its store item")
    assert "failed with its batch: record 1" in errors[ids[0]] and errors[ids[0]].endswith("tampered")


def test_dlq_redrive_moves_every_message_back_to_its_source_with_a_ledger(
    operate: Callable[..., Ran], queues: dict[str, Any], tmp_path: Path
) -> None:
    _send(queues, ["one", "two", SECRET])
    ledger = tmp_path / "ledger.jsonl"
    ran = operate("dlq", "redrive", queues["dlq_name"], "--ledger", str(ledger))
    assert ran.status == 0, ran.err
    assert "StartMessageMoveTask refused" in ran.out  # moto does not implement it: the fallback runs
    assert "receive-send-delete: 3 moved" in ran.out
    lines = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert [line["status"] for line in lines] == ["moved"] * 3
    moved = _drain(queues["sqs"], queues["source"])
    assert sorted(m["Body"] for m in moved) == sorted(["one", "two", SECRET])
    assert {m["MessageAttributes"]["tenant"]["StringValue"] for m in moved} == {"t-1"}
    assert {m["MessageId"] for m in moved} == {line["sent_message_id"] for line in lines}
    assert _depth(queues["sqs"], queues["dlq"]) == 0
    assert SECRET not in ran.out + ran.err


def test_dlq_redrive_max_and_dry_run_move_only_what_they_say(
    operate: Callable[..., Ran], queues: dict[str, Any], tmp_path: Path
) -> None:
    _send(queues, ["one", "two", "three"])
    dry = operate("dlq", "redrive", queues["dlq_name"], "--dry-run")
    assert dry.status == 0 and dry.out.count("\nwould move ") + dry.out.startswith("would move ") == 3
    assert _depth(queues["sqs"], queues["source"]) == 0
    one = operate("dlq", "redrive", queues["dlq_name"], "--max", "1", "--ledger", str(tmp_path / "l"))
    assert one.status == 0 and "1 moved" in one.out and "StartMessageMoveTask" not in one.out
    assert _depth(queues["sqs"], queues["source"]) == 1 and len(_drain(queues["sqs"], queues["dlq"])) == 2


def test_dlq_redrive_needs_to_when_the_source_is_not_known_and_refuses_the_dlq_itself(
    operate: Callable[..., Ran], queues: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a default ledger would be written
    orphan = queues["sqs"].create_queue(QueueName=f"orphan-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    ran = operate("dlq", "redrive", orphan)
    assert ran.status == 2 and "dead-letter queue of 0 queues" in ran.err and "pass --to" in ran.err
    itself = operate("dlq", "redrive", queues["dlq_name"], "--to", queues["dlq"])
    assert itself.status == 2 and "--to names the DLQ itself" in itself.err
    task = operate("dlq", "redrive", queues["dlq_name"], "--method", "move-task", "--max", "1")
    assert task.status == 2 and "cannot honour --max" in task.err
    assert list(tmp_path.iterdir()) == []  # refused runs leave no (empty) ledger behind


class _FailingSqs:
    """The SQS client, with SendMessage or DeleteMessage failing from the given call on."""

    def __init__(self, real: Any, operation: str, from_call: int) -> None:
        self._real, self._operation, self._from_call, self._calls = real, operation, from_call, 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._real, name)
        if name != self._operation:
            return attribute

        def failing(**kwargs: Any) -> Any:
            self._calls += 1
            if self._calls >= self._from_call:
                raise ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, name)
            return attribute(**kwargs)

        return failing


def _aws_with(moto_server: str, operation: str, from_call: int) -> Aws:
    aws = Aws(AwsOptions(region="us-east-1", endpoint_url=moto_server))
    aws._clients["sqs"] = _FailingSqs(aws.client("sqs"), operation, from_call)
    return aws


def _redrive_by_receive_send_delete(aws: Any, queues: dict[str, Any], ledger: io.StringIO) -> Any:
    """The test queues' DLQ redriven to their source by receive, send, delete (held 1 s on failure)."""
    dlq, source = (dlq_module.resolve_queue(aws, queues[name]) for name in ("dlq", "source"))
    return dlq_module.redrive(
        aws,
        dlq,
        source,
        limit=None,
        dry_run=False,
        method="receive-send-delete",
        ledger=ledger,
        hold_seconds=1,
        progress=lambda _: None,
    )


def test_a_failed_send_leaves_the_message_in_the_dlq(queues: dict[str, Any], moto_server: str) -> None:
    _send(queues, ["one", "two"])
    aws = _aws_with(moto_server, "send_message", from_call=2)
    ledger = io.StringIO()
    with pytest.raises(OperatorError, match=r"send to source-.*AWS error InternalError"):
        _redrive_by_receive_send_delete(aws, queues, ledger)
    assert len(ledger.getvalue().splitlines()) == 1  # the first message, sent and deleted
    time.sleep(1.5)  # the second's hold ends: it is back in the DLQ, not lost
    assert [m["Body"] for m in _drain(queues["sqs"], queues["source"])] == ["one"]
    assert [m["Body"] for m in _drain(queues["sqs"], queues["dlq"])] == ["two"]


def test_a_failed_delete_after_the_send_keeps_the_message_in_both_never_in_neither(
    queues: dict[str, Any], moto_server: str
) -> None:
    _send(queues, ["one"])
    aws = _aws_with(moto_server, "delete_message", from_call=1)
    ledger = io.StringIO()
    result = _redrive_by_receive_send_delete(aws, queues, ledger)
    assert (result.moved, result.not_deleted) == (0, 1)
    assert "sent, not deleted" in json.loads(ledger.getvalue())["status"]
    time.sleep(1.5)
    assert [m["Body"] for m in _drain(queues["sqs"], queues["source"])] == ["one"]
    assert [m["Body"] for m in _drain(queues["sqs"], queues["dlq"])] == ["one"]


def test_the_move_task_path_starts_sqs_task_follows_it_and_writes_the_ledger(moto_server: str) -> None:
    # moto has no StartMessageMoveTask: this checks our calls and their reading with botocore's Stubber,
    # not what SQS does (unverified here).
    from botocore.stub import Stubber

    aws = Aws(AwsOptions(region="us-east-1", endpoint_url=moto_server))
    stubber = Stubber(aws.client("sqs"))
    dlq = dlq_module.Queue("https://sqs/dlq", "arn:aws:sqs:us-east-1:123456789012:dlq")
    source = dlq_module.Queue("https://sqs/source", "arn:aws:sqs:us-east-1:123456789012:source")
    stubber.add_response(
        "start_message_move_task",
        {"TaskHandle": "task-1"},
        {"SourceArn": dlq.arn, "DestinationArn": source.arn},
    )
    running = {"TaskHandle": "task-1", "Status": "RUNNING", "ApproximateNumberOfMessagesMoved": 1}
    stubber.add_response("list_message_move_tasks", {"Results": [running]}, {"SourceArn": dlq.arn})
    done = {**running, "Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 3}
    stubber.add_response("list_message_move_tasks", {"Results": [done]}, {"SourceArn": dlq.arn})
    ledger = io.StringIO()
    with stubber, pytest.MonkeyPatch.context() as patch:
        patch.setattr(dlq_module.time, "sleep", lambda _seconds: None)
        result = dlq_module.redrive(
            aws, dlq, source, limit=None, dry_run=False, method="auto", ledger=ledger, progress=lambda _: None
        )
    stubber.assert_no_pending_responses()
    assert (result.method, result.moved) == ("move-task", 3)
    lines = [json.loads(line) for line in ledger.getvalue().splitlines()]
    assert [line.get("status") for line in lines] == [None, "COMPLETED"] and lines[0][
        "task_handle"
    ] == "task-1"


def test_dlq_list_shows_logged_text_without_terminal_control_characters(
    operate: Callable[..., Ran], queues: dict[str, Any], moto_server: str
) -> None:
    _send(queues, ["a"])
    (message_id,) = [
        e["message_id"] for e in json.loads(operate("dlq", "list", queues["dlq_name"], "--json").out)
    ]
    record = {
        "level": "ERROR",
        "message": "retrieval failed",
        "correlation_id": message_id,
        "reason": "malformed",
        "detail": "\x1b[2J\x1b]0;pwned\x07 erased",
        "message_ids": [message_id],
    }
    group = _log_group_with(moto_server, "hostile", [record])
    ran = operate("dlq", "list", queues["dlq_name"], "--log-group", group)
    assert "malformed: ?[2J?]0;pwned? erased" in ran.out and "\x1b" not in ran.out
