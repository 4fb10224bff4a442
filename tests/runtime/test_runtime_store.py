"""AwsClaimStore's batch calls: DynamoDB's unprocessed keys and items are retried, within a bound."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cdk_claim_check.runtime.storage import AwsClaimStore, call_timeouts, run_concurrently

TABLE = "claims"


def _item(ident: str) -> dict[str, Any]:
    return {"id": {"S": ident}, "v": {"N": "1"}}


class ScriptedDynamoDB:
    """Answers BatchGetItem / BatchWriteItem from a script of replies, recording every request."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        self.replies = replies
        self.requests: list[dict[str, Any]] = []

    def _answer(self, request_items: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request_items)
        return self.replies[min(len(self.requests), len(self.replies)) - 1]

    def batch_get_item(self, *, RequestItems: dict[str, Any]) -> dict[str, Any]:
        return self._answer(RequestItems)

    def batch_write_item(self, *, RequestItems: dict[str, Any]) -> dict[str, Any]:
        return self._answer(RequestItems)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


def _store(dynamodb: ScriptedDynamoDB) -> AwsClaimStore:
    return AwsClaimStore(TABLE, dynamodb=dynamodb, s3=None)  # type: ignore[arg-type]


def test_get_items_retries_unprocessed_keys_until_every_item_is_read(sleeps: list[float]) -> None:
    left = {TABLE: {"Keys": [{"id": {"S": "b"}}], "ConsistentRead": True}}
    dynamodb = ScriptedDynamoDB(
        [
            {"Responses": {TABLE: [_item("a")]}, "UnprocessedKeys": left},
            {"Responses": {TABLE: [_item("b")]}, "UnprocessedKeys": {}},
        ]
    )
    found = _store(dynamodb).get_items(["a", "b"])
    assert sorted(found) == ["a", "b"]
    assert dynamodb.requests[1] == left  # only what was left, still strongly consistent
    assert len(sleeps) == 1


def test_get_items_gives_up_after_a_bounded_number_of_attempts(sleeps: list[float]) -> None:
    left = {TABLE: {"Keys": [{"id": {"S": "a"}}], "ConsistentRead": True}}
    dynamodb = ScriptedDynamoDB([{"Responses": {TABLE: []}, "UnprocessedKeys": left}])
    with pytest.raises(RuntimeError, match="unprocessed after 8 attempts"):
        _store(dynamodb).get_items(["a"])
    assert len(dynamodb.requests) == 8
    # No wait before the first attempt nor after the last; never more than a second each.
    assert len(sleeps) == 7
    assert max(sleeps) <= 1.0


class RecordingUpdates:
    """Records UpdateItem requests; answers them with a scripted error code, if any."""

    def __init__(self, code: str | None = None) -> None:
        self.code = code
        self.requests: list[dict[str, Any]] = []

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if self.code:
            raise ClientError({"Error": {"Code": self.code, "Message": "scripted"}}, "UpdateItem")
        return {}


def test_shorten_expiry_only_ever_shortens_and_never_creates_an_item() -> None:
    dynamodb = RecordingUpdates()
    AwsClaimStore(TABLE, dynamodb=dynamodb, s3=None).shorten_expiry("a", 1_000)  # type: ignore[arg-type]
    (request,) = dynamodb.requests
    assert request["UpdateExpression"] == "SET #expires = :expires"
    assert request["ConditionExpression"] == "#expires > :expires"  # false for an absent item: no new item
    assert request["ExpressionAttributeNames"] == {"#expires": "expires_at"}
    assert request["ExpressionAttributeValues"] == {":expires": {"N": "1000"}}


def test_shorten_expiry_ignores_a_failed_condition_but_raises_other_errors() -> None:
    AwsClaimStore(TABLE, dynamodb=RecordingUpdates("ConditionalCheckFailedException")).shorten_expiry("a", 1)  # type: ignore[arg-type]
    with pytest.raises(ClientError):
        AwsClaimStore(
            TABLE, dynamodb=RecordingUpdates("ProvisionedThroughputExceededException")
        ).shorten_expiry(  # type: ignore[arg-type]
            "a", 1
        )


def test_call_timeouts_leave_room_for_every_attempt_within_the_function_timeout() -> None:
    for timeout in (1, 3, 30, 900):
        connect, read = call_timeouts(timeout)
        assert 0 < connect <= 2
        assert read > 0
        assert 3 * (connect + read) < timeout


def test_get_items_asks_for_each_key_once_in_chunks_of_100(sleeps: list[float]) -> None:
    dynamodb = ScriptedDynamoDB([{"Responses": {TABLE: []}}])
    ids = [f"{index:032x}" for index in range(150)]
    _store(dynamodb).get_items(ids + ids[:10])
    assert [len(request[TABLE]["Keys"]) for request in dynamodb.requests] == [100, 50]
    requested = [key["id"]["S"] for request in dynamodb.requests for key in request[TABLE]["Keys"]]
    assert sorted(requested) == ids
    assert sleeps == []


def test_run_concurrently_reuses_its_worker_threads_from_one_call_to_the_next() -> None:
    def thread_of(_: int) -> threading.Thread:
        time.sleep(0.01)  # keep each worker busy so that several take part
        return threading.current_thread()

    workers = {thread for _ in range(3) for thread in run_concurrently(thread_of, list(range(10)))}
    assert threading.current_thread() not in workers
    assert len(workers) <= 10  # one pool of at most 10 workers, not 10 new threads per call
    assert all(thread.name.startswith("claim-check") for thread in workers)


def test_run_concurrently_runs_each_call_side_by_side_even_when_called_from_two_threads_at_once() -> None:
    # Four calls that all must be running at the same time to pass the barrier: two callers at
    # once each get their calls run side by side (the second one on a pool of its own).
    barrier = threading.Barrier(4, timeout=5)
    results: list[list[int]] = []

    def caller() -> None:
        results.append(run_concurrently(lambda value: (barrier.wait(), value)[1], [1, 2]))

    threads = [threading.Thread(target=caller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(sorted, results)) == [[1, 2], [1, 2]]


def test_run_concurrently_lets_every_call_finish_before_raising_the_first_error_in_order() -> None:
    finished: list[int] = []

    def call(value: int) -> int:
        if value == 0:
            raise ValueError("first")
        time.sleep(0.2)
        finished.append(value)
        return value

    with pytest.raises(ValueError, match="first"):
        run_concurrently(call, [0, 1, 2])
    assert sorted(finished) == [1, 2]
