"""ExtendedClientBucket: a bucket (and key prefix) whose SQS Extended Client pointers the pipes honour.

A source message that is an SQS Extended Client pointer names an S3 object, and the retrieval reads
that object with its own role. So a pointer is honoured only into the buckets and key prefixes that
the stack names for that purpose, never into the store's own bucket: a message that can be sent to the
inbox must never choose what the retrieval role reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ._kms_grants import bucket_key_statement
from ._nag import acknowledge_wildcard_resource
from ._prop_types import checked_props
from ._resource_identity import same_bucket
from .runtime.contract import MAX_EXTENDED_CLIENT_BUCKETS
from .store import IClaimCheckStore

_ACCOUNT = re.compile(r"[0-9]{12}")
_MAX_KEY_PREFIX_CHARS = 512
_PREFIX_READ_REASON = (
    "SQS Extended Client senders choose their object keys at run time; the grant is confined to the key "
    "prefix named for them in this one bucket, and to s3:GetObject."
)


class ExtendedClientBucket:
    """A bucket, and optionally a key prefix, where SQS Extended Client senders put payloads.

    Pass it (or a plain ``s3.IBucket``, meaning every key of the bucket) in ``extended_client_buckets``
    of both pipes. The split then claims only pointers into it, and the retrieval reads only there,
    with ``s3:GetObject`` on ``<bucket>/<key_prefix>*``, ``ExpectedBucketOwner`` set, and a read bounded
    by ``max_payload_size``.
    """

    @checked_props
    def __init__(self, bucket: s3.IBucket, *, key_prefix: str = "", owner_account: str | None = None) -> None:
        """Name a bucket (and key prefix) for SQS Extended Client pointers.

        :param bucket: the bucket the senders write to (created in the app or imported). Not the
            store's own bucket.
        :param key_prefix: pointers must name keys that start with it, e.g. ``"orders/"``. Default:
            ``""`` (any key of the bucket). No IAM wildcards (``*``, ``?``).
        :param owner_account: the account that must own the bucket (sent as ``ExpectedBucketOwner``).
            Default: None, the stack's account.
        """
        if (
            not isinstance(key_prefix, str)
            or len(key_prefix) > _MAX_KEY_PREFIX_CHARS
            or set("*?") & set(key_prefix)
        ):
            raise ValueError(
                f"key_prefix={key_prefix!r} must be a string of at most {_MAX_KEY_PREFIX_CHARS} characters "
                "without the IAM wildcards '*' and '?'; pass the literal start of the keys, e.g. 'orders/'"
            )
        concrete_owner = owner_account is not None and not Token.is_unresolved(owner_account)
        if concrete_owner and not _ACCOUNT.fullmatch(str(owner_account)):
            raise ValueError(f"owner_account={owner_account!r} is not a 12-digit AWS account id")
        self._bucket = bucket
        self._key_prefix = key_prefix
        self._owner_account = owner_account

    @property
    def bucket(self) -> s3.IBucket:
        """The bucket."""
        return self._bucket

    @property
    def key_prefix(self) -> str:
        """The start that the keys must have ("" for any key)."""
        return self._key_prefix

    @property
    def owner_account(self) -> str | None:
        """The account that must own the bucket, or None for the stack's account."""
        return self._owner_account


def resolve_extended_client_buckets(
    store: IClaimCheckStore, buckets: Sequence[ExtendedClientBucket | s3.IBucket]
) -> list[ExtendedClientBucket]:
    """The ``extended_client_buckets`` prop, checked: a ValueError names the prop and the fix."""
    if isinstance(buckets, str) or not isinstance(buckets, Sequence):
        raise ValueError("extended_client_buckets must be a list of ExtendedClientBucket or s3.IBucket")
    if len(buckets) > MAX_EXTENDED_CLIENT_BUCKETS:
        raise ValueError(
            f"extended_client_buckets names {len(buckets)} buckets, more than {MAX_EXTENDED_CLIENT_BUCKETS} "
            "(each takes room in the 4 KB Lambda environment); use a shared bucket with key prefixes"
        )
    resolved = [
        entry if isinstance(entry, ExtendedClientBucket) else ExtendedClientBucket(entry) for entry in buckets
    ]
    own = store.bucket
    for entry in resolved:
        if own is not None and same_bucket(entry.bucket, own):
            raise ValueError(
                "extended_client_buckets names the store's own bucket; pointers into it would let any sender "
                "have another claim's payload delivered. Drop it, and let senders use a bucket of their own"
            )
    return resolved


def extended_client_environment(scope: Construct, buckets: Sequence[ExtendedClientBucket]) -> str:
    """The JSON list of ``{"bucket", "prefix"[, "owner"]}`` the runtime reads (tokens resolve at deploy)."""
    entries: list[dict[str, Any]] = []
    for entry in buckets:
        listed: dict[str, Any] = {"bucket": entry.bucket.bucket_name, "prefix": entry.key_prefix}
        if entry.owner_account is not None:
            listed["owner"] = entry.owner_account
        entries.append(listed)
    if not entries:
        return "[]"
    return Stack.of(scope).to_json_string(entries)


def extended_client_read_statements(
    scope: Construct, buckets: Sequence[ExtendedClientBucket]
) -> list[iam.PolicyStatement]:
    """``s3:GetObject`` on each bucket's key prefix only, and ``kms:Decrypt`` of its key for those
    objects only (through S3)."""
    statements = []
    for entry in buckets:
        objects = entry.bucket.arn_for_objects(f"{entry.key_prefix}*")
        statements.append(iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects]))
        acknowledge_wildcard_resource(scope, objects, _PREFIX_READ_REASON)
        if entry.bucket.encryption_key is not None:
            statements.append(
                bucket_key_statement(
                    scope, entry.bucket.encryption_key, entry.bucket, "kms:Decrypt", f"{entry.key_prefix}*"
                )
            )
    return statements
