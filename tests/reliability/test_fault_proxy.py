"""The fault proxy itself: it tells SQS and EventBridge calls apart and answers their faults as they would."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError
from fault_proxy import FaultProxy, rule

_NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _client(service: str, url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        config=_NO_RETRIES,
    )


@pytest.mark.parametrize(("fault", "code"), [("throttle", "RequestThrottled"), ("error500", "InternalError")])
def test_an_sqs_send_gets_the_error_sqs_would_answer_and_other_sqs_calls_pass(
    proxy: FaultProxy, fault: str, code: str
) -> None:
    sqs = _client("sqs", proxy.url)
    url = sqs.create_queue(QueueName=f"proxied-{fault}")["QueueUrl"]
    proxy.add(rule(fault, "sqs:SendMessage"))
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert raised.value.response["Error"]["Code"] == code
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    assert [(e.service, e.operation, e.fault) for e in proxy.log] == [
        ("sqs", "CreateQueue", None),
        ("sqs", "SendMessage", fault),
        ("sqs", "ReceiveMessage", None),
    ]


@pytest.mark.parametrize(
    ("fault", "code"), [("throttle", "ThrottlingException"), ("error500", "InternalException")]
)
def test_a_put_events_gets_the_error_eventbridge_would_answer(
    proxy: FaultProxy, fault: str, code: str
) -> None:
    events = _client("events", proxy.url)
    proxy.add(rule(fault, "events:PutEvents"))
    with pytest.raises(ClientError) as raised:
        events.put_events(
            Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": "default"}]
        )
    assert raised.value.response["Error"]["Code"] == code
    assert [(e.service, e.operation, e.fault) for e in proxy.log] == [("events", "PutEvents", fault)]


def test_an_sqs_send_applied_whose_answer_is_lost_is_in_the_queue_though_the_sender_saw_an_error(
    proxy: FaultProxy,
) -> None:
    sqs = _client("sqs", proxy.url)
    url = sqs.create_queue(QueueName="proxied-drop-after")["QueueUrl"]
    proxy.add(rule("drop_after", "sqs:SendMessage", times=1))
    with pytest.raises(ConnectionClosedError):
        sqs.send_message(QueueUrl=url, MessageBody="applied")
    messages = sqs.receive_message(QueueUrl=url).get("Messages", [])
    assert [m["Body"] for m in messages] == ["applied"]
