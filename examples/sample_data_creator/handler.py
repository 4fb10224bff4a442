"""Sample-data creator Lambda: sends generated orders to the inbox queue (``QUEUE_URL``).

Invoke it with ``{"count": 20, "seed": 7}`` (both optional). The local run invokes it the same way,
in-process, from the synthesized asset.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from orders import generate_orders

QUEUE_URL = os.environ["QUEUE_URL"]
SQS = boto3.client("sqs")
DEFAULT_COUNT = 10
MAX_COUNT = 1_000


def handler(event: dict[str, Any] | None, context: Any) -> dict[str, int]:
    """Send ``count`` orders, one message each (a batch of large orders would pass SQS's 1 MiB)."""
    request = event or {}
    count = int(request.get("count", DEFAULT_COUNT))
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be 1..{MAX_COUNT}, got {count}")
    sent_bytes = 0
    for body in generate_orders(count, int(request.get("seed", 7))):
        SQS.send_message(QueueUrl=QUEUE_URL, MessageBody=body)
        sent_bytes += len(body.encode("utf-8"))
    return {"sent": count, "bytes": sent_bytes}
