"""The shape of a Pipes SQS batch: a bare JSON array of SQS records (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .errors import ClaimCheckError


def sqs_records(event: Any) -> list[dict[str, Any]]:
    """The records of a Pipes batch, each checked to carry a string ``messageId`` and ``body``.

    Raises:
        ClaimCheckError: ``malformed``, naming the first record that is not an SQS record.
    """
    if not isinstance(event, list):
        raise ClaimCheckError("?", "malformed", "a Pipes batch is a JSON array of SQS records")
    for position, record in enumerate(event):
        message_id = record.get("messageId") if isinstance(record, dict) else None
        if not isinstance(message_id, str) or not isinstance(record.get("body"), str):
            name = message_id if isinstance(message_id, str) else "?"
            raise ClaimCheckError(
                name, "malformed", "not an SQS record with a string messageId and body", position
            )
    return event


# Lambda's synchronous response and the Pipes enrichment response are both limited to 6 MB.
ENRICHMENT_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024


def check_enrichment_response(values: Sequence[Any], message_ids: Sequence[str]) -> None:
    """Fail ``too_large`` naming the first record whose payload takes the response past 6 MB.

    Counts the compact UTF-8 JSON of the values: the least the response can weigh, so a batch is
    never refused for a size Pipes would have taken.
    """
    total = 2  # the brackets of the array
    for position, (value, message_id) in enumerate(zip(values, message_ids, strict=True)):
        total += len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()) + 1
        if total > ENRICHMENT_RESPONSE_LIMIT_BYTES:
            raise ClaimCheckError(
                message_id,
                "too_large",
                f"the payloads up to this record weigh {total} bytes, over the 6 MB enrichment response "
                "limit; lower the retrieval pipe's batch size",
                position,
            )
