"""Delivery to a FIFO queue target the way Pipes does it: group and deduplication id read per item."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cdk_claim_check.local.delivery import DeliveryError, Target, deliver
from cdk_claim_check.local.ledger import Ledger

_ARN = "arn:aws:sqs:us-east-1:123456789012:ordered.fifo"


class _RecordingQueue:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": f"http://127.0.0.1/{QueueName}"}

    def send_message(self, **request: Any) -> dict[str, str]:
        self.sent.append(request)
        return {"MessageId": "m"}


def _deliver(parameters: dict[str, Any], items: list[Any]) -> list[dict[str, Any]]:
    queue = _RecordingQueue()
    target = Target(
        kind="queue", arn=_ARN, name="ordered.fifo", parameters={"SqsQueueParameters": parameters}
    )
    deliver(target, items, pipe="split", clients=SimpleNamespace(sqs=queue), resources=None, ledger=Ledger())  # type: ignore[arg-type]
    return queue.sent


def _claim(ident: str, group: str) -> dict[str, Any]:
    return {
        "claimCheck": {"v": 1, "id": ident, "bytes": 1, "sha256": "a" * 64, "group": group},
        "metadata": {},
    }


def test_group_and_deduplication_paths_are_read_from_each_delivered_item() -> None:
    sent = _deliver(
        {"MessageGroupId": "$.claimCheck.group", "MessageDeduplicationId": "$.claimCheck.id"},
        [_claim("1" * 32, "customer-7"), _claim("2" * 32, "customer-9")],
    )
    assert [(m["MessageGroupId"], m["MessageDeduplicationId"]) for m in sent] == [
        ("customer-7", "1" * 32),
        ("customer-9", "2" * 32),
    ]


def test_a_fixed_group_is_used_as_it_is() -> None:
    assert [m["MessageGroupId"] for m in _deliver({"MessageGroupId": "claim-check"}, [{"a": 1}])] == [
        "claim-check"
    ]


def test_a_group_path_that_finds_nothing_is_refused_as_sqs_would() -> None:
    with pytest.raises(DeliveryError, match=r"\$\.claimCheck\.group finds no string"):
        _deliver({"MessageGroupId": "$.claimCheck.group"}, [{"claimCheck": {"id": "x"}}])
