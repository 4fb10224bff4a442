"""Errors raised by the claim-check runtime.

Every failure that concerns one record is a :class:`ClaimCheckError`: its message names the
record (position in the batch and ``messageId``) and the reason, so that an operator reading a
failed Pipes execution, or the message kept by the source queue's DLQ, knows which message failed
and why. The payload itself is never part of an error message.
"""

from __future__ import annotations

from typing import Literal, get_args

Reason = Literal[
    "missing",
    "expired",
    "tampered",
    "unknown_version",
    "malformed",
    "conflict",
    "too_large",
    "pointer_not_allowed",
    "forged",
]
"""Why a claim could not be issued or redeemed."""

REASONS: frozenset[str] = frozenset(get_args(Reason))
MISS_REASONS: tuple[Reason, ...] = ("missing", "expired")
"""Retrieval failures counted as ``ClaimMisses``: the claim is not (or no longer) in the store."""
REJECT_REASONS: tuple[Reason, ...] = (
    "tampered",
    "forged",
    "unknown_version",
    "malformed",
    "too_large",
    "pointer_not_allowed",
)
"""Retrieval failures counted as ``ClaimsRejected``: the claim check or its item cannot be trusted or read."""
SPLIT_REASONS: tuple[Reason, ...] = ("malformed", "conflict", "too_large", "pointer_not_allowed")
"""Why the split refuses a record (``SplitFailures``)."""


class ClaimCheckError(Exception):
    """A claim could not be issued or redeemed.

    :ivar message_id: the source record's ``messageId`` (or the claim id when the client was called
        directly without one).
    :ivar reason: one of ``missing``, ``expired``, ``tampered``, ``unknown_version``, ``malformed``,
        ``conflict``, ``too_large``, ``pointer_not_allowed`` (an SQS Extended Client pointer names a
        bucket or key outside the ones named for them, or the store's own bucket), ``forged`` (a claim
        check without a valid MAC where a claim signing key is configured).
    :ivar detail: a human-readable explanation, never payload content.
    :ivar position: the record's index in the batch, when it came from a batch (else ``None``).
    """

    def __init__(self, message_id: str, reason: Reason, detail: str, position: int | None = None) -> None:
        self.message_id = message_id
        self.reason: Reason = reason
        self.detail = detail
        self.position = position
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"record {self.position} " if self.position is not None else ""
        return f"{where}(messageId {self.message_id!r}): {self.reason}: {self.detail}"

    def at(self, position: int, message_id: str | None = None) -> ClaimCheckError:
        """Return the same error, located at ``position`` in a batch (and re-attributed to a messageId)."""
        return ClaimCheckError(message_id or self.message_id, self.reason, self.detail, position)

    def __reduce__(self) -> tuple[type[ClaimCheckError], tuple[str, Reason, str, int | None]]:
        return (ClaimCheckError, (self.message_id, self.reason, self.detail, self.position))


class ConfigError(ValueError):
    """An environment variable of the runtime contract has a bad value; the message names it."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}: {problem}")
