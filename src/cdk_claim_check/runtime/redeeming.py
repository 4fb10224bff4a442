"""Redeeming claim checks: one consistent BatchGetItem, the S3 reads needed, verification.

Every claim is checked against its item (version, expiry, size and digest) before its bytes
are fetched, and the bytes against the claim after; only then is anything deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .claims import NOT_PARSED, StoredClaim, check_redeemable, decode_body, from_item
from .codec import BodyFormat, restore
from .errors import ClaimCheckError
from .storage import ClaimStore, ObjectMissingError, run_concurrently
from .wire import ClaimCheck, S3Location, parse_claim_check

_Span = tuple[int, int]


@dataclass(frozen=True)
class RedeemedPayload:
    """A redeemed claim.

    :ivar claim_id: the claim's id.
    :ivar body: the original body, byte-exact.
    :ivar body_format: ``json`` (a JSON object or array) or ``text``.
    :ivar message_attributes: the source message's attributes, as they were stored.
    :ivar owned_object: the S3 object of its own deleted with the claim (``object`` layout), if any.
    """

    claim_id: str
    body: str
    body_format: BodyFormat
    message_attributes: dict[str, Any] = field(default_factory=dict)
    owned_object: S3Location | None = field(default=None, repr=False, compare=False)
    # The value parsed while the format was detected, handed out once (so no caller shares an
    # object with another, as if every read of ``value`` parsed the body afresh).
    _parsed: list[Any] = field(default_factory=list, repr=False, compare=False)

    @property
    def value(self) -> Any:
        """What the retrieval handler returns: the parsed JSON for ``json``, else the body string.

        Each read returns a value of its own (a fresh parse for ``json``).
        """
        try:
            return self._parsed.pop()
        except IndexError:
            return restore(self.body, self.body_format)


def redeem_batch(
    store: ClaimStore, claim_checks: Sequence[Any], *, message_ids: Sequence[str] | None, now: int
) -> list[RedeemedPayload]:
    """Redeem claim checks, in order; ``message_ids`` (default: the claim ids) name records in errors.

    :raises ClaimCheckError: naming the first record that cannot be redeemed.
    """
    checks: list[ClaimCheck] = []
    names: list[str] = []
    for position, value in enumerate(claim_checks):
        name = message_ids[position] if message_ids is not None else ""
        try:
            checks.append(parse_claim_check(value))
        except ClaimCheckError as error:
            raise error.at(position, name or "?") from None
        names.append(name or checks[-1].id)
    items = store.get_items([check.id for check in checks])
    stored = [
        _verified_item(items.get(check.id), check, name, position, now)
        for position, (check, name) in enumerate(zip(checks, names, strict=True))
    ]
    fetched = _fetch(store, stored, names)
    redeemed = []
    for position, (claim, data, name) in enumerate(zip(stored, fetched, names, strict=True)):
        try:
            body, body_format, value = decode_body(claim, data, name)
        except ClaimCheckError as error:
            raise error.at(position) from None
        owned = claim.pointer if claim.owns_object else None
        parsed = [] if value is NOT_PARSED else [value]
        redeemed.append(RedeemedPayload(claim.id, body, body_format, claim.attributes, owned, parsed))
    return redeemed


def delete_redeemed(store: ClaimStore, payloads: Sequence[RedeemedPayload]) -> None:
    """Delete redeemed claims: their items, then their S3 objects of their own.

    Packed objects are shared by a batch and are left to the bucket's lifecycle rule; the objects
    of foreign SQS Extended Client pointers belong to their sender and are kept.
    """
    # Items first: an item must never point at an object that is already gone.
    store.delete_items([payload.claim_id for payload in payloads])
    owned = list(dict.fromkeys(payload.owned_object for payload in payloads if payload.owned_object))
    run_concurrently(store.delete_object, owned)


def _verified_item(
    item: dict[str, Any] | None, check: ClaimCheck, name: str, position: int, now: int
) -> StoredClaim:
    if item is None:
        raise ClaimCheckError(name, "missing", f"claim {check.id} is not in the store", position)
    try:
        claim = from_item(item)
    except (KeyError, ValueError, TypeError, ClaimCheckError):
        raise ClaimCheckError(name, "tampered", f"store item {check.id} is malformed", position) from None
    try:
        check_redeemable(claim, check, name, now)
    except ClaimCheckError as error:
        raise error.at(position) from None
    return claim


def _fetch(store: ClaimStore, stored: list[StoredClaim], names: list[str]) -> list[bytes]:
    """The stored bytes of each claim: inline, one ranged GET per packed object, one GET per object."""
    spans: dict[S3Location, _Span] = {}
    for claim in stored:
        if claim.packed is not None:
            location, offset, length = claim.packed
            first, last = spans.get(location, (offset, offset + length - 1))
            spans[location] = (min(first, offset), max(last, offset + length - 1))
    wanted: list[tuple[S3Location, _Span | None]] = list(spans.items())
    wanted += [(claim.pointer, None) for claim in stored if claim.pointer is not None]
    unique = list(dict.fromkeys(wanted))
    blobs = dict(
        zip(unique, run_concurrently(lambda target: _read_or_none(store, *target), unique), strict=True)
    )
    fetched = []
    for position, (claim, name) in enumerate(zip(stored, names, strict=True)):
        if claim.inline is not None:
            fetched.append(claim.inline)
            continue
        if claim.packed is not None:
            location, offset, length = claim.packed
            blob = blobs[(location, spans[location])]
            start = offset - spans[location][0]
            data = None if blob is None else blob[start : start + length]
        elif claim.pointer is not None:
            location, data = claim.pointer, blobs[(claim.pointer, None)]
        else:
            raise ClaimCheckError(name, "tampered", f"store item {claim.id} has no body", position)
        if data is None:
            gone = f"claim {claim.id}: s3://{location.bucket}/{location.key} is gone or not readable"
            raise ClaimCheckError(name, "missing", gone, position)
        fetched.append(data)
    return fetched


def _read_or_none(store: ClaimStore, location: S3Location, span: _Span | None) -> bytes | None:
    try:
        return store.get_bytes(location) if span is None else store.get_bytes(location, *span)
    except ObjectMissingError:
        return None
