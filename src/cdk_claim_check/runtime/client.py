"""``ClaimCheckClient``: issue and redeem claim checks from your own code.

The split and retrieval handlers are thin wrappers around this client, so a Lambda function or
a workflow task that redeems a claim check itself (for example because the payload is too large
for a Step Functions input) gets exactly the behaviour of the retrieval pipe::

    from cdk_claim_check.runtime import ClaimCheckClient

    client = ClaimCheckClient("my-claims-table", "my-overflow-bucket")
    check = client.put('{"orderId": "o-1", "lines": [...]}')
    payload = client.redeem(check)          # also accepts an EventBridge event or a JSON string
    payload.body, payload.value, payload.message_attributes
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from .claims import (
    Placement,
    PreparedClaim,
    StoredClaim,
    check_item_size,
    check_redeemable,
    decode_body,
    fits_inline,
    from_item,
    prepare,
    to_item,
)
from .codec import BodyFormat, decompress, restore, sha256_hex
from .config import DEFAULT_TTL_SECONDS, Compression, RuntimeConfig, S3Layout, StoreSettings, load_config
from .errors import ClaimCheckError
from .store import AwsClaimStore, ClaimStore, ObjectMissingError
from .wire import ClaimCheck, S3Location, claim_id, parse_claim_check

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

_T = TypeVar("_T")
_R = TypeVar("_R")
# S3 and DynamoDB calls of one batch run side by side: a Pipes batch holds at most 10 records.
_MAX_PARALLEL_CALLS = 10


@dataclass(frozen=True)
class ClaimRequest:
    """One body to claim.

    Attributes:
        body: the message body (any string; empty is fine).
        message_id: the source message id; with it the claim id is deterministic (idempotent
            redelivery), without it (default) a random id is used.
        source_arn: namespace of ``message_id`` (the split uses the queue ARN); default ``""``.
        message_attributes: stored with the claim and restored at redemption; default none.
    """

    body: str
    message_id: str | None = None
    source_arn: str = ""
    message_attributes: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class IssuedBatch:
    """The claim checks of one batch, in order, and what storing them cost."""

    claim_checks: list[dict[str, Any]]
    payload_bytes: int = 0
    stored_bytes: int = 0
    inline_count: int = 0
    overflow_count: int = 0
    foreign_count: int = 0
    s3_puts: int = 0


@dataclass(frozen=True)
class RedeemedPayload:
    """A redeemed claim.

    Attributes:
        claim_id: the claim's id.
        body: the original body, byte-exact.
        body_format: ``json`` (a JSON object or array) or ``text``.
        message_attributes: the source message's attributes, as they were stored.
    """

    claim_id: str
    body: str
    body_format: BodyFormat
    message_attributes: dict[str, Any] = field(default_factory=dict)
    owned_object: S3Location | None = field(default=None, repr=False, compare=False)
    """The S3 object of its own that goes with the claim when it is deleted (``object`` layout)."""

    @property
    def value(self) -> Any:
        """What the retrieval handler returns: the parsed JSON for ``json``, else the body string."""
        return restore(self.body, self.body_format)


class ClaimCheckClient:
    """Issue claim checks for bodies and redeem them, with the store layout of the pipes.

    Args:
        table_name: the claim-check DynamoDB table (partition key ``id``, TTL ``expires_at``).
        bucket_name: overflow S3 bucket; default ``None`` (every body stays in its item).
        ttl_seconds: claim lifetime; default 604,800 (7 days).
        compression: ``auto`` (default, zlib when smaller) or ``none``.
        inline_limit_bytes: stored size at or below which a body stays in the item; default
            8192 with a bucket, 350,000 without.
        s3_layout: ``packed`` (default) or ``object``.
        keep_fields: JSON fields copied into the claim check's ``metadata``; default none.
        dynamodb_client, s3_client: boto3 clients to use; default: created on first use.
        store: a :class:`~.store.ClaimStore` replacing the AWS one (the clients are then unused).
        clock: epoch-seconds clock for creation and expiry; default ``time.time``.
    """

    def __init__(
        self,
        table_name: str,
        bucket_name: str | None = None,
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        compression: Compression = "auto",
        inline_limit_bytes: int | None = None,
        s3_layout: S3Layout = "packed",
        keep_fields: Sequence[str] = (),
        dynamodb_client: DynamoDBClient | None = None,
        s3_client: S3Client | None = None,
        store: ClaimStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = StoreSettings(
            table_name=table_name,
            bucket_name=bucket_name,
            ttl_seconds=ttl_seconds,
            compression=compression,
            inline_limit_bytes=inline_limit_bytes,
            s3_layout=s3_layout,
            keep_fields=tuple(keep_fields),
        )
        self._store = store or AwsClaimStore(table_name, dynamodb=dynamodb_client, s3=s3_client)
        self._clock = clock

    @classmethod
    def from_config(cls, config: RuntimeConfig | None = None, **kwargs: Any) -> ClaimCheckClient:
        """A client with the settings of the environment contract (``load_config()`` by default)."""
        settings = (config or load_config()).store
        return cls(
            settings.table_name,
            settings.bucket_name,
            ttl_seconds=settings.ttl_seconds,
            compression=settings.compression,
            inline_limit_bytes=settings.inline_limit_bytes,
            s3_layout=settings.s3_layout,
            keep_fields=settings.keep_fields,
            **kwargs,
        )

    # ---- issuing ---------------------------------------------------------------------------

    def put(
        self,
        body: str,
        *,
        message_attributes: Mapping[str, Any] | None = None,
        message_id: str | None = None,
        source_arn: str = "",
    ) -> dict[str, Any]:
        """Store ``body`` and return its claim check (wire format v1)."""
        request = ClaimRequest(body, message_id, source_arn, message_attributes)
        return self.issue_batch([request]).claim_checks[0]

    def issue_batch(self, requests: Sequence[ClaimRequest]) -> IssuedBatch:
        """Store a batch of bodies; S3 objects first, then the items, so no item points at nothing.

        Raises:
            ClaimCheckError: naming the first record (position, messageId) that cannot be stored.
        """
        prepared = [self._prepare(position, request) for position, request in enumerate(requests)]
        placements: list[Placement | None] = []
        overflow: list[int] = []
        for position, claim in enumerate(prepared):
            check_item_size(claim, position)
            if claim.foreign is not None:
                placements.append(Placement("foreign", location=claim.foreign))
            elif fits_inline(claim, self.settings):
                placements.append(Placement("inline"))
            elif self.settings.bucket_name is None:
                raise ClaimCheckError(
                    claim.message_id,
                    "too_large",
                    f"{len(claim.stored)} stored bytes exceed the inline limit; there is no overflow bucket",
                    position,
                )
            else:
                placements.append(None)
                overflow.append(position)
        objects = self._place_overflow(prepared, placements, overflow)
        _run_all(lambda item: self._store.put_object(*item), objects)
        now = int(self._clock())
        items = []
        for claim, placement in zip(prepared, placements, strict=True):
            assert placement is not None  # every overflow claim was placed above
            items.append(to_item(claim, placement, now=now, ttl_seconds=self.settings.ttl_seconds))
        for position, written in enumerate(_run_all(self._store.put_item, items)):
            if not written:
                raise ClaimCheckError(
                    prepared[position].message_id,
                    "conflict",
                    f"claim {prepared[position].check.id} already holds a different body",
                    position,
                )
        return IssuedBatch(
            claim_checks=[claim.check.to_wire(claim.metadata) for claim in prepared],
            payload_bytes=sum(claim.check.bytes for claim in prepared if claim.foreign is None),
            stored_bytes=sum(len(claim.stored) for claim in prepared),
            inline_count=sum(1 for p in placements if p is not None and p.kind == "inline"),
            overflow_count=len(overflow),
            foreign_count=sum(1 for claim in prepared if claim.foreign is not None),
            s3_puts=len(objects),
        )

    def _prepare(self, position: int, request: ClaimRequest) -> PreparedClaim:
        ident = claim_id(request.source_arn, request.message_id) if request.message_id else uuid.uuid4().hex
        try:
            return prepare(
                request.body,
                claim_id=ident,
                message_id=request.message_id or ident,
                message_attributes=request.message_attributes,
                settings=self.settings,
            )
        except ClaimCheckError as error:
            raise error.at(position) from None

    def _place_overflow(
        self, prepared: list[PreparedClaim], placements: list[Placement | None], overflow: list[int]
    ) -> list[tuple[S3Location, bytes]]:
        """Fill in the S3 placements of ``overflow`` and return the objects to write."""
        bucket = self.settings.bucket_name
        if not overflow or bucket is None:
            return []
        if self.settings.s3_layout == "packed":
            blob = b"".join(prepared[position].stored for position in overflow)
            # Content-addressed: a redelivered batch rewrites the same object, and a different
            # batch can never overwrite bytes that issued claims point into.
            location = S3Location(bucket, f"packed/{sha256_hex(blob)}")
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
            raw = decompress(claim.encoding, claim.stored, claim.check.bytes)
            prepared[position] = replace(claim, encoding="identity", stored=raw)
            location = S3Location(bucket, f"objects/{claim.check.id}/{claim.check.sha256}")
            placements[position] = Placement("object", location)
            objects.append((location, raw))
        return objects

    # ---- redeeming -------------------------------------------------------------------------

    def redeem(self, claim_check: Any, *, delete: bool = False) -> RedeemedPayload:
        """Redeem one claim check (the wire object, an EventBridge event holding it, or a JSON
        string of either); with ``delete=True`` (default ``False``) the claim is deleted after.

        Raises:
            ClaimCheckError: ``missing``, ``expired``, ``tampered``, ``unknown_version`` or ``malformed``.
        """
        return self.redeem_batch([claim_check], delete=delete)[0]

    def redeem_batch(
        self, claim_checks: Sequence[Any], *, message_ids: Sequence[str] | None = None, delete: bool = False
    ) -> list[RedeemedPayload]:
        """Redeem claim checks in order: one consistent BatchGetItem, then the S3 reads needed.

        ``message_ids`` (default: the claim ids) name the records in errors. With ``delete=True``
        (default ``False``) the items, and the S3 objects of their own, are deleted once all are
        verified; packed objects are left to the bucket's lifecycle rule.

        Raises:
            ClaimCheckError: naming the first record that cannot be redeemed.
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
        items = self._store.get_items([check.id for check in checks])
        now = int(self._clock())
        stored: list[StoredClaim] = []
        for position, (check, name) in enumerate(zip(checks, names, strict=True)):
            item = items.get(check.id)
            if item is None:
                raise ClaimCheckError(name, "missing", f"claim {check.id} is not in the store", position)
            try:
                claim = from_item(item)
            except (KeyError, ValueError, TypeError, ClaimCheckError):
                raise ClaimCheckError(
                    name, "tampered", f"store item {check.id} is malformed", position
                ) from None
            try:
                check_redeemable(claim, check, name, now)
            except ClaimCheckError as error:
                raise error.at(position) from None
            stored.append(claim)
        fetched = self._fetch(stored, names)
        redeemed = []
        for position, (claim, data, name) in enumerate(zip(stored, fetched, names, strict=True)):
            try:
                body, body_format = decode_body(claim, data, name)
            except ClaimCheckError as error:
                raise error.at(position) from None
            owned = claim.pointer if claim.owns_object else None
            redeemed.append(RedeemedPayload(claim.id, body, body_format, claim.attributes, owned))
        if delete:
            self.delete(redeemed)
        return redeemed

    def _fetch(self, stored: list[StoredClaim], names: list[str]) -> list[bytes]:
        """The stored bytes of each claim: inline, one ranged GET per packed object, one GET per object."""
        spans: dict[S3Location, tuple[int, int]] = {}
        for claim in stored:
            if claim.packed is not None:
                location, offset, length = claim.packed
                first, last = spans.get(location, (offset, offset + length - 1))
                spans[location] = (min(first, offset), max(last, offset + length - 1))
        wanted: list[tuple[S3Location, tuple[int, int] | None]] = list(spans.items())
        wanted += [(claim.pointer, None) for claim in stored if claim.pointer is not None]
        unique = list(dict.fromkeys(wanted))
        results = _run_all(self._read_or_none, unique)
        blobs = dict(zip(unique, results, strict=True))
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
                raise ClaimCheckError(
                    name,
                    "missing",
                    f"claim {claim.id}: s3://{location.bucket}/{location.key} is gone",
                    position,
                )
            fetched.append(data)
        return fetched

    def _read_or_none(self, wanted: tuple[S3Location, tuple[int, int] | None]) -> bytes | None:
        location, span = wanted
        try:
            if span is None:
                return self._store.get_bytes(location)
            return self._store.get_bytes(location, *span)
        except ObjectMissingError:
            return None

    def delete(self, payloads: Sequence[RedeemedPayload]) -> None:
        """Delete redeemed claims: their items, then their S3 objects of their own.

        Packed objects are shared by a batch and are left to the bucket's lifecycle rule; the
        objects of foreign SQS Extended Client pointers belong to their sender and are kept.
        """
        # Items first: an item must never point at an object that is already gone.
        self._store.delete_items([payload.claim_id for payload in payloads])
        owned = list(dict.fromkeys(payload.owned_object for payload in payloads if payload.owned_object))
        _run_all(self._store.delete_object, owned)


def _run_all(function: Callable[[_T], _R], arguments: Sequence[_T]) -> list[_R]:
    """``[function(a) for a in arguments]``, the calls side by side; the first error (in order) wins."""
    if len(arguments) <= 1:
        return [function(argument) for argument in arguments]
    with ThreadPoolExecutor(max_workers=min(_MAX_PARALLEL_CALLS, len(arguments))) as pool:
        futures = [pool.submit(function, argument) for argument in arguments]
        return [future.result() for future in futures]
