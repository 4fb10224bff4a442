"""Wire format v1, SQS Extended Client pointers and the codec: pure functions, no I/O."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_claim_check.runtime import ClaimCheck, ClaimCheckError, claim_id, parse_claim_check
from cdk_claim_check.runtime.codec import classify, compress, decompress, may_be_pointer
from cdk_claim_check.runtime.wire import (
    POINTER_CLASSES,
    S3Location,
    declared_payload_size,
    extract_metadata,
    format_extended_pointer,
    parse_extended_pointer,
)

CHECK = ClaimCheck(id="0123456789abcdef0123456789abcdef", bytes=5, sha256="a" * 64)
WIRE_OBJECT = CHECK.to_wire({"orderId": "o-1"})


def test_claim_id_is_32_hex_chars_of_sha256_of_arn_and_message_id() -> None:
    import hashlib

    expected = hashlib.sha256(b"arn:aws:sqs:us-east-1:1:q/m-1").hexdigest()[:32]
    assert claim_id("arn:aws:sqs:us-east-1:1:q", "m-1") == expected


def test_claim_id_differs_between_queues_for_the_same_message_id() -> None:
    assert claim_id("arn:aws:sqs:us-east-1:1:a", "m-1") != claim_id("arn:aws:sqs:us-east-1:1:b", "m-1")


def test_wire_object_has_version_id_bytes_digest_and_metadata() -> None:
    wire = CHECK.to_wire({"orderId": "o-1"})
    assert wire == {
        "claimCheck": {"v": 1, "id": CHECK.id, "bytes": 5, "sha256": "a" * 64},
        "metadata": {"orderId": "o-1"},
    }


@pytest.mark.parametrize(
    "carrier",
    [
        pytest.param(WIRE_OBJECT, id="bare"),
        pytest.param(json.dumps(WIRE_OBJECT), id="json-string"),
        pytest.param({"detail-type": "OrderReceived", "detail": WIRE_OBJECT}, id="eventbridge-envelope"),
        pytest.param(json.dumps({"source": "shop", "detail": WIRE_OBJECT}), id="envelope-as-json-string"),
        pytest.param({"detail": json.dumps(WIRE_OBJECT)}, id="envelope-with-string-detail"),
    ],
)
def test_claim_check_is_found_bare_or_in_an_envelope(carrier: Any) -> None:
    assert parse_claim_check(carrier) == CHECK


def test_message_group_travels_in_the_claim_check_and_is_optional() -> None:
    grouped = ClaimCheck(id=CHECK.id, bytes=5, sha256="a" * 64, group="customer-7")
    wire = grouped.to_wire()
    assert wire["claimCheck"]["group"] == "customer-7"
    assert parse_claim_check(wire) == grouped
    assert "group" not in CHECK.to_wire()["claimCheck"]
    assert parse_claim_check(CHECK.to_wire()).group is None


def test_unknown_version_is_refused_as_unknown_version() -> None:
    with pytest.raises(ClaimCheckError) as raised:
        parse_claim_check({"claimCheck": {**WIRE_OBJECT["claimCheck"], "v": 2}})
    assert raised.value.reason == "unknown_version"


@pytest.mark.parametrize(
    "carrier",
    [
        pytest.param("not json", id="not-json"),
        pytest.param({"detail": {"orderId": "o-1"}}, id="envelope-without-claim-check"),
        pytest.param({"claimCheck": {**WIRE_OBJECT["claimCheck"], "id": "../../etc"}}, id="bad-id"),
        pytest.param({"claimCheck": {**WIRE_OBJECT["claimCheck"], "bytes": -1}}, id="negative-bytes"),
        pytest.param({"claimCheck": {**WIRE_OBJECT["claimCheck"], "sha256": "xyz"}}, id="bad-digest"),
        pytest.param({"claimCheck": "abc"}, id="not-an-object"),
        pytest.param({"claimCheck": {**WIRE_OBJECT["claimCheck"], "group": ""}}, id="empty-group"),
        pytest.param({"claimCheck": {**WIRE_OBJECT["claimCheck"], "group": 7}}, id="group-not-a-string"),
        pytest.param({"claimCheck": {**WIRE_OBJECT["claimCheck"], "group": "g" * 129}}, id="group-too-long"),
    ],
)
def test_malformed_claim_check_is_refused_as_malformed(carrier: Any) -> None:
    with pytest.raises(ClaimCheckError) as raised:
        parse_claim_check(carrier)
    assert raised.value.reason == "malformed"


def test_metadata_keeps_present_fields_and_dotted_paths_and_omits_absent_ones() -> None:
    document = {"orderId": "o-1", "customer": {"tier": "gold"}, "secret": "x"}
    kept = extract_metadata(document, ["orderId", "customer.tier", "absent", "customer.absent"])
    assert kept == {"orderId": "o-1", "customer.tier": "gold"}


def test_metadata_is_empty_for_a_body_that_is_not_a_json_object() -> None:
    assert extract_metadata([{"orderId": "o-1"}], ["orderId"]) == {}
    assert extract_metadata(None, ["orderId"]) == {}


@pytest.mark.parametrize(
    "body",
    [
        '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"b","s3Key":"k"}]',
        '["software.amazon.payloadoffloading.PayloadS3Pointer", {"s3BucketName": "b", "s3Key": "k"}]',
        '["com.amazon.sqs.javamessaging.MessageS3Pointer",{"s3BucketName":"b","s3Key":"k","extra":1}]',
    ],
)
def test_extended_client_pointer_is_recognised_in_both_class_names_and_spacings(body: str) -> None:
    assert parse_extended_pointer(json.loads(body)) == S3Location("b", "k")


@pytest.mark.parametrize(
    ("body", "candidate"),
    [
        ('["software.amazon.payloadoffloading.PayloadS3Pointer",{}]', True),
        ('\r\n\t [ \n"com.amazon.sqs.javamessaging.MessageS3Pointer" , {}]', True),
        ('["\\u0063om.amazon.sqs.javamessaging.MessageS3Pointer",{}]', True),  # an escape: parse to see
        ('["software.amazon.payloadoffloading.PayloadS3Pointer2",{}]', False),
        ('["just", "data"]', False),
        ('{"software.amazon.payloadoffloading.PayloadS3Pointer": 1}', False),
        ('[1, "software.amazon.payloadoffloading.PayloadS3Pointer"]', False),
        ('["' + "x" * 100 + '\\u0041"]', False),  # longer than any class name before its escape
        ("", False),
        ("not json", False),
    ],
)
def test_only_bodies_that_may_be_a_pointer_are_candidates_for_a_parse(body: str, candidate: bool) -> None:
    assert may_be_pointer(body, POINTER_CLASSES) is candidate
    if not candidate:  # never a false negative: whatever it parses to is no pointer
        try:
            document = json.loads(body)
        except ValueError:
            return
        assert not (isinstance(document, list) and document and document[0] in POINTER_CLASSES)


def test_a_json_array_that_is_not_a_pointer_is_not_one() -> None:
    assert parse_extended_pointer(["just", "data"]) is None
    assert parse_extended_pointer([{"unhashable": "first element"}, 1]) is None
    assert parse_extended_pointer([]) is None
    assert parse_extended_pointer({"s3BucketName": "b", "s3Key": "k"}) is None


def test_pointer_without_bucket_is_malformed() -> None:
    with pytest.raises(ClaimCheckError) as raised:
        parse_extended_pointer(["software.amazon.payloadoffloading.PayloadS3Pointer", {"s3Key": "k"}])
    assert raised.value.reason == "malformed"


def test_written_pointer_is_the_compact_java_form() -> None:
    assert format_extended_pointer(S3Location("b", "k")) == (
        '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"b","s3Key":"k"}]'
    )


@pytest.mark.parametrize(
    "attributes",
    [
        {"ExtendedPayloadSize": {"stringValue": "300000", "dataType": "Number"}},
        {"SQSLargePayloadSize": {"stringValue": "300000", "dataType": "Number"}},
        {"ExtendedPayloadSize": {"StringValue": "300000", "DataType": "Number"}},
    ],
)
def test_declared_payload_size_is_read_from_either_attribute_and_shape(attributes: dict[str, Any]) -> None:
    assert declared_payload_size(attributes) == 300_000


def test_declared_payload_size_is_none_without_the_attribute() -> None:
    assert declared_payload_size({"other": {"stringValue": "1"}}) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"a": 1}', "json"),
        ("[1, 2]", "json"),
        ("42", "text"),
        ('"quoted"', "text"),
        ("", "text"),
        ("[NaN]", "text"),
        ("{not json", "text"),
        ("[" * 100_000, "text"),
    ],
)
def test_only_json_objects_and_arrays_are_json(body: str, expected: str) -> None:
    assert classify(body)[0] == expected


def test_auto_compression_uses_zlib_when_smaller_and_round_trips() -> None:
    raw = b"repeat me " * 1000
    encoding, stored = compress(raw, "auto")
    assert encoding == "zlib"
    assert len(stored) < len(raw)
    assert decompress(encoding, stored, len(raw)) == raw


def test_compression_none_keeps_identity() -> None:
    raw = b"repeat me " * 1000
    assert compress(raw, "none") == ("identity", raw)


def test_incompressible_bytes_stay_identity_under_auto() -> None:
    raw = bytes(range(256)) * 2
    import random

    shuffled = bytearray(raw)
    random.Random(7).shuffle(shuffled)
    assert compress(bytes(shuffled), "auto")[0] == "identity"


def test_decompression_stops_after_the_expected_size() -> None:
    bomb = compress(b"\0" * 10_000_000, "auto")[1]
    assert len(decompress("zlib", bomb, 1000)) == 1001


def test_high_entropy_text_is_huffman_coded_smaller_and_inflates_with_the_plain_decoder() -> None:
    import base64
    import random
    import zlib

    raw = base64.b64encode(random.Random(11).randbytes(150_000))
    encoding, stored = compress(raw, "auto")
    assert encoding == "zlib"
    assert len(stored) <= len(zlib.compress(raw, 1))  # Huffman alone loses nothing on base64
    assert zlib.decompress(stored) == raw
    assert decompress(encoding, stored, len(raw)) == raw


def test_a_body_that_starts_random_and_then_repeats_still_round_trips_smaller() -> None:
    import base64
    import random

    raw = base64.b64encode(random.Random(12).randbytes(9_000)) + b"repeat me " * 20_000
    encoding, stored = compress(raw, "auto")
    assert encoding == "zlib"
    assert len(stored) < len(raw)
    assert decompress(encoding, stored, len(raw)) == raw
