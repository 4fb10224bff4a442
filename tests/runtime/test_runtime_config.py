"""The environment contract: defaults, and a bad value fails naming its variable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_claim_check.runtime import ConfigError, load_config, split
from cdk_claim_check.runtime.config import ExtendedClientLocation

TABLE = {"CLAIM_CHECK_TABLE_NAME": "claims"}


def test_defaults_follow_the_contract_with_only_a_table_name() -> None:
    config = load_config(TABLE)
    assert config.store.table_name == "claims"
    assert config.store.bucket_name is None
    assert config.store.ttl_seconds == 604_800
    assert config.store.compression == "auto"
    assert config.store.s3_layout == "packed"
    assert config.store.keep_fields == ()
    assert config.store.extended_client_buckets == ()
    assert config.store.expected_bucket_owner is None
    assert config.store.max_payload_bytes == 1_048_576
    assert config.redeemed_grace_seconds is None
    assert config.function_timeout_seconds == 30


def test_inline_limit_defaults_to_8192_with_a_bucket_and_350000_without() -> None:
    assert load_config({**TABLE, "CLAIM_CHECK_BUCKET_NAME": "b"}).store.effective_inline_limit == 8192
    assert load_config(TABLE).store.effective_inline_limit == 350_000


def test_every_variable_is_read() -> None:
    config = load_config(
        {
            **TABLE,
            "CLAIM_CHECK_BUCKET_NAME": "overflow",
            "CLAIM_CHECK_TTL_SECONDS": "3600",
            "CLAIM_CHECK_COMPRESSION": "none",
            "CLAIM_CHECK_INLINE_LIMIT_BYTES": "0",
            "CLAIM_CHECK_S3_LAYOUT": "object",
            "CLAIM_CHECK_KEEP_FIELDS": '["orderId", "customer.tier"]',
            "CLAIM_CHECK_REDEEMED_GRACE_SECONDS": "600",
            "CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS": json.dumps(
                [{"bucket": "in", "prefix": "p/", "owner": "111122223333"}]
            ),
            "CLAIM_CHECK_EXPECTED_BUCKET_OWNER": "123456789012",
            "CLAIM_CHECK_MAX_PAYLOAD_BYTES": "1000",
            "CLAIM_CHECK_FUNCTION_TIMEOUT_SECONDS": "60",
        }
    )
    assert config.store.bucket_name == "overflow"
    assert config.store.ttl_seconds == 3600
    assert config.store.compression == "none"
    assert config.store.effective_inline_limit == 0
    assert config.store.s3_layout == "object"
    assert config.store.keep_fields == ("orderId", "customer.tier")
    assert config.redeemed_grace_seconds == 600
    assert config.store.extended_client_buckets == (ExtendedClientLocation("in", "p/", "111122223333"),)
    assert config.store.expected_bucket_owner == "123456789012"
    assert config.store.max_payload_bytes == 1000
    assert config.function_timeout_seconds == 60


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CLAIM_CHECK_TABLE_NAME", ""),
        ("CLAIM_CHECK_BUCKET_NAME", "  "),
        ("CLAIM_CHECK_TTL_SECONDS", "a week"),
        ("CLAIM_CHECK_TTL_SECONDS", "59"),
        ("CLAIM_CHECK_TTL_SECONDS", "31536001"),
        ("CLAIM_CHECK_COMPRESSION", "gzip"),
        ("CLAIM_CHECK_INLINE_LIMIT_BYTES", "-1"),
        ("CLAIM_CHECK_INLINE_LIMIT_BYTES", "350001"),
        ("CLAIM_CHECK_INLINE_LIMIT_BYTES", "8k"),
        ("CLAIM_CHECK_S3_LAYOUT", "striped"),
        ("CLAIM_CHECK_KEEP_FIELDS", "orderId"),
        ("CLAIM_CHECK_KEEP_FIELDS", '{"orderId": true}'),
        ("CLAIM_CHECK_KEEP_FIELDS", '["a..b"]'),
        ("CLAIM_CHECK_REDEEMED_GRACE_SECONDS", "59"),
        ("CLAIM_CHECK_REDEEMED_GRACE_SECONDS", "1209601"),
        ("CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS", "bucket"),
        ("CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS", '[{"prefix": "p/"}]'),
        ("CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS", '[{"bucket": "b", "owner": "me"}]'),
        ("CLAIM_CHECK_EXPECTED_BUCKET_OWNER", "12345"),
        ("CLAIM_CHECK_MAX_PAYLOAD_BYTES", "0"),
        ("CLAIM_CHECK_MAX_PAYLOAD_BYTES", "1048577"),
        ("CLAIM_CHECK_FUNCTION_TIMEOUT_SECONDS", "901"),
    ],
)
def test_bad_value_fails_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({**TABLE, variable: value})
    assert raised.value.variable == variable
    assert str(raised.value).startswith(f"{variable}: ")


def test_missing_table_name_fails_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^CLAIM_CHECK_TABLE_NAME: is required"):
        load_config({})


def test_handler_cold_start_fails_naming_the_bad_variable(
    configure_runtime: Any, lambda_context: Any
) -> None:
    configure_runtime(CLAIM_CHECK_S3_LAYOUT="striped")
    with pytest.raises(ConfigError, match="CLAIM_CHECK_S3_LAYOUT"):
        split.handler([], lambda_context)
