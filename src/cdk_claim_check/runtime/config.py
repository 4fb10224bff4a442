"""The runtime's environment contract, read and validated once, in one place.

The constructs set these variables on the Lambda functions (see ``docs/contract.md``); the
:class:`~.client.ClaimCheckClient` takes the same settings as arguments. A bad value raises
:class:`~.errors.ConfigError` naming the variable, so a misconfigured function fails its cold
start with a message that says what to fix.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from .contract import (
    DEFAULT_FUNCTION_TIMEOUT_SECONDS,
    DEFAULT_INLINE_LIMIT_WITH_BUCKET,
    DEFAULT_TTL_SECONDS,
    ENV_BUCKET_NAME,
    ENV_CLAIM_MAC_KEY_ID,
    ENV_COMPRESSION,
    ENV_EXPECTED_BUCKET_OWNER,
    ENV_EXTENDED_CLIENT_BUCKETS,
    ENV_FUNCTION_TIMEOUT_SECONDS,
    ENV_INLINE_LIMIT_BYTES,
    ENV_KEEP_FIELDS,
    ENV_MAX_PAYLOAD_BYTES,
    ENV_REDEEMED_GRACE_SECONDS,
    ENV_S3_LAYOUT,
    ENV_TABLE_NAME,
    ENV_TTL_SECONDS,
    LAMBDA_MAX_TIMEOUT_SECONDS,
    MAX_EXTENDED_CLIENT_BUCKETS,
    MAX_INLINE_LIMIT_BYTES,
    MAX_REDEEMED_GRACE_SECONDS,
    MAX_TTL_SECONDS,
    MIN_REDEEMED_GRACE_SECONDS,
    MIN_TTL_SECONDS,
    SQS_MAX_MESSAGE_BYTES,
    Compression,
    S3Layout,
)
from .errors import ConfigError
from .wire import S3Location

_Option = TypeVar("_Option", bound=StrEnum)
_ACCOUNT = re.compile(r"[0-9]{12}")


@dataclass(frozen=True)
class ExtendedClientLocation:
    """A bucket (and key prefix) that SQS Extended Client pointers may name.

    :ivar bucket: the bucket name, compared exactly.
    :ivar prefix: keys must start with it; default ``""`` (any key of the bucket).
    :ivar owner: the account that must own the bucket (``ExpectedBucketOwner``); default ``None``,
        the store's expected owner.
    """

    bucket: str
    prefix: str = ""
    owner: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.bucket, str) or not self.bucket:
            raise ConfigError(ENV_EXTENDED_CLIENT_BUCKETS, "an entry has no bucket name")
        if not isinstance(self.prefix, str):
            raise ConfigError(ENV_EXTENDED_CLIENT_BUCKETS, f"the prefix of {self.bucket!r} is not a string")
        if self.owner is not None and not _ACCOUNT.fullmatch(str(self.owner)):
            raise ConfigError(
                ENV_EXTENDED_CLIENT_BUCKETS, f"the owner of {self.bucket!r} is not a 12-digit account"
            )

    def covers(self, location: S3Location) -> bool:
        """True for an object of this bucket (exact name) under this prefix."""
        return location.bucket == self.bucket and location.key.startswith(self.prefix)


@dataclass(frozen=True)
class StoreSettings:
    """Where and how claims are stored.

    :ivar table_name: DynamoDB table (partition key ``id``, TTL attribute ``expires_at``). Required.
    :ivar bucket_name: overflow S3 bucket; ``None`` (default) keeps every body in the item.
    :ivar ttl_seconds: lifetime of a claim, 60 .. 31,536,000; default 604,800 (7 days).
    :ivar compression: ``auto`` (default: zlib when it saves bytes) or ``none``.
    :ivar inline_limit_bytes: stored body size at or below which the body stays in the item;
        default 8192 with a bucket, 350,000 without. A larger body goes to the bucket, or
        fails with ``too_large`` when there is none.
    :ivar s3_layout: ``packed`` (default: one object per batch, one ranged GET per claim) or
        ``object`` (one object per payload, SQS Extended Client pointer form).
    :ivar keep_fields: field names (dotted paths allowed) copied from JSON-object bodies into the
        claim check's ``metadata``; default none.
    :ivar extended_client_buckets: the only buckets (and key prefixes) that a source message's SQS
        Extended Client pointer may name; default none (every such pointer is refused). The store's
        own bucket never counts, even if listed.
    :ivar expected_bucket_owner: the account sent as ``ExpectedBucketOwner`` on every S3 call to the
        store's bucket (and to the Extended Client buckets without an owner of their own); default
        ``None``: the account of the caller's credentials (STS ``GetCallerIdentity``, once).
    :ivar max_payload_bytes: the largest payload read from an object of its own; the read is a ranged
        GET of at most this many bytes (plus one, to detect a larger object); default 1 MiB.
    """

    table_name: str
    bucket_name: str | None = None
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    compression: Compression = Compression.AUTO
    inline_limit_bytes: int | None = None
    s3_layout: S3Layout = S3Layout.PACKED
    keep_fields: tuple[str, ...] = ()
    extended_client_buckets: tuple[ExtendedClientLocation, ...] = ()
    expected_bucket_owner: str | None = None
    max_payload_bytes: int = SQS_MAX_MESSAGE_BYTES

    def __post_init__(self) -> None:
        if not self.table_name:
            raise ConfigError(ENV_TABLE_NAME, "is required (the claim-check DynamoDB table name)")
        if self.bucket_name is not None and not self.bucket_name:
            raise ConfigError(ENV_BUCKET_NAME, "is empty; leave it unset for no overflow bucket")
        if not MIN_TTL_SECONDS <= self.ttl_seconds <= MAX_TTL_SECONDS:
            raise ConfigError(
                ENV_TTL_SECONDS,
                f"{self.ttl_seconds} is out of range {MIN_TTL_SECONDS}..{MAX_TTL_SECONDS} seconds",
            )
        if self.compression not in tuple(Compression):
            raise ConfigError(ENV_COMPRESSION, f"{self.compression!r} is not one of {', '.join(Compression)}")
        if self.inline_limit_bytes is not None and not 0 <= self.inline_limit_bytes <= MAX_INLINE_LIMIT_BYTES:
            raise ConfigError(
                ENV_INLINE_LIMIT_BYTES,
                f"{self.inline_limit_bytes} is out of range 0..{MAX_INLINE_LIMIT_BYTES}",
            )
        if self.s3_layout not in tuple(S3Layout):
            raise ConfigError(ENV_S3_LAYOUT, f"{self.s3_layout!r} is not one of {', '.join(S3Layout)}")
        for field in self.keep_fields:
            if not isinstance(field, str) or not field or "" in field.split("."):
                raise ConfigError(ENV_KEEP_FIELDS, f"{field!r} is not a field name or dotted path")
        if self.expected_bucket_owner is not None and not _ACCOUNT.fullmatch(self.expected_bucket_owner):
            raise ConfigError(
                ENV_EXPECTED_BUCKET_OWNER, f"{self.expected_bucket_owner!r} is not a 12-digit account"
            )
        if not 1 <= self.max_payload_bytes <= SQS_MAX_MESSAGE_BYTES:
            raise ConfigError(
                ENV_MAX_PAYLOAD_BYTES, f"{self.max_payload_bytes} is out of range 1..{SQS_MAX_MESSAGE_BYTES}"
            )
        if len(self.extended_client_buckets) > MAX_EXTENDED_CLIENT_BUCKETS:
            raise ConfigError(
                ENV_EXTENDED_CLIENT_BUCKETS, f"names more than {MAX_EXTENDED_CLIENT_BUCKETS} buckets"
            )

    def allowed_pointer(self, location: S3Location) -> ExtendedClientLocation | None:
        """The entry that lets an SQS Extended Client pointer name ``location``, or ``None``.

        A pointer into the store's own bucket is never allowed: a message must not choose which of the
        store's objects the retrieval reads.
        """
        if location.bucket == self.bucket_name:
            return None
        return next((entry for entry in self.extended_client_buckets if entry.covers(location)), None)

    @property
    def effective_inline_limit(self) -> int:
        """The inline limit in force: the configured one, else the default for this bucket setting."""
        if self.inline_limit_bytes is not None:
            return self.inline_limit_bytes
        return DEFAULT_INLINE_LIMIT_WITH_BUCKET if self.bucket_name else MAX_INLINE_LIMIT_BYTES


@dataclass(frozen=True)
class RuntimeConfig:
    """Everything the handlers read from the environment.

    :ivar store: the store settings.
    :ivar redeemed_grace_seconds: when set, a redeemed claim's expiry is shortened to this many
        seconds after its redemption (never lengthened), so a redelivered batch still redeems in
        that time; default ``None``, claims live their full time to live (safe for fan-out).
    :ivar function_timeout_seconds: the function's timeout, which bounds each AWS call with its
        retries; default 30.
    :ivar claim_mac_key_id: the KMS HMAC key the split MACs claim checks with and the retrieval checks
        them with; default ``None``, no MAC made or required.
    """

    store: StoreSettings
    redeemed_grace_seconds: int | None = None
    function_timeout_seconds: int = DEFAULT_FUNCTION_TIMEOUT_SECONDS
    claim_mac_key_id: str | None = None

    def __post_init__(self) -> None:
        grace = self.redeemed_grace_seconds
        if grace is not None and not MIN_REDEEMED_GRACE_SECONDS <= grace <= MAX_REDEEMED_GRACE_SECONDS:
            raise ConfigError(
                ENV_REDEEMED_GRACE_SECONDS,
                f"{grace} is out of range {MIN_REDEEMED_GRACE_SECONDS}..{MAX_REDEEMED_GRACE_SECONDS} seconds",
            )
        if not 1 <= self.function_timeout_seconds <= LAMBDA_MAX_TIMEOUT_SECONDS:
            raise ConfigError(
                ENV_FUNCTION_TIMEOUT_SECONDS,
                f"{self.function_timeout_seconds} is out of range 1..{LAMBDA_MAX_TIMEOUT_SECONDS} seconds",
            )
        key = self.claim_mac_key_id
        if key is not None and (not key or any(character.isspace() for character in key)):
            raise ConfigError(ENV_CLAIM_MAC_KEY_ID, f"{key!r} is not a KMS key id or ARN")


def load_config(environ: Mapping[str, str] | None = None) -> RuntimeConfig:
    """Read and validate the environment contract (``os.environ`` by default).

    :raises ConfigError: naming the first variable with a bad value.
    """
    env = os.environ if environ is None else environ
    ttl_seconds = _integer(env, ENV_TTL_SECONDS)
    max_payload = _integer(env, ENV_MAX_PAYLOAD_BYTES)
    store = StoreSettings(
        table_name=env.get(ENV_TABLE_NAME, "").strip(),
        bucket_name=_optional(env, ENV_BUCKET_NAME),
        ttl_seconds=DEFAULT_TTL_SECONDS if ttl_seconds is None else ttl_seconds,
        compression=_choice(env, ENV_COMPRESSION, Compression, Compression.AUTO),
        inline_limit_bytes=_integer(env, ENV_INLINE_LIMIT_BYTES),
        s3_layout=_choice(env, ENV_S3_LAYOUT, S3Layout, S3Layout.PACKED),
        keep_fields=_keep_fields(env),
        extended_client_buckets=_extended_client_buckets(env),
        expected_bucket_owner=_optional(env, ENV_EXPECTED_BUCKET_OWNER),
        max_payload_bytes=SQS_MAX_MESSAGE_BYTES if max_payload is None else max_payload,
    )
    timeout = _integer(env, ENV_FUNCTION_TIMEOUT_SECONDS)
    return RuntimeConfig(
        store=store,
        redeemed_grace_seconds=_integer(env, ENV_REDEEMED_GRACE_SECONDS),
        function_timeout_seconds=DEFAULT_FUNCTION_TIMEOUT_SECONDS if timeout is None else timeout,
        claim_mac_key_id=_optional(env, ENV_CLAIM_MAC_KEY_ID),
    )


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ConfigError(name, "is empty; leave it unset instead")
    return value


def _integer(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw.strip(), 10)
    except ValueError:
        raise ConfigError(name, f"{raw!r} is not an integer") from None


def _choice(env: Mapping[str, str], name: str, options: type[_Option], default: _Option) -> _Option:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return options(raw.strip().lower())
    except ValueError:
        raise ConfigError(name, f"{raw!r} is not one of {', '.join(options)}") from None


def _extended_client_buckets(env: Mapping[str, str]) -> tuple[ExtendedClientLocation, ...]:
    raw = env.get(ENV_EXTENDED_CLIENT_BUCKETS)
    if raw is None or not raw.strip():
        return ()
    expected = 'a JSON array like [{"bucket": "b", "prefix": "p/", "owner": "123456789012"}]'
    try:
        entries = json.loads(raw)
    except ValueError:
        raise ConfigError(ENV_EXTENDED_CLIENT_BUCKETS, f"is not JSON; expected {expected}") from None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ConfigError(ENV_EXTENDED_CLIENT_BUCKETS, f"is not {expected}")
    return tuple(
        ExtendedClientLocation(entry.get("bucket", ""), entry.get("prefix", ""), entry.get("owner") or None)
        for entry in entries
    )


def _keep_fields(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get(ENV_KEEP_FIELDS)
    if raw is None or not raw.strip():
        return ()
    try:
        fields = json.loads(raw)
    except ValueError:
        raise ConfigError(
            ENV_KEEP_FIELDS, 'is not JSON; expected an array of field names like ["orderId"]'
        ) from None
    if not isinstance(fields, list) or not all(isinstance(field, str) for field in fields):
        raise ConfigError(ENV_KEEP_FIELDS, 'is not a JSON array of strings like ["orderId"]')
    return tuple(fields)
