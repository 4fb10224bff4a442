"""Claim-check wire format v1 and the SQS Extended Client pointer form (pure functions, no I/O).

What the split enrichment returns per record, in order::

    {"claimCheck": {"v": 1, "id": "<32 hex>", "bytes": 1234, "sha256": "<64 hex>"},
     "metadata": {"orderId": "o-1"}}

- ``id``: the first 32 hex characters of SHA-256(``eventSourceARN + "/" + messageId``), so a
  redelivered batch writes the same items again instead of orphans.
- ``bytes``, ``sha256``: UTF-8 length and SHA-256 of the original body, checked at retrieval.
  For a body that already was an SQS Extended Client pointer (claimed without reading its object),
  ``sha256`` is the digest of the pointer message itself and ``bytes`` the payload size the sender
  declared (``ExtendedPayloadSize`` / ``SQSLargePayloadSize``), else the pointer message's length.
- ``group`` (optional): the ``MessageGroupId`` of a FIFO source message, so a FIFO target can keep
  the source's message groups. Absent for a standard queue; claim checks without it stay valid.
- ``metadata``: the ``keep_fields`` present in a JSON-object body; absent fields are omitted.
- ``mac`` (optional, inside ``claimCheck``): where a claim signing key is configured, the base64 KMS
  HMAC of the rest of the wire object (:mod:`.authenticity`); claim checks without one are refused
  only by a retrieval that has the key.

Retrieval accepts the object bare, as the ``detail`` of an EventBridge event, or as a JSON string
of either (the body of an SQS message).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .contract import MAX_MESSAGE_GROUP_ID_CHARS
from .errors import ClaimCheckError

WIRE_VERSION = 1
CLAIM_CHECK_KEY = "claimCheck"
METADATA_KEY = "metadata"
MAC_KEY = "mac"
"""The claim check's optional MAC field (base64), inside the ``claimCheck`` object."""

EXTENDED_POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer"
LEGACY_POINTER_CLASS = "com.amazon.sqs.javamessaging.MessageS3Pointer"
POINTER_CLASSES = frozenset({EXTENDED_POINTER_CLASS, LEGACY_POINTER_CLASS})
# Message attributes carrying the original payload size: the payload-offloading libraries write
# the first, the Java SQS Extended Client's default writer the second.
PAYLOAD_SIZE_ATTRIBUTES = ("ExtendedPayloadSize", "SQSLargePayloadSize")

_ID = re.compile(r"[0-9a-f]{32}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Base64 of one HMAC (any KMS HMAC length: 28..64 bytes); a longer string is never sent to KMS.
_MAC = re.compile(r"[A-Za-z0-9+/]{36,88}={0,2}")
# SQS FIFO MessageGroupId: letters, digits and ASCII punctuation (no spaces).
_GROUP = re.compile(rf"[!-~]{{1,{MAX_MESSAGE_GROUP_ID_CHARS}}}")
GROUP_KEY = "group"


@dataclass(frozen=True)
class ClaimCheck:
    """The claim check proper: what is needed to find and verify one stored payload."""

    id: str
    bytes: int
    sha256: str
    v: int = WIRE_VERSION
    mac: str | None = None
    """The claim check's MAC (base64), when it carries one."""
    group: str | None = None
    """The FIFO source message's ``MessageGroupId``; None for a standard source."""

    def to_wire(self, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The wire object ``{"claimCheck": {...}, "metadata": {...}}`` (``group``, ``mac`` only when set)."""
        check: dict[str, Any] = {"v": self.v, "id": self.id, "bytes": self.bytes, "sha256": self.sha256}
        if self.group is not None:
            check[GROUP_KEY] = self.group
        if self.mac is not None:
            check[MAC_KEY] = self.mac
        return {CLAIM_CHECK_KEY: check, METADATA_KEY: dict(metadata or {})}


@dataclass(frozen=True)
class S3Location:
    """An S3 object named by an SQS Extended Client pointer."""

    bucket: str
    key: str


def claim_id(event_source_arn: str, message_id: str) -> str:
    """Deterministic claim id of a source message: 32 hex chars of SHA-256(arn + "/" + messageId)."""
    return hashlib.sha256(f"{event_source_arn}/{message_id}".encode()).hexdigest()[:32]


def parse_claim_check(value: Any) -> ClaimCheck:
    """Find and validate the claim check in a record body.

    Accepts the wire object, an EventBridge event whose ``detail`` is the wire object, or a JSON
    string of either.

    :raises ClaimCheckError: ``malformed`` when no valid claim check is found, ``unknown_version``
        when its ``v`` is not a version this runtime understands.
    """
    return parse_claim(value)[0]


def parse_claim(value: Any) -> tuple[ClaimCheck, dict[str, Any]]:
    """:func:`parse_claim_check`, and the wire object it was found in (what a MAC covers).

    :raises ClaimCheckError: as :func:`parse_claim_check`.
    """
    wire = _unwrap(value)
    check = wire.get(CLAIM_CHECK_KEY)
    if not isinstance(check, dict):
        raise ClaimCheckError("", "malformed", f"'{CLAIM_CHECK_KEY}' is not an object")
    version = check.get("v")
    if version != WIRE_VERSION or isinstance(version, bool):
        # Only a number is echoed: the field may hold anything, and error messages never carry content.
        shown = (
            version if isinstance(version, int) and not isinstance(version, bool) else type(version).__name__
        )
        raise ClaimCheckError("", "unknown_version", f"claim check version {shown} is not {WIRE_VERSION}")
    ident, size, digest = check.get("id"), check.get("bytes"), check.get("sha256")
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        raise ClaimCheckError("", "malformed", "claim check 'id' is not 32 lowercase hex characters")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ClaimCheckError("", "malformed", "claim check 'bytes' is not a non-negative integer")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise ClaimCheckError("", "malformed", "claim check 'sha256' is not 64 lowercase hex characters")
    mac = check.get(MAC_KEY)
    if mac is not None and (not isinstance(mac, str) or not _MAC.fullmatch(mac)):
        raise ClaimCheckError("", "malformed", f"claim check '{MAC_KEY}' is not a base64 MAC")
    group = check.get(GROUP_KEY)
    if group is not None and not (isinstance(group, str) and _GROUP.fullmatch(group)):
        raise ClaimCheckError(
            "",
            "malformed",
            f"claim check '{GROUP_KEY}' is not an SQS message group id (1..128 printable ASCII)",
        )
    return ClaimCheck(id=ident, bytes=size, sha256=digest, mac=mac, group=group), wire


def check_message_group_id(value: Any) -> str | None:
    """A FIFO source record's ``MessageGroupId`` (None when absent).

    :raises ClaimCheckError: ``malformed`` when present but not 1..128 printable ASCII characters.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not _GROUP.fullmatch(value):
        raise ClaimCheckError("", "malformed", "MessageGroupId is not 1..128 printable ASCII characters")
    return value


def _unwrap(value: Any) -> dict[str, Any]:
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value)
        except ValueError:
            raise ClaimCheckError("", "malformed", "body is not JSON, so it holds no claim check") from None
    if isinstance(value, dict) and CLAIM_CHECK_KEY not in value and "detail" in value:
        value = value["detail"]
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ClaimCheckError("", "malformed", "event 'detail' is not JSON") from None
    if not isinstance(value, dict) or CLAIM_CHECK_KEY not in value:
        raise ClaimCheckError(
            "", "malformed", f"no '{CLAIM_CHECK_KEY}' object (bare or in an event 'detail')"
        )
    return value


def extract_metadata(document: Any, keep_fields: Iterable[str]) -> dict[str, Any]:
    """The ``keep_fields`` present in a JSON-object body; a dotted path ``a.b`` is kept as ``"a.b"``."""
    if not isinstance(document, dict):
        return {}
    kept: dict[str, Any] = {}
    for path in keep_fields:
        node: Any = document
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            kept[path] = node
    return kept


def parse_extended_pointer(document: Any) -> S3Location | None:
    """The S3 object named by an SQS Extended Client pointer body, or ``None`` if it is not one.

    A JSON array whose first element is one of the pointer class names is a pointer; if the rest
    does not name a bucket and key, the body is rejected rather than stored as if it were data.

    :raises ClaimCheckError: ``malformed`` for a pointer without a usable ``s3BucketName``/``s3Key``.
    """
    if not isinstance(document, list) or not document:
        return None
    if not isinstance(document[0], str) or document[0] not in POINTER_CLASSES:
        return None
    target = document[1] if len(document) == 2 else None
    if not isinstance(target, dict):
        raise ClaimCheckError(
            "", "malformed", "SQS Extended Client pointer is not [class, {s3BucketName, s3Key}]"
        )
    bucket, key = target.get("s3BucketName"), target.get("s3Key")
    if not isinstance(bucket, str) or not bucket or not isinstance(key, str) or not key:
        raise ClaimCheckError("", "malformed", "SQS Extended Client pointer lacks s3BucketName or s3Key")
    return S3Location(bucket=bucket, key=key)


def format_extended_pointer(location: S3Location) -> str:
    """The pointer in the form the Java SQS Extended Client writes (compact JSON)."""
    body = [EXTENDED_POINTER_CLASS, {"s3BucketName": location.bucket, "s3Key": location.key}]
    return json.dumps(body, separators=(",", ":"))


def declared_payload_size(message_attributes: Mapping[str, Any] | None) -> int | None:
    """The payload size an SQS Extended Client sender declared in the message attributes, if any.

    Reads both the Lambda/Pipes shape (``stringValue``) and the SQS API shape (``StringValue``).

    :raises ClaimCheckError: ``malformed`` when the attribute is present but not a non-negative integer.
    """
    for name in PAYLOAD_SIZE_ATTRIBUTES:
        attribute = (message_attributes or {}).get(name)
        if not isinstance(attribute, dict):
            continue
        raw = attribute.get("stringValue", attribute.get("StringValue"))
        try:
            size = int(str(raw).strip())
        except ValueError:
            size = -1
        if size < 0:
            raise ClaimCheckError("", "malformed", f"message attribute {name} is not a non-negative integer")
        return size
    return None
