"""``inspect`` and ``redeem``: a claim check, wherever it was found, checked against its store.

A claim is given as JSON text, a file holding it, or ``-`` (standard input), in any of the shapes an
operator meets: the claim check itself, an EventBridge event holding it in ``detail``, an SQS message
as ``ReceiveMessage`` returns it (``Body``), or a Pipes / Lambda SQS record (``body``). Only
:func:`redeem` ever returns the payload; :func:`inspect` reads it to check size and digest, then drops it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..runtime.contract import PARTITION_KEY, TTL_ATTRIBUTE
from ..runtime.errors import ClaimCheckError
from .aws import Aws, OperatorError, aws_errors


class UnknownClaimError(OperatorError):
    """The claim's id has no item in the table (exit status 2)."""


def read_claim(argument: str) -> Any:
    """The claim check value named by ``argument``: ``-`` (stdin), a file, or JSON text.

    :raises OperatorError: when it is neither a readable file nor JSON holding a claim check.
    """
    if argument == "-":
        text = sys.stdin.read()
    elif argument.lstrip().startswith(("{", '"', "[")):
        text = argument
    else:
        path = Path(argument)
        if not path.is_file():
            raise OperatorError(f"CLAIM {argument!r} is neither JSON nor a file")
        text = path.read_text(encoding="utf-8")
    try:
        value = json.loads(text)
    except ValueError:
        raise OperatorError(
            "CLAIM is not JSON (a claim check, a bus event, an SQS message or record)"
        ) from None
    return unwrap_message(value)


def unwrap_message(value: Any) -> Any:
    """The body of an SQS message (``Body``) or record (``body``); anything else as it is."""
    if isinstance(value, dict):
        for key in ("Body", "body"):
            if isinstance(value.get(key), str) and "claimCheck" not in value:
                return value[key]
    return value


@dataclass(frozen=True)
class ClaimReport:
    """What ``inspect`` tells about one claim; never its payload.

    :ivar claim_id: the claim's id.
    :ivar bytes: the payload size the claim check declares.
    :ivar sha256: the payload digest the claim check declares.
    :ivar stored_in: ``inline`` (in the DynamoDB item), ``packed`` (a range of a batch's S3 object),
        ``object`` (an S3 object of its own) or ``foreign`` (an SQS Extended Client sender's object).
    :ivar location: the table and item, or the S3 URI (and range) of the stored bytes.
    :ivar stored_bytes: the stored (possibly compressed) size, or ``None`` when it cannot be read.
    :ivar encoding: ``identity`` or ``zlib``.
    :ivar created_at: epoch seconds.
    :ivar expires_at: epoch seconds.
    :ivar check: ``ok``, or the reason the claim does not redeem.
    :ivar detail: what the check found (never payload content).
    :ivar mac: ``none``, ``verified``, or ``present, not verified`` (without ``--mac-key``).
    """

    claim_id: str
    bytes: int
    sha256: str
    stored_in: str
    location: str
    stored_bytes: int | None
    encoding: str
    created_at: int | None
    expires_at: int
    check: str
    detail: str
    mac: str

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return asdict(self)


@dataclass(frozen=True)
class StoreOptions:
    """The store to check claims against (``--table``, ``--bucket``, ``--expected-bucket-owner``,
    ``--mac-key``)."""

    table: str
    bucket: str | None = None
    expected_bucket_owner: str | None = None
    mac_key: str | None = None


def _client(aws: Aws, store: StoreOptions, stored: Any) -> Any:
    """A ClaimCheckClient for this one claim: the store's bucket, or the bucket the item names."""
    from ..runtime.client import ClaimCheckClient
    from ..runtime.config import ExtendedClientLocation

    bucket = store.bucket
    foreign: list[ExtendedClientLocation] = []
    if stored.integrity == "pointer" and stored.pointer is not None:
        # The operator reads with their own rights; the sender's bucket is named by the item itself.
        foreign.append(ExtendedClientLocation(bucket=stored.pointer.bucket))
    elif bucket is None:
        location = stored.packed[0] if stored.packed else stored.pointer
        bucket = location.bucket if location is not None else None
    return ClaimCheckClient(
        store.table,
        bucket,
        extended_client_buckets=foreign,
        expected_bucket_owner=store.expected_bucket_owner or aws.account,
        mac_key_id=store.mac_key,
        dynamodb_client=aws.client("dynamodb"),
        s3_client=aws.client("s3"),
        kms_client=aws.client("kms") if store.mac_key else None,
    )


def _item(aws: Aws, table: str, claim_id: str) -> dict[str, Any]:
    with aws_errors(f"table {table!r} in {aws.region}"):
        reply = aws.client("dynamodb").get_item(
            TableName=table, Key={PARTITION_KEY: {"S": claim_id}}, ConsistentRead=True
        )
    item = reply.get("Item")
    if item is None:
        raise UnknownClaimError(
            f"unknown claim {claim_id}: no item in table {table!r} (never issued into this store, or removed "
            "by its time to live)"
        )
    return dict(item)


def _where(stored: Any, aws: Aws, store: StoreOptions) -> tuple[str, str, int | None]:
    if stored.inline is not None:
        return "inline", f"dynamodb://{store.table}/{stored.id}", len(stored.inline)
    if stored.packed is not None:
        location, offset, length = stored.packed
        return "packed", f"s3://{location.bucket}/{location.key} bytes {offset}-{offset + length - 1}", length
    if stored.pointer is not None:
        kind = "foreign" if stored.integrity == "pointer" else "object"
        uri = f"s3://{stored.pointer.bucket}/{stored.pointer.key}"
        try:
            head = aws.client("s3").head_object(Bucket=stored.pointer.bucket, Key=stored.pointer.key)
            size: int | None = int(head["ContentLength"])
        except Exception:  # the report says "unknown"; the check below names the cause
            size = None
        return kind, uri, size
    return "nowhere", f"dynamodb://{store.table}/{stored.id} (item has no body)", None


def _check(aws: Aws, store: StoreOptions, value: Any, stored: Any) -> tuple[Any, str, str]:
    """(the redeemed payload or None, ``ok`` or the reason, what was checked)."""
    try:
        with aws_errors(f"claim {stored.id}"):
            payload = _client(aws, store, stored).redeem(value)
    except ClaimCheckError as error:
        return None, error.reason, error.detail
    if stored.integrity == "pointer":
        detail = (
            "size checked; an SQS Extended Client object carries no digest, so its content is not verified"
        )
    else:
        detail = f"{stored.size} bytes, SHA-256 matches the claim check and the item"
    return payload, "ok", detail


def inspect_claim(aws: Aws, store: StoreOptions, value: Any) -> ClaimReport:
    """Where the claim's payload is, its sizes, encoding, times and whether it redeems (size, digest, MAC).

    :raises OperatorError: for a value holding no claim check, a missing table or an unknown claim.
    """
    report, _ = _inspect(aws, store, value)
    return report


def _inspect(aws: Aws, store: StoreOptions, value: Any) -> tuple[ClaimReport, Any]:
    from ..runtime.claims import from_item
    from ..runtime.wire import parse_claim

    try:
        check, _ = parse_claim(value)
    except ClaimCheckError as error:
        raise OperatorError(f"CLAIM holds no valid claim check: {error.reason}: {error.detail}") from None
    item = _item(aws, store.table, check.id)
    try:
        stored = from_item(item)
    except (KeyError, ValueError, TypeError, ClaimCheckError):
        raise OperatorError(f"claim {check.id}: its store item is malformed (tampered)", 1) from None
    stored_in, location, stored_bytes = _where(stored, aws, store)
    payload, verdict, detail = _check(aws, store, value, stored)
    if check.mac is None:
        mac = "none"
    elif store.mac_key is None:
        mac = "present, not verified (pass --mac-key)"
    else:
        mac = "verified" if verdict not in ("forged", "malformed") else verdict
    created = item.get("created_at", {}).get("N")
    report = ClaimReport(
        claim_id=check.id,
        bytes=check.bytes,
        sha256=check.sha256,
        stored_in=stored_in,
        location=location,
        stored_bytes=stored_bytes,
        encoding=stored.encoding,
        created_at=int(created) if created is not None else None,
        expires_at=int(item[TTL_ATTRIBUTE]["N"]),
        check=verdict,
        detail=detail,
        mac=mac,
    )
    return report, payload


def redeem_claim(aws: Aws, store: StoreOptions, value: Any) -> bytes:
    """The claim's payload, byte-exact (UTF-8), once it has passed every check a retrieval makes.

    :raises OperatorError: as :func:`inspect_claim`, and (exit status 1) when the claim does not redeem.
    """
    report, payload = _inspect(aws, store, value)
    if payload is None:
        raise OperatorError(f"claim {report.claim_id} does not redeem: {report.check}: {report.detail}", 1)
    return str(payload.body).encode("utf-8")
