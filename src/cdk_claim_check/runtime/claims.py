"""Claim logic apart from I/O: preparing a body for storage, the store item, verification.

The store item (DynamoDB, partition key ``id``) is described in ``docs/contract.md``. This module
turns a body into a :class:`PreparedClaim`, a prepared claim plus its placement into an item, and
an item plus the bytes fetched for it back into a verified body. :mod:`.client` does the I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .codec import (
    Encoding,
    classify,
    compress,
    decompress,
    may_be_pointer,
    sha256_hex,
    utf8,
)
from .config import StoreSettings
from .contract import DYNAMODB_ITEM_LIMIT_BYTES, OBJECT_PREFIX, PACKED_PREFIX, PARTITION_KEY, TTL_ATTRIBUTE
from .errors import ClaimCheckError
from .wire import (
    POINTER_CLASSES,
    WIRE_VERSION,
    ClaimCheck,
    S3Location,
    declared_payload_size,
    extract_metadata,
    format_extended_pointer,
    parse_extended_pointer,
)

# The margin covers the item's fixed attributes (id, digests, times, names) with room to spare.
_FIXED_ITEM_OVERHEAD = 1024

Integrity = Literal["payload", "pointer"]
"""What ``bytes``/``sha256`` cover: the payload itself, or (for a foreign SQS Extended Client
pointer, whose object the split never reads) the pointer message, plus the declared size."""

StoredFormat = Literal["json", "text", "detect"]


@dataclass(frozen=True)
class PreparedClaim:
    """A body ready to be stored: its claim check, metadata and stored bytes."""

    check: ClaimCheck
    message_id: str
    metadata: dict[str, Any]
    attributes_json: str
    body_format: StoredFormat
    encoding: Encoding
    stored: bytes
    raw: bytes
    """The body's UTF-8 bytes (an object of its own holds them as they are, never inflated back)."""
    foreign: S3Location | None = None
    size_declared: bool = False

    @property
    def integrity(self) -> Integrity:
        return "pointer" if self.foreign is not None else "payload"


@dataclass(frozen=True)
class Placement:
    """Where a prepared claim's bytes live: in the item, in a packed object range, or an object of its own."""

    kind: Literal["inline", "packed", "object", "foreign"]
    location: S3Location | None = None
    offset: int = 0
    length: int = 0


def prepare(
    body: str,
    *,
    claim_id: str,
    message_id: str,
    message_attributes: Mapping[str, Any] | None,
    settings: StoreSettings,
) -> PreparedClaim:
    """Prepare ``body`` for storage (pure).

    :raises ClaimCheckError: ``malformed`` for a body that is not valid Unicode or a broken SQS Extended
        Client pointer.
    """
    try:
        raw = utf8(body)
    except UnicodeEncodeError:
        raise ClaimCheckError(message_id, "malformed", "body is not valid Unicode (lone surrogate)") from None
    attributes_json = json.dumps(dict(message_attributes or {}), separators=(",", ":"), sort_keys=True)
    # The body is parsed only when something here needs it; else retrieval, which parses JSON
    # bodies anyway, classifies it (format ``detect``) by the same rule.
    body_format: StoredFormat = "detect"
    document: Any = None
    if settings.keep_fields or may_be_pointer(body, POINTER_CLASSES):
        body_format, document = classify(body)
    digest = sha256_hex(raw)
    try:
        foreign = parse_extended_pointer(document)
        declared = declared_payload_size(message_attributes) if foreign else None
    except ClaimCheckError as error:
        raise ClaimCheckError(message_id, error.reason, error.detail) from None
    if foreign is not None and settings.allowed_pointer(foreign) is None:
        raise ClaimCheckError(message_id, "pointer_not_allowed", _refusal(foreign, settings))
    if foreign is not None:
        return PreparedClaim(
            check=ClaimCheck(id=claim_id, bytes=len(raw) if declared is None else declared, sha256=digest),
            message_id=message_id,
            metadata={},
            attributes_json=attributes_json,
            body_format="detect",
            encoding="identity",
            stored=b"",
            raw=raw,
            foreign=foreign,
            size_declared=declared is not None,
        )
    # An object of its own holds the plain body: once the compressed size is certain to exceed the
    # inline limit, compressing further is wasted (the placement is the same either way).
    object_layout = settings.bucket_name is not None and settings.s3_layout == "object"
    give_up_above = settings.effective_inline_limit if object_layout else None
    encoding, stored = compress(raw, settings.compression, give_up_above=give_up_above)
    return PreparedClaim(
        check=ClaimCheck(id=claim_id, bytes=len(raw), sha256=digest),
        message_id=message_id,
        metadata=extract_metadata(document, settings.keep_fields),
        attributes_json=attributes_json,
        body_format=body_format,
        encoding=encoding,
        stored=stored,
        raw=raw,
    )


def _refusal(location: S3Location, settings: StoreSettings) -> str:
    if location.bucket == settings.bucket_name:
        return "SQS Extended Client pointer names the store's own bucket, which pointers may never name"
    return (
        f"SQS Extended Client pointer names bucket {location.bucket!r} or a key outside the buckets and key "
        "prefixes named for such pointers (extended_client_buckets)"
    )


def check_location(stored: StoredClaim, settings: StoreSettings, message_id: str) -> str | None:
    """Refuse an item whose bytes are somewhere this store may not read for it; returns the owner to
    expect of the bucket (``None``: the store's own).

    The store's own layouts live in the store's bucket under their prefixes (an object of its own under
    its claim's id); a foreign pointer must be allowed now, whatever was allowed when it was claimed.

    :raises ClaimCheckError: ``pointer_not_allowed``.
    """
    if stored.integrity == "pointer":
        location = stored.pointer
        allowed = settings.allowed_pointer(location) if location is not None else None
        if location is None or allowed is None:
            detail = _refusal(location, settings) if location else "foreign item has no pointer"
            raise ClaimCheckError(message_id, "pointer_not_allowed", f"claim {stored.id}: {detail}")
        return allowed.owner
    own = [(stored.packed[0], PACKED_PREFIX)] if stored.packed else []
    own += [(stored.pointer, f"{OBJECT_PREFIX}{stored.id}/")] if stored.pointer else []
    for location, prefix in own:
        if location.bucket != settings.bucket_name or not location.key.startswith(prefix):
            raise ClaimCheckError(
                message_id,
                "pointer_not_allowed",
                f"claim {stored.id} points outside the store's bucket layout",
            )
    return None


def fits_inline(claim: PreparedClaim, settings: StoreSettings) -> bool:
    """True when the body stays in the item: within the inline limit and the item size limit."""
    return (
        len(claim.stored) <= settings.effective_inline_limit
        and len(claim.stored) + _item_overhead(claim) <= DYNAMODB_ITEM_LIMIT_BYTES
    )


def check_item_size(claim: PreparedClaim, position: int | None = None) -> None:
    """Fail ``too_large`` when even a pointer item would not fit (huge message attributes)."""
    if _item_overhead(claim) > DYNAMODB_ITEM_LIMIT_BYTES:
        raise ClaimCheckError(
            claim.message_id, "too_large", "message attributes do not fit in a DynamoDB item", position
        )


def _item_overhead(claim: PreparedClaim) -> int:
    return len(claim.attributes_json.encode()) + len(claim.message_id.encode()) + _FIXED_ITEM_OVERHEAD


def to_item(claim: PreparedClaim, placement: Placement, *, now: int, ttl_seconds: int) -> dict[str, Any]:
    """The DynamoDB item (low-level attribute values) for a placed claim."""
    item: dict[str, Any] = {
        PARTITION_KEY: {"S": claim.check.id},
        "v": {"N": str(WIRE_VERSION)},
        "bytes": {"N": str(claim.check.bytes)},
        "sha256": {"S": claim.check.sha256},
        "format": {"S": claim.body_format},
        "encoding": {"S": claim.encoding},
        "created_at": {"N": str(now)},
        TTL_ATTRIBUTE: {"N": str(now + ttl_seconds)},
        "attributes": {"S": claim.attributes_json},
        "message_id": {"S": claim.message_id},
    }
    if claim.integrity == "pointer":
        item["integrity"] = {"S": "pointer"}
        item["size_declared"] = {"BOOL": claim.size_declared}
    if placement.kind == "inline":
        item["body"] = {"B": claim.stored}
    elif placement.kind == "packed":
        assert placement.location is not None
        item["s3"] = {
            "M": {
                "bucket": {"S": placement.location.bucket},
                "key": {"S": placement.location.key},
                "offset": {"N": str(placement.offset)},
                "length": {"N": str(placement.length)},
            }
        }
    else:
        assert placement.location is not None
        item["pointer"] = {"S": format_extended_pointer(placement.location)}
    return item


@dataclass(frozen=True)
class StoredClaim:
    """A store item, read back."""

    id: str
    version: int
    size: int
    sha256: str
    body_format: str
    encoding: str
    expires_at: int
    attributes: dict[str, Any]
    integrity: str
    size_declared: bool
    inline: bytes | None
    packed: tuple[S3Location, int, int] | None
    pointer: S3Location | None


def from_item(item: Mapping[str, Any]) -> StoredClaim:
    """Read a DynamoDB item (low-level attribute values); a broken item raises ``ValueError``."""
    packed = item.get("s3", {}).get("M")
    pointer = item.get("pointer", {}).get("S")
    pointer_location = parse_extended_pointer(json.loads(pointer)) if pointer else None
    return StoredClaim(
        id=item[PARTITION_KEY]["S"],
        version=int(item["v"]["N"]),
        size=int(item["bytes"]["N"]),
        sha256=item["sha256"]["S"],
        body_format=item["format"]["S"],
        encoding=item["encoding"]["S"],
        expires_at=int(item[TTL_ATTRIBUTE]["N"]),
        attributes=json.loads(item.get("attributes", {}).get("S", "{}")),
        integrity=item.get("integrity", {}).get("S", "payload"),
        size_declared=bool(item.get("size_declared", {}).get("BOOL", False)),
        inline=bytes(item["body"]["B"]) if "body" in item else None,
        packed=(
            (
                S3Location(packed["bucket"]["S"], packed["key"]["S"]),
                int(packed["offset"]["N"]),
                int(packed["length"]["N"]),
            )
            if packed
            else None
        ),
        pointer=pointer_location,
    )


def check_redeemable(stored: StoredClaim, check: ClaimCheck, message_id: str, now: int) -> None:
    """Refuse an item that is expired, of an unknown version, or does not match its claim check."""
    if stored.version != WIRE_VERSION:
        raise ClaimCheckError(message_id, "unknown_version", f"store item version {stored.version} is not 1")
    if stored.expires_at <= now:
        raise ClaimCheckError(message_id, "expired", f"claim {check.id} expired at {stored.expires_at}")
    if stored.sha256 != check.sha256 or stored.size != check.bytes:
        raise ClaimCheckError(message_id, "tampered", f"claim {check.id} does not match its store item")


def decode_body(stored: StoredClaim, fetched: bytes, message_id: str) -> tuple[str, StoredFormat]:
    """Decode and verify the fetched bytes; returns the original body and the stored format
    (``detect`` when the split left it to retrieval: the body is then classified, and parsed, only
    when its format or value is asked for).

    :raises ClaimCheckError: ``tampered`` when size, digest, compression or UTF-8 do not hold.
    """
    try:
        raw = decompress(stored.encoding, fetched, stored.size)
    except Exception:  # zlib.error or an unknown encoding: the stored bytes were altered
        raise ClaimCheckError(message_id, "tampered", f"claim {stored.id} does not decode") from None
    if (stored.integrity == "payload" or stored.size_declared) and len(raw) != stored.size:
        raise ClaimCheckError(
            message_id, "tampered", f"claim {stored.id} has {len(raw)} bytes, expected {stored.size}"
        )
    if stored.integrity == "payload" and sha256_hex(raw) != stored.sha256:
        raise ClaimCheckError(message_id, "tampered", f"claim {stored.id} fails its SHA-256 check")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ClaimCheckError(message_id, "tampered", f"claim {stored.id} is not UTF-8") from None
    if stored.body_format in ("json", "text"):
        return body, stored.body_format  # type: ignore[return-value]
    return body, "detect"
