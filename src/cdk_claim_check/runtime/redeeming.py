"""Redeeming claim checks: one consistent BatchGetItem, the S3 reads needed, verification.

Every claim is checked against its item (version, expiry, size, digest, and where its bytes may be)
before its bytes are fetched, and the bytes against the claim after. Nothing is ever deleted: a
redeemed claim's expiry can be shortened to a grace period, so a redelivered batch still redeems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .authenticity import ClaimMacKey, verify_claims
from .claims import StoredClaim, check_location, check_redeemable, decode_body, from_item
from .codec import BodyFormat, classify_value, restore
from .config import StoreSettings
from .errors import ClaimCheckError
from .storage import ClaimStore, ObjectMissingError, run_concurrently
from .wire import ClaimCheck, S3Location, parse_claim

_Span = tuple[int, int]


@dataclass(frozen=True)
class RedeemedPayload:
    """A redeemed claim. Redeeming never parses the body: it is parsed when ``value`` is read (and
    classified when ``body_format`` is read, for a body whose format the split left undetected).

    :ivar claim_id: the claim's id.
    :ivar body: the original body, byte-exact.
    :ivar stored_format: what the store item says of the body: ``json``, ``text``, or ``detect``
        (the split did not parse it; ``body_format`` classifies it on first read).
    :ivar message_attributes: the source message's attributes, as they were stored.
    :ivar message_group_id: the FIFO source message's group that the claim check carried, or None.
    """

    claim_id: str
    body: str
    stored_format: str
    message_attributes: dict[str, Any] = field(default_factory=dict)
    message_group_id: str | None = None
    # For ``detect``: [format, [the value parsed while classifying]], filled on first read. The value
    # is handed out once, so no caller shares an object with another (as if every read parsed afresh).
    _detected: list[Any] = field(default_factory=list, repr=False, compare=False)

    @property
    def body_format(self) -> BodyFormat:
        """``json`` (a JSON object or array) or ``text``; a ``detect`` body is parsed once to tell."""
        if self.stored_format in ("json", "text"):
            return self.stored_format  # type: ignore[return-value]
        if not self._detected:
            body_format, value = classify_value(self.body)
            self._detected.extend([body_format, [value] if body_format == "json" else []])
        detected: BodyFormat = self._detected[0]
        return detected

    @property
    def value(self) -> Any:
        """What the retrieval handler returns: the parsed JSON for ``json``, else the body string.

        Each read returns a value of its own (a fresh parse for ``json``).
        """
        body_format = self.body_format
        if self._detected and self._detected[1]:
            return self._detected[1].pop()
        return restore(self.body, body_format)


@dataclass(frozen=True)
class _Located:
    """A verified item, and the owner to expect of the bucket its object is in (``None``: the store's)."""

    claim: StoredClaim
    owner: str | None


def redeem_batch(
    store: ClaimStore,
    settings: StoreSettings,
    claim_checks: Sequence[Any],
    *,
    message_ids: Sequence[str] | None,
    now: int,
    mac_key: ClaimMacKey | None = None,
) -> list[RedeemedPayload]:
    """Redeem claim checks, in order; ``message_ids`` (default: the claim ids) name records in errors.
    With ``mac_key`` (default ``None``) every claim check's MAC is verified before the store is read.

    :raises ClaimCheckError: naming the first record that cannot be redeemed.
    """
    claims: list[tuple[ClaimCheck, dict[str, Any]]] = []
    names: list[str] = []
    for position, value in enumerate(claim_checks):
        name = message_ids[position] if message_ids is not None else ""
        try:
            claims.append(parse_claim(value))
        except ClaimCheckError as error:
            raise error.at(position, name or "?") from None
        names.append(name or claims[-1][0].id)
    if mac_key is not None:
        verify_claims(mac_key, claims, names)
    checks = [check for check, _ in claims]
    items = store.get_items([check.id for check in checks])
    located = [
        _verified_item(items.get(check.id), check, name, position, now, settings)
        for position, (check, name) in enumerate(zip(checks, names, strict=True))
    ]
    fetched = _fetch(store, located, names, settings.max_payload_bytes)
    redeemed = []
    for position, (entry, data, name) in enumerate(zip(located, fetched, names, strict=True)):
        claim = entry.claim
        try:
            body, stored_format = decode_body(claim, data, name)
        except ClaimCheckError as error:
            raise error.at(position) from None
        redeemed.append(
            RedeemedPayload(
                claim.id, body, stored_format, claim.attributes, message_group_id=checks[position].group
            )
        )
    return redeemed


def expire_redeemed(
    store: ClaimStore,
    payloads: Sequence[RedeemedPayload],
    expires_at: int,
    has_time: Callable[[], bool] | None = None,
) -> int:
    """Shorten the expiry of redeemed claims to ``expires_at`` (never lengthen it); delete nothing.

    The table's TTL then removes the items and the bucket's lifecycle rule the objects (packed
    objects are shared by a batch; objects of foreign pointers belong to their sender). Until then
    a redelivered batch, whose target delivery failed or whose function was stopped after this
    call was applied, redeems exactly as the first time. A claim is left alone once ``has_time()``
    says there is no time for one more call.

    :returns: how many claims were left alone for want of time.
    """

    def shorten(claim_id: str) -> bool:
        if has_time is not None and not has_time():
            return False
        store.shorten_expiry(claim_id, expires_at)
        return True

    return run_concurrently(shorten, _unique_ids(payloads)).count(False)


def _unique_ids(payloads: Sequence[RedeemedPayload]) -> list[str]:
    return list(dict.fromkeys(payload.claim_id for payload in payloads))


def _verified_item(
    item: dict[str, Any] | None,
    check: ClaimCheck,
    name: str,
    position: int,
    now: int,
    settings: StoreSettings,
) -> _Located:
    if item is None:
        raise ClaimCheckError(name, "missing", f"claim {check.id} is not in the store", position)
    try:
        claim = from_item(item)
    except (KeyError, ValueError, TypeError, ClaimCheckError):
        raise ClaimCheckError(name, "tampered", f"store item {check.id} is malformed", position) from None
    try:
        check_redeemable(claim, check, name, now)
        owner = check_location(claim, settings, name)
    except ClaimCheckError as error:
        raise error.at(position) from None
    return _Located(claim, owner)


def _pointer_limit(claim: StoredClaim, max_payload_bytes: int, name: str, position: int) -> int:
    """How many bytes an object of its own may have: the size declared for it, within the maximum."""
    if claim.integrity == "payload" or claim.size_declared:
        if claim.size > max_payload_bytes:
            detail = (
                f"claim {claim.id} declares {claim.size} bytes, above the {max_payload_bytes}-byte maximum"
            )
            raise ClaimCheckError(name, "too_large", detail, position)
        return claim.size
    return max_payload_bytes


def _fetch(
    store: ClaimStore, located: list[_Located], names: list[str], max_payload_bytes: int
) -> list[bytes]:
    """The stored bytes of each claim: inline, one ranged GET per packed object, and one GET per object
    of its own, ranged to one byte past what it may hold (so a larger object is never read whole)."""
    spans: dict[S3Location, _Span] = {}
    limits: list[int] = []
    for position, (entry, name) in enumerate(zip(located, names, strict=True)):
        claim = entry.claim
        limits.append(_pointer_limit(claim, max_payload_bytes, name, position) if claim.pointer else 0)
        if claim.packed is not None:
            location, offset, length = claim.packed
            first, last = spans.get(location, (offset, offset + length - 1))
            spans[location] = (min(first, offset), max(last, offset + length - 1))
    wanted: list[tuple[S3Location, _Span, str | None]] = [(loc, span, None) for loc, span in spans.items()]
    wanted += [
        (entry.claim.pointer, (0, limit), entry.owner)
        for entry, limit in zip(located, limits, strict=True)
        if entry.claim.pointer is not None
    ]
    unique = list(dict.fromkeys(wanted))
    blobs = dict(
        zip(unique, run_concurrently(lambda target: _read_or_none(store, *target), unique), strict=True)
    )
    fetched = []
    for position, (entry, limit, name) in enumerate(zip(located, limits, names, strict=True)):
        claim = entry.claim
        if claim.inline is not None:
            fetched.append(claim.inline)
            continue
        if claim.packed is not None:
            location, offset, length = claim.packed
            blob = blobs[(location, spans[location], None)]
            start = offset - spans[location][0]
            data = None if blob is None else blob[start : start + length]
        elif claim.pointer is not None:
            location, data = claim.pointer, blobs[(claim.pointer, (0, limit), entry.owner)]
            if data is not None and len(data) > limit:
                where = f"claim {claim.id}: s3://{location.bucket}/{location.key}"
                if claim.integrity == "payload" or claim.size_declared:
                    # It declared its size when it was claimed: the object has changed since.
                    detail = f"{where} holds more than the {limit} bytes declared for it"
                    raise ClaimCheckError(name, "tampered", detail, position)
                raise ClaimCheckError(name, "too_large", f"{where} holds more than {limit} bytes", position)
        else:
            raise ClaimCheckError(name, "tampered", f"store item {claim.id} has no body", position)
        if data is None:
            gone = f"claim {claim.id}: s3://{location.bucket}/{location.key} is gone or not readable"
            raise ClaimCheckError(name, "missing", gone, position)
        fetched.append(data)
    return fetched


def _read_or_none(store: ClaimStore, location: S3Location, span: _Span, owner: str | None) -> bytes | None:
    try:
        return store.get_bytes(location, *span, owner)
    except ObjectMissingError:
        return None
