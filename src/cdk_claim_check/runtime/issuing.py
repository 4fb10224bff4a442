"""Issuing claims for a batch of bodies: prepare, place, write S3 objects, then the items.

Write order makes the split safe to retry: S3 objects first, then the items, so an item never
points at an object that is not there; every object is content-addressed, so a redelivered batch
rewrites the same object and no write can change bytes that an issued claim points into.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .authenticity import ClaimMacKey, sign_wires
from .claims import (
    Placement,
    PreparedClaim,
    check_item_size,
    fits_inline,
    prepare,
    to_item,
)
from .codec import sha256_hex
from .config import StoreSettings
from .contract import OBJECT_PREFIX, PACKED_PREFIX
from .errors import ClaimCheckError
from .storage import ClaimStore, run_concurrently
from .wire import S3Location, check_message_group_id, claim_id


@dataclass(frozen=True)
class ClaimRequest:
    """One body to claim.

    :ivar body: the message body (any string; empty is fine).
    :ivar message_id: the source message id; with it the claim id is deterministic (idempotent
        redelivery), without it (default) a random id is used.
    :ivar source_arn: namespace of ``message_id`` (the split uses the queue ARN); default ``""``.
    :ivar message_attributes: stored with the claim and restored at redemption; default none.
    :ivar message_group_id: the FIFO source message's group, carried in the claim check as ``group``
        so a FIFO target can keep it; default none (a standard source).
    """

    body: str
    message_id: str | None = None
    source_arn: str = ""
    message_attributes: Mapping[str, Any] | None = None
    message_group_id: str | None = None


@dataclass(frozen=True)
class IssuedBatch:
    """The claim checks of one batch, in order, and what storing them took."""

    claim_checks: list[dict[str, Any]]
    payload_bytes: int = 0
    stored_bytes: int = 0
    inline_count: int = 0
    overflow_count: int = 0
    foreign_count: int = 0
    s3_puts: int = 0


def issue_batch(
    store: ClaimStore,
    settings: StoreSettings,
    requests: Sequence[ClaimRequest],
    *,
    now: int,
    mac_key: ClaimMacKey | None = None,
) -> IssuedBatch:
    """Store a batch of bodies and return their claim checks, in order; with ``mac_key`` (default
    ``None``) each claim check carries its MAC, made before anything is written.

    :raises ClaimCheckError: naming the first record (position, messageId) that cannot be stored.
    """
    prepared = [_prepare(position, request, settings) for position, request in enumerate(requests)]
    claim_checks = [claim.check.to_wire(claim.metadata) for claim in prepared]
    # The MAC covers the whole wire object: a field added to it after this point is refused as forged.
    if mac_key is not None:
        sign_wires(mac_key, claim_checks)
    placements: list[Placement | None] = []
    overflow: list[int] = []
    for position, claim in enumerate(prepared):
        check_item_size(claim, position)
        if claim.foreign is not None:
            placements.append(Placement("foreign", location=claim.foreign))
        elif fits_inline(claim, settings):
            placements.append(Placement("inline"))
        elif settings.bucket_name is None:
            raise ClaimCheckError(
                claim.message_id,
                "too_large",
                f"{len(claim.stored)} stored bytes exceed the inline limit; there is no overflow bucket",
                position,
            )
        else:
            placements.append(None)
            overflow.append(position)
    objects = _place_overflow(settings, prepared, placements, overflow)
    run_concurrently(lambda target: store.put_object(*target), objects)
    items = []
    for claim, placement in zip(prepared, placements, strict=True):
        assert placement is not None  # every overflow claim was placed above
        items.append(to_item(claim, placement, now=now, ttl_seconds=settings.ttl_seconds))
    for position, written in enumerate(run_concurrently(store.put_item, items)):
        if not written:
            claim = prepared[position]
            raise ClaimCheckError(
                claim.message_id,
                "conflict",
                f"claim {claim.check.id} already holds a different body",
                position,
            )
    return IssuedBatch(
        claim_checks=claim_checks,
        payload_bytes=sum(claim.check.bytes for claim in prepared if claim.foreign is None),
        stored_bytes=sum(len(claim.stored) for claim in prepared),
        inline_count=sum(
            1 for placement in placements if placement is not None and placement.kind == "inline"
        ),
        overflow_count=len(overflow),
        foreign_count=sum(1 for claim in prepared if claim.foreign is not None),
        s3_puts=len(objects),
    )


def _prepare(position: int, request: ClaimRequest, settings: StoreSettings) -> PreparedClaim:
    if not isinstance(request.body, str):
        raise TypeError(f"body must be a str, not {type(request.body).__name__}")
    ident = claim_id(request.source_arn, request.message_id) if request.message_id else uuid.uuid4().hex
    try:
        group = check_message_group_id(request.message_group_id)
        claim = prepare(
            request.body,
            claim_id=ident,
            message_id=request.message_id or ident,
            message_attributes=request.message_attributes,
            settings=settings,
        )
    except ClaimCheckError as error:
        raise error.at(position, request.message_id or ident) from None
    return claim if group is None else replace(claim, check=replace(claim.check, group=group))


def _place_overflow(
    settings: StoreSettings,
    prepared: list[PreparedClaim],
    placements: list[Placement | None],
    overflow: list[int],
) -> list[tuple[S3Location, bytes]]:
    """Fill in the S3 placements of the ``overflow`` positions; returns the objects to write."""
    bucket = settings.bucket_name
    if not overflow or bucket is None:
        return []
    if settings.s3_layout == "packed":
        blob = b"".join(prepared[position].stored for position in overflow)
        location = S3Location(bucket, f"{PACKED_PREFIX}{sha256_hex(blob)}")
        offset = 0
        for position in overflow:
            length = len(prepared[position].stored)
            placements[position] = Placement("packed", location, offset, length)
            offset += length
        return [(location, blob)]
    objects = []
    for position in overflow:
        claim = prepared[position]
        # An object of its own holds the plain body, so any SQS Extended Client can read it.
        prepared[position] = replace(claim, encoding="identity", stored=claim.raw)
        location = S3Location(bucket, f"{OBJECT_PREFIX}{claim.check.id}/{claim.check.sha256}")
        placements[position] = Placement("object", location)
        objects.append((location, claim.raw))
    return objects
