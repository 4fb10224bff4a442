"""Helpers for the runtime tests: SQS records as Pipes delivers them, and a Lambda context."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

SOURCE_ARN = "arn:aws:sqs:us-east-1:123456789012:claims-queue"


@dataclass(frozen=True)
class FakeLambdaContext:
    """The attributes of a Lambda context object that Powertools reads."""

    function_name: str = "claim-check-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:claim-check-test"
    aws_request_id: str = "6f1c3b8e-0000-4000-8000-000000000000"


def sqs_record(
    body: str, message_id: str | None = None, attributes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One SQS record as EventBridge Pipes hands it to an enrichment."""
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "AQEBtest-receipt-handle",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1764388800000",
            "SenderId": "AIDAEXAMPLESENDER",
            "ApproximateFirstReceiveTimestamp": "1764388800100",
        },
        "messageAttributes": attributes or {},
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": SOURCE_ARN,
        "awsRegion": "us-east-1",
    }


def claims_batch(claim_checks: list[Any]) -> list[dict[str, Any]]:
    """A retrieval batch: SQS records whose bodies are the given claim checks (as JSON)."""
    return [sqs_record(json.dumps(check)) for check in claim_checks]
