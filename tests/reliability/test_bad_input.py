"""Bad input: every body shape the wire format implies, claim checks with every field wrong, foreign pointers.

No store fault here; the rule is the same: complete and correct, or raise naming the record.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from reliability_helpers import Harness, noise, retrieval_batch, split_batch

from cdk_claim_check.local.lambda_harness import sqs_record
from cdk_claim_check.runtime import ClaimCheckError

POINTER = "software.amazon.payloadoffloading.PayloadS3Pointer"
LEGACY = "com.amazon.sqs.javamessaging.MessageS3Pointer"

# --- split: body shapes --------------------------------------------------------------------------

ROUND_TRIPPING_BODIES = {
    "empty": "",
    "whitespace": " \t\r\n ",
    "json_number": "42",
    "json_true": "true",
    "json_null": "null",
    "json_string": '"a string"',
    "json_nan_is_text": '{"a": NaN}',
    "unicode_astral": "\U0001f600 \u00e9\u4e2d",
    "escaped_astral_json": '{"e": "\\ud83d\\ude00"}',
    "nested_pointer_is_data": json.dumps({"payload": [POINTER, {"s3BucketName": "b", "s3Key": "k"}]}),
    "pointer_lookalike_class": json.dumps(["software.amazon.payloadoffloading.Other", {"s3Key": "k"}]),
    "huge_1_mib": "z" * (1 << 20),
    "deep_json": "[" * 200 + "]" * 200,
}


@pytest.mark.parametrize("body", ROUND_TRIPPING_BODIES.values(), ids=ROUND_TRIPPING_BODIES.keys())
def test_split_body_shape_round_trips(harness: Harness, body: str) -> None:
    assert harness.split_rule(split_batch(["first", body, "last"])).returned


REFUSED_BODIES = {
    "lone_surrogate": "abc\ud800def",
    "pointer_without_target": json.dumps([POINTER]),
    "pointer_target_not_object": json.dumps([POINTER, "s3://b/k"]),
    "pointer_without_key": json.dumps([POINTER, {"s3BucketName": "b"}]),
    "pointer_empty_bucket": json.dumps([LEGACY, {"s3BucketName": "", "s3Key": "k"}]),
    "pointer_three_elements": json.dumps([POINTER, {"s3BucketName": "b", "s3Key": "k"}, 1]),
}


@pytest.mark.parametrize("body", REFUSED_BODIES.values(), ids=REFUSED_BODIES.keys())
def test_split_bad_body_raises_malformed_naming_the_record(harness: Harness, body: str) -> None:
    records = [sqs_record("first"), sqs_record(body, message_id="m-1", md5_of_body="0" * 32)]
    outcome = harness.split(records)
    assert isinstance(outcome.error, ClaimCheckError), outcome
    assert (outcome.error.reason, outcome.error.position, outcome.error.message_id) == ("malformed", 1, "m-1")


def test_split_huge_body_without_bucket_raises_too_large(harness: Harness) -> None:
    harness.configure(CLAIM_CHECK_BUCKET_NAME=None)
    outcome = harness.split(split_batch(["ok", noise(480_000), "last"]))
    assert isinstance(outcome.error, ClaimCheckError)
    assert outcome.error.reason == "too_large"


# --- foreign pointers ----------------------------------------------------------------------------


@pytest.fixture
def producer(harness: Harness) -> str:
    """A producer's SQS Extended Client bucket, named to the handlers as the only one pointers may name."""
    bucket = f"{harness.resources.bucket_name}-producer"
    harness.resources.s3.create_bucket(Bucket=bucket)
    harness.configure(CLAIM_CHECK_EXTENDED_CLIENT_BUCKETS=json.dumps([{"bucket": bucket}]))
    return bucket


def _foreign(harness: Harness, bucket: str, content: str, cls: str = POINTER, **extra: Any) -> str:
    key = f"foreign/{len(content)}-{cls[-8:]}"
    harness.resources.s3.put_object(Bucket=bucket, Key=key, Body=content.encode())
    return json.dumps([cls, {"s3BucketName": bucket, "s3Key": key, **extra}])


def test_split_pointer_into_the_stores_own_bucket_is_refused(harness: Harness, producer: str) -> None:
    # A sender to the inbox must not make the retrieval deliver another claim's object.
    body = _foreign(harness, harness.resources.bucket_name, "someone else's claim")
    outcome = harness.split(split_batch(["first", body]))
    assert isinstance(outcome.error, ClaimCheckError)
    assert outcome.error.reason == "pointer_not_allowed"
    assert "record 1" in str(outcome.error)


def test_split_pointer_into_an_unnamed_bucket_is_refused(harness: Harness, producer: str) -> None:
    other = f"{harness.resources.bucket_name}-other"
    harness.resources.s3.create_bucket(Bucket=other)
    outcome = harness.split(split_batch([_foreign(harness, other, "not yours")]))
    assert isinstance(outcome.error, ClaimCheckError)
    assert outcome.error.reason == "pointer_not_allowed"


@pytest.mark.parametrize(
    ("cls", "extra"),
    [(POINTER, {}), (LEGACY, {}), (POINTER, {"region": "us-east-1", "x": [1]})],
    ids=["current_class", "legacy_class", "extra_fields"],
)
def test_split_foreign_pointer_redeems_the_senders_object(
    harness: Harness, producer: str, cls: str, extra: Any
) -> None:
    content = '{"big": "' + "p" * 5000 + '"}'
    body = _foreign(harness, producer, content, cls, **extra)
    outcome = harness.split_rule(split_batch(["first", body]), expected=["first", content])
    assert outcome.returned


def test_retrieval_foreign_pointer_object_gone_raises_missing(harness: Harness, producer: str) -> None:
    body = _foreign(harness, producer, "sender payload")
    _batch, checks = harness.issued([body])
    harness.resources.s3.delete_object(Bucket=producer, Key=json.loads(body)[1]["s3Key"])
    outcome = harness.retrieve(retrieval_batch(checks))
    assert isinstance(outcome.error, ClaimCheckError)
    assert outcome.error.reason == "missing"


def test_retrieval_foreign_pointer_declared_size_changed_raises_tampered(
    harness: Harness, producer: str
) -> None:
    body = _foreign(harness, producer, "sender payload")
    record = sqs_record(
        body,
        message_id="m-0",
        message_attributes={"ExtendedPayloadSize": {"stringValue": "14", "dataType": "Number"}},
    )
    checks = harness.split([record]).value
    key = json.loads(body)[1]["s3Key"]
    harness.resources.s3.put_object(Bucket=producer, Key=key, Body=b"sender payload, longer")
    outcome = harness.retrieve(retrieval_batch(checks))
    assert isinstance(outcome.error, ClaimCheckError)
    assert outcome.error.reason == "tampered"


# --- retrieval: claim checks with every field wrong ----------------------------------------------


def _mutated(check: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    claim = dict(check["claimCheck"])
    if value is _DROP:
        del claim[field]
    else:
        claim[field] = value
    return {**check, "claimCheck": claim}


_DROP = object()
WRONG_FIELDS = {
    "v_zero": ("v", 0, "unknown_version"),
    "v_two": ("v", 2, "unknown_version"),
    "v_string": ("v", "1", "unknown_version"),
    "v_true": ("v", True, "unknown_version"),
    "v_missing": ("v", _DROP, "unknown_version"),
    "id_short": ("id", "a" * 31, "malformed"),
    "id_long": ("id", "a" * 33, "malformed"),
    "id_uppercase": ("id", "A" * 32, "malformed"),
    "id_not_hex": ("id", "g" * 32, "malformed"),
    "id_number": ("id", 12345, "malformed"),
    "id_unknown": ("id", "0" * 32, "missing"),
    "bytes_negative": ("bytes", -1, "malformed"),
    "bytes_string": ("bytes", "12", "malformed"),
    "bytes_float": ("bytes", 12.0, "malformed"),
    "bytes_huge": ("bytes", 2**70, "tampered"),
    "bytes_off_by_one": ("bytes", "+1", "tampered"),
    "sha256_wrong": ("sha256", "0" * 64, "tampered"),
    "sha256_short": ("sha256", "0" * 63, "malformed"),
    "sha256_uppercase": ("sha256", "A" * 64, "malformed"),
    "sha256_missing": ("sha256", _DROP, "malformed"),
}


@pytest.mark.parametrize(("field", "value", "reason"), WRONG_FIELDS.values(), ids=WRONG_FIELDS.keys())
def test_retrieval_claim_check_field_wrong_raises_naming_the_record(
    harness: Harness, field: str, value: Any, reason: str
) -> None:
    batch, checks = harness.issued(["first", "second body"])
    if value == "+1":
        value = checks[1]["claimCheck"]["bytes"] + 1
    records = retrieval_batch([checks[0], _mutated(checks[1], field, value)])
    outcome = harness.retrieve(records)
    assert isinstance(outcome.error, ClaimCheckError), outcome
    assert (outcome.error.reason, outcome.error.position, outcome.error.message_id) == (reason, 1, "r-1")
    assert harness.retrieval_rule(batch, checks).returned


def _envelope(detail: Any) -> str:
    return json.dumps({"version": "0", "detail-type": "claim", "source": "app", "detail": detail})


WRONG_BODIES = {
    "not_json": lambda check: "claim please",
    "json_array": lambda check: json.dumps([check]),
    "claim_not_object": lambda check: json.dumps({"claimCheck": json.dumps(check["claimCheck"])}),
    "json_string_of_claim": lambda check: json.dumps(json.dumps(check)),
    "envelope_detail_empty": lambda check: _envelope({}),
    "envelope_detail_not_json": lambda check: _envelope("{not json"),
    "envelope_detail_list": lambda check: _envelope([check]),
    "envelope_detail_claim_only": lambda check: _envelope(check["claimCheck"]),
    "raw_sqs_pointer": lambda check: json.dumps([POINTER, {"s3BucketName": "b", "s3Key": "k"}]),
}


@pytest.mark.parametrize("make", WRONG_BODIES.values(), ids=WRONG_BODIES.keys())
def test_retrieval_body_holding_no_claim_raises_malformed(harness: Harness, make: Any) -> None:
    _batch, checks = harness.issued(["first", "second"])
    records = retrieval_batch(checks)
    records[1] = sqs_record(make(checks[1]), message_id="r-1")
    outcome = harness.retrieve(records)
    assert isinstance(outcome.error, ClaimCheckError), outcome
    assert (outcome.error.reason, outcome.error.position, outcome.error.message_id) == ("malformed", 1, "r-1")


ACCEPTED_BODIES = {
    "extra_fields_in_claim": lambda check: json.dumps(_mutated(check, "extra", "x")),
    "extra_top_level_fields": lambda check: json.dumps({**check, "other": 1}),
    "no_metadata": lambda check: json.dumps({"claimCheck": check["claimCheck"]}),
    "eventbridge_envelope": lambda check: _envelope(check),
    "eventbridge_envelope_detail_as_string": lambda check: _envelope(json.dumps(check)),
}


@pytest.mark.parametrize("make", ACCEPTED_BODIES.values(), ids=ACCEPTED_BODIES.keys())
def test_retrieval_claim_in_accepted_wrapping_redeems(harness: Harness, make: Any) -> None:
    _batch, checks = harness.issued(["first", '{"second": 2}'])
    records = [sqs_record(make(check), message_id=f"r-{i}") for i, check in enumerate(checks)]
    outcome = harness.retrieve(records)
    assert outcome.returned, outcome.error
    assert outcome.value == ["first", {"second": 2}]


def test_retrieval_claim_check_of_another_record_returns_that_records_payload_in_order(
    harness: Harness,
) -> None:
    _batch, checks = harness.issued(["first", "second"])
    outcome = harness.retrieve(retrieval_batch([checks[1], checks[0], checks[1]]))
    assert outcome.value == ["second", "first", "second"]
