"""The runtime's environment contract, read and validated once, in one place.

The constructs set these variables on the Lambda functions (see ``docs/contract.md``); the
:class:`~.client.ClaimCheckClient` takes the same settings as arguments. A bad value raises
:class:`~.errors.ConfigError` naming the variable, so a misconfigured function fails its cold
start with a message that says what to fix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .errors import ConfigError

Compression = Literal["auto", "none"]
S3Layout = Literal["packed", "object"]

TABLE_NAME = "CLAIM_CHECK_TABLE_NAME"
BUCKET_NAME = "CLAIM_CHECK_BUCKET_NAME"
TTL_SECONDS = "CLAIM_CHECK_TTL_SECONDS"
COMPRESSION = "CLAIM_CHECK_COMPRESSION"
INLINE_LIMIT_BYTES = "CLAIM_CHECK_INLINE_LIMIT_BYTES"
S3_LAYOUT = "CLAIM_CHECK_S3_LAYOUT"
KEEP_FIELDS = "CLAIM_CHECK_KEEP_FIELDS"
DELETE_AFTER_RETRIEVAL = "CLAIM_CHECK_DELETE_AFTER_RETRIEVAL"

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
MIN_TTL_SECONDS = 60
MAX_TTL_SECONDS = 365 * 24 * 3600
# Below about 8 KB (after compression) a payload is cheaper as a DynamoDB item (1 KB write
# units at $0.625/M) than as an S3 object ($5/M PUTs); above it S3 wins.
DEFAULT_INLINE_LIMIT_WITH_BUCKET = 8192
# Keeps the stored body, its attributes and the attribute names under the 400 KB item limit.
MAX_INLINE_LIMIT_BYTES = 350_000


@dataclass(frozen=True)
class StoreSettings:
    """Where and how claims are stored.

    Attributes:
        table_name: DynamoDB table (partition key ``id``, TTL attribute ``expires_at``). Required.
        bucket_name: overflow S3 bucket; ``None`` (default) keeps every body in the item.
        ttl_seconds: lifetime of a claim, 60 .. 31,536,000; default 604,800 (7 days).
        compression: ``auto`` (default: zlib when it saves bytes) or ``none``.
        inline_limit_bytes: stored body size at or below which the body stays in the item;
            default 8192 with a bucket, 350,000 without. A larger body goes to the bucket, or
            fails with ``too_large`` when there is none.
        s3_layout: ``packed`` (default: one object per batch, one ranged GET per claim) or
            ``object`` (one object per payload, SQS Extended Client pointer form).
        keep_fields: field names (dotted paths allowed) copied from JSON-object bodies into the
            claim check's ``metadata``; default none.
    """

    table_name: str
    bucket_name: str | None = None
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    compression: Compression = "auto"
    inline_limit_bytes: int | None = None
    s3_layout: S3Layout = "packed"
    keep_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.table_name:
            raise ConfigError(TABLE_NAME, "is required (the claim-check DynamoDB table name)")
        if self.bucket_name is not None and not self.bucket_name:
            raise ConfigError(BUCKET_NAME, "is empty; leave it unset for no overflow bucket")
        if not MIN_TTL_SECONDS <= self.ttl_seconds <= MAX_TTL_SECONDS:
            raise ConfigError(
                TTL_SECONDS,
                f"{self.ttl_seconds} is out of range {MIN_TTL_SECONDS}..{MAX_TTL_SECONDS} seconds",
            )
        if self.compression not in ("auto", "none"):
            raise ConfigError(COMPRESSION, f"{self.compression!r} is not 'auto' or 'none'")
        if self.inline_limit_bytes is not None and not 0 <= self.inline_limit_bytes <= MAX_INLINE_LIMIT_BYTES:
            raise ConfigError(
                INLINE_LIMIT_BYTES, f"{self.inline_limit_bytes} is out of range 0..{MAX_INLINE_LIMIT_BYTES}"
            )
        if self.s3_layout not in ("packed", "object"):
            raise ConfigError(S3_LAYOUT, f"{self.s3_layout!r} is not 'packed' or 'object'")
        for field in self.keep_fields:
            if not isinstance(field, str) or not field or "" in field.split("."):
                raise ConfigError(KEEP_FIELDS, f"{field!r} is not a field name or dotted path")

    @property
    def effective_inline_limit(self) -> int:
        """The inline limit in force: the configured one, else the default for this bucket setting."""
        if self.inline_limit_bytes is not None:
            return self.inline_limit_bytes
        return DEFAULT_INLINE_LIMIT_WITH_BUCKET if self.bucket_name else MAX_INLINE_LIMIT_BYTES


@dataclass(frozen=True)
class RuntimeConfig:
    """Everything the handlers read from the environment.

    Attributes:
        store: the store settings.
        delete_after_retrieval: delete a claim once redeemed; default ``False`` (safe for fan-out
            and for a target delivery that fails and is retried).
    """

    store: StoreSettings
    delete_after_retrieval: bool = False


def load_config(environ: Mapping[str, str] | None = None) -> RuntimeConfig:
    """Read and validate the environment contract (``os.environ`` by default).

    Raises:
        ConfigError: naming the first variable with a bad value.
    """
    env = os.environ if environ is None else environ
    ttl_seconds = _integer(env, TTL_SECONDS)
    store = StoreSettings(
        table_name=env.get(TABLE_NAME, "").strip(),
        bucket_name=_optional(env, BUCKET_NAME),
        ttl_seconds=DEFAULT_TTL_SECONDS if ttl_seconds is None else ttl_seconds,
        compression=_choice(env, COMPRESSION, ("auto", "none"), "auto"),  # type: ignore[arg-type]
        inline_limit_bytes=_integer(env, INLINE_LIMIT_BYTES),
        s3_layout=_choice(env, S3_LAYOUT, ("packed", "object"), "packed"),  # type: ignore[arg-type]
        keep_fields=_keep_fields(env),
    )
    return RuntimeConfig(store=store, delete_after_retrieval=_boolean(env, DELETE_AFTER_RETRIEVAL, False))


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


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value not in allowed:
        raise ConfigError(name, f"{raw!r} is not one of {', '.join(allowed)}")
    return value


def _boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise ConfigError(name, f"{raw!r} is not 'true' or 'false'")
    return value == "true"


def _keep_fields(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get(KEEP_FIELDS)
    if raw is None or not raw.strip():
        return ()
    try:
        fields = json.loads(raw)
    except ValueError:
        raise ConfigError(
            KEEP_FIELDS, 'is not JSON; expected an array of field names like ["orderId"]'
        ) from None
    if not isinstance(fields, list) or not all(isinstance(field, str) for field in fields):
        raise ConfigError(KEEP_FIELDS, 'is not a JSON array of strings like ["orderId"]')
    return tuple(fields)
