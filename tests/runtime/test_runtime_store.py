"""AwsClaimStore's batch calls: DynamoDB's unprocessed keys and items are retried, within a bound."""

from __future__ import annotations

import time
from typing import Any

import pytest

from cdk_claim_check.runtime.store import AwsClaimStore

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


def test_delete_items_gives_up_after_a_bounded_number_of_attempts(sleeps: list[float]) -> None:
    left = {TABLE: [{"DeleteRequest": {"Key": {"id": {"S": "a"}}}}]}
    dynamodb = ScriptedDynamoDB([{"UnprocessedItems": left}])
    with pytest.raises(RuntimeError, match="unprocessed after 8 attempts"):
        _store(dynamodb).delete_items(["a"])
    assert len(dynamodb.requests) == 8
    assert len(sleeps) == 7


def test_get_items_asks_for_each_key_once_in_chunks_of_100(sleeps: list[float]) -> None:
    dynamodb = ScriptedDynamoDB([{"Responses": {TABLE: []}}])
    ids = [f"{index:032x}" for index in range(150)]
    assert _store(dynamodb).get_items(ids + ids[:10]) == {}
    assert [len(request[TABLE]["Keys"]) for request in dynamodb.requests] == [100, 50]
    assert sleeps == []
