"""The shape of a Pipes SQS batch: a bare JSON array of SQS records (pure)."""

from __future__ import annotations

from typing import Any

from .errors import ClaimCheckError


def sqs_records(event: Any) -> list[dict[str, Any]]:
    """The records of a Pipes batch, each checked to carry a string ``messageId`` and ``body``.

    :raises ClaimCheckError: ``malformed``, naming the first record that is not an SQS record.
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
