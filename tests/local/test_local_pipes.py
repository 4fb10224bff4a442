"""The local run's pipe: a send to the target whose answer never came fails the batch, as in Pipes."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ConnectionClosedError
from moto import mock_aws

from cdk_claim_check.local.delivery import Target
from cdk_claim_check.local.ledger import Delivery, Ledger
from cdk_claim_check.local.pipes import LocalPipe, PipeRunner
from cdk_claim_check.local.server import Clients

_REGION = "us-east-1"


class _LostAnswerRunner(PipeRunner):
    """Sends each batch to the target, then loses the answer the first ``lost`` times."""

    def __init__(self, *args: Any, lost: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lost = lost

    def deliver(self, pipe: LocalPipe, items: list[Any]) -> Delivery:
        delivery = super().deliver(pipe, items)
        if self.lost:
            self.lost -= 1
            raise ConnectionClosedError(endpoint_url="http://127.0.0.1:1/")
        return delivery


def _pipe(clients: Clients, source_url: str) -> LocalPipe:
    attributes = clients.sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["QueueArn"])
    return LocalPipe(
        logical_id="Pipe",
        name="pipe",
        source_queue="Source",
        source_arn=attributes["Attributes"]["QueueArn"],
        source_queue_url=source_url,
        batch_size=3,
        batching_window_seconds=0,
        enrichment=None,
        target=Target(kind="queue", arn=f"arn:aws:sqs:{_REGION}:123456789012:target", name="target"),
        is_entry=True,
    )


def _bodies(clients: Clients, queue_url: str) -> list[str]:
    bodies: list[str] = []
    while messages := clients.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        # Without an enrichment, Pipes sends each SQS record itself: the original body is inside.
        bodies.extend(json.loads(message["Body"])["body"] for message in messages)
    return bodies


def test_a_send_to_the_target_whose_answer_was_lost_fails_the_batch_and_the_target_sees_it_again() -> None:
    with mock_aws():
        clients = Clients.for_endpoint("", _REGION)
        source_url = clients.sqs.create_queue(QueueName="source")["QueueUrl"]
        target_url = clients.sqs.create_queue(QueueName="target")["QueueUrl"]
        for body in ("a", "b", "c"):
            clients.sqs.send_message(QueueUrl=source_url, MessageBody=body)
        ledger = Ledger()
        runner = _LostAnswerRunner(
            [_pipe(clients, source_url)],
            clients=clients,
            resources=None,
            ledger=ledger,
            progress=lambda _: None,
            lost=1,
        )

        assert runner.run_until_idle(timeout_seconds=30)

        # The first send was applied but its answer lost: the batch went back to its queue (not a
        # crash of the run), came again, and the target got every message twice: a duplicate, no loss.
        assert ledger.failed_batches["pipe"] == 1
        assert {failure.message_id for failure in ledger.failures} == set(ledger.originals)
        assert "Connection was closed" in ledger.failures[0].error
        assert sorted(_bodies(clients, target_url)) == ["a", "a", "b", "b", "c", "c"]
        assert _bodies(clients, source_url) == []
