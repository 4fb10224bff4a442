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
from enum import StrEnum
from typing import TypeVar

from .contract import (
    DEFAULT_INLINE_LIMIT_WITH_BUCKET,
    DEFAULT_TTL_SECONDS,
    ENV_BUCKET_NAME,
    ENV_COMPRESSION,
    ENV_DELETE_AFTER_RETRIEVAL,
    ENV_INLINE_LIMIT_BYTES,
    ENV_KEEP_FIELDS,
    ENV_S3_LAYOUT,
    ENV_TABLE_NAME,
    ENV_TTL_SECONDS,
    MAX_INLINE_LIMIT_BYTES,
    MAX_TTL_SECONDS,
    MIN_TTL_SECONDS,
    Compression,
    S3Layout,
)
from .errors import ConfigError

_Option = TypeVar("_Option", bound=StrEnum)


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
    """

    table_name: str
    bucket_name: str | None = None
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    compression: Compression = Compression.AUTO
    inline_limit_bytes: int | None = None
    s3_layout: S3Layout = S3Layout.PACKED
    keep_fields: tuple[str, ...] = ()

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
    :ivar delete_after_retrieval: delete a claim once redeemed; default ``False`` (safe for fan-out
        and for a target delivery that fails and is retried).
    """

    store: StoreSettings
    delete_after_retrieval: bool = False


def load_config(environ: Mapping[str, str] | None = None) -> RuntimeConfig:
    """Read and validate the environment contract (``os.environ`` by default).

    :raises ConfigError: naming the first variable with a bad value.
    """
    env = os.environ if environ is None else environ
    ttl_seconds = _integer(env, ENV_TTL_SECONDS)
    store = StoreSettings(
        table_name=env.get(ENV_TABLE_NAME, "").strip(),
        bucket_name=_optional(env, ENV_BUCKET_NAME),
        ttl_seconds=DEFAULT_TTL_SECONDS if ttl_seconds is None else ttl_seconds,
        compression=_choice(env, ENV_COMPRESSION, Compression, Compression.AUTO),
        inline_limit_bytes=_integer(env, ENV_INLINE_LIMIT_BYTES),
        s3_layout=_choice(env, ENV_S3_LAYOUT, S3Layout, S3Layout.PACKED),
        keep_fields=_keep_fields(env),
    )
    return RuntimeConfig(store=store, delete_after_retrieval=_boolean(env, ENV_DELETE_AFTER_RETRIEVAL, False))


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


def _boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise ConfigError(name, f"{raw!r} is not 'true' or 'false'")
    return value == "true"


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
