"""What the local run saw: messages entering the flow, what crossed each target, failures.

The report is computed from this record alone, so it holds what the pipes actually received and
delivered, not what the run meant to send.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


def sha256_hex(text: str) -> str:
    """SHA-256 of a string's UTF-8 bytes, as the claim check states it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compact_json(value: Any) -> str:
    """JSON as a pipe serializes a payload: no spaces, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _claim_message(item: Any) -> dict[str, Any] | None:
    """The wire-format object in a delivered item, bare or inside an EventBridge envelope (``detail``)."""
    if isinstance(item, str):
        try:
            item = json.loads(item)
        except ValueError:
            return None
    if isinstance(item, dict) and isinstance(item.get("detail"), dict):
        item = item["detail"]
    if isinstance(item, dict) and isinstance(item.get("claimCheck"), dict):
        return item
    return None


def claim_check_of(item: Any) -> dict[str, Any] | None:
    """The claim check (``claimCheck``) in a delivered item, or ``None`` if it carries none.

    For a parsed item it is the item's own object, not a copy: the failure path forges a claim check
    by changing it in a copy of the item.
    """
    message = _claim_message(item)
    if message is None:
        return None
    claim: dict[str, Any] = message["claimCheck"]
    return claim


def metadata_of(item: Any) -> dict[str, Any]:
    """The ``metadata`` (the kept fields) that travels with a claim check."""
    message = _claim_message(item)
    metadata = message.get("metadata") if message is not None else None
    return dict(metadata) if isinstance(metadata, dict) else {}


@dataclass(frozen=True)
class OriginalMessage:
    """A message as the first pipe of the flow received it."""

    message_id: str
    body: str
    pipe: str

    @property
    def size(self) -> int:
        return len(self.body.encode("utf-8"))

    @property
    def sha256(self) -> str:
        return sha256_hex(self.body)


@dataclass(frozen=True)
class Crossing:
    """A claim check a pipe delivered to its target (for a bus: the event's ``detail``)."""

    pipe: str
    target: str
    claim: dict[str, Any]
    size: int
    injected: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivery:
    """A batch a pipe delivered to its target (payload items, after enrichment)."""

    pipe: str
    target_kind: str
    target: str
    items: list[Any]
    execution_arn: str | None = None
    execution_status: str | None = None


@dataclass(frozen=True)
class Failure:
    """One failed pipe invocation for one message: the error it raised."""

    pipe: str
    message_id: str
    error: str


@dataclass
class Ledger:
    """Everything the pipes did during one local run."""

    originals: dict[str, OriginalMessage] = field(default_factory=dict)
    crossings: list[Crossing] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    filtered: set[str] = field(default_factory=set)  # message ids a pipe's filter criteria dropped
    batches: Counter[str] = field(default_factory=Counter)  # pipe name -> batches it received
    failed_batches: Counter[str] = field(default_factory=Counter)  # pipe name -> batches that failed

    def record_original(self, message_id: str, body: str, pipe: str) -> None:
        """Remember a message entering the flow (redeliveries keep the first record)."""
        self.originals.setdefault(message_id, OriginalMessage(message_id=message_id, body=body, pipe=pipe))

    def last_error(self, message_id: str) -> str | None:
        """The error of the last failed invocation that held this message."""
        errors = [failure.error for failure in self.failures if failure.message_id == message_id]
        return errors[-1] if errors else None
