"""ClaimCheckClient against a moto server: both S3 layouts, compression, attributes, write order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cdk_claim_check.runtime import ClaimCheckClient, ClaimCheckError, ClaimRequest
from cdk_claim_check.runtime.storage import AwsClaimStore
from cdk_claim_check.runtime.wire import EXTENDED_POINTER_CLASS, S3Location


def _item(resources: Any, check: dict[str, Any]) -> dict[str, Any]:
    key = {"id": {"S": check["claimCheck"]["id"]}}
    return dict(resources.dynamodb.get_item(TableName=resources.table_name, Key=key)["Item"])


def _objects(resources: Any) -> list[str]:
    listed = resources.s3.list_objects_v2(Bucket=resources.bucket_name)
    return [entry["Key"] for entry in listed.get("Contents", [])]


def _incompressible(size: int, seed: int) -> str:
    import random

    generator = random.Random(seed)
    return "".join(generator.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(size))


def test_packed_layout_writes_one_object_per_batch_and_redeems_each_claim_by_range(
    claim_check_resources: Any,
) -> None:
    client = claim_check_resources.client(s3_layout="packed", compression="none")
    bodies = [_incompressible(20_000 + index, seed=index) for index in range(5)]
    issued = client.issue_batch([ClaimRequest(body) for body in bodies])
    assert issued.s3_puts == 1
    assert len(_objects(claim_check_resources)) == 1
    locations = [_item(claim_check_resources, check)["s3"]["M"] for check in issued.claim_checks]
    assert [int(location["offset"]["N"]) for location in locations] == [
        sum(20_000 + earlier for earlier in range(index)) for index in range(5)
    ]
    assert client.redeem(issued.claim_checks[3]).body == bodies[3]
    assert [payload.body for payload in client.redeem_batch(issued.claim_checks)] == bodies


def test_object_layout_writes_one_extended_client_object_per_payload(claim_check_resources: Any) -> None:
    client = claim_check_resources.client(s3_layout="object", compression="none")
    bodies = ['{"orderId": "o-1", "pad": "' + "p" * 20_000 + '"}', _incompressible(30_000, seed=1)]
    checks = client.issue_batch([ClaimRequest(body) for body in bodies]).claim_checks
    assert len(_objects(claim_check_resources)) == 2
    pointer = json.loads(_item(claim_check_resources, checks[0])["pointer"]["S"])
    assert pointer[0] == EXTENDED_POINTER_CLASS
    # Any SQS Extended Client can read the object: it holds the plain body.
    stored = claim_check_resources.s3.get_object(Bucket=pointer[1]["s3BucketName"], Key=pointer[1]["s3Key"])
    assert stored["Body"].read().decode() == bodies[0]
    assert [payload.body for payload in client.redeem_batch(checks)] == bodies


def test_compression_on_stores_fewer_bytes_than_the_body(claim_check_resources: Any) -> None:
    client = claim_check_resources.client(compression="auto")
    body = json.dumps([{"orderId": f"o-{index}", "status": "RECEIVED"} for index in range(500)])
    check = client.put(body)
    item = _item(claim_check_resources, check)
    assert item["encoding"]["S"] == "zlib"
    assert len(item["body"]["B"]) < len(body) // 5
    assert client.redeem(check).body == body


def test_compression_off_stores_the_body_as_is(claim_check_resources: Any) -> None:
    client = claim_check_resources.client(compression="none")
    body = "x" * 5000
    check = client.put(body)
    item = _item(claim_check_resources, check)
    assert item["encoding"]["S"] == "identity"
    assert item["body"]["B"] == body.encode()
    assert client.redeem(check).body == body


def test_compression_decides_whether_a_body_fits_inline(claim_check_resources: Any) -> None:
    body = "compressible " * 2000  # 26 KB, far below 8 KB once compressed
    assert "body" in _item(claim_check_resources, claim_check_resources.client().put(body))
    uncompressed = claim_check_resources.client(compression="none").put(body)
    assert "s3" in _item(claim_check_resources, uncompressed)


def test_message_attributes_are_restored_on_redeem(claim_check_resources: Any) -> None:
    client = claim_check_resources.client()
    attributes = {"origin": {"stringValue": "web", "dataType": "String"}}
    check = client.put('{"orderId": "o-1"}', message_attributes=attributes)
    payload = client.redeem(check)
    assert payload.message_attributes == attributes
    assert payload.value == {"orderId": "o-1"}
    assert payload.body_format == "json"


def test_put_with_message_id_is_deterministic_and_idempotent(claim_check_resources: Any) -> None:
    client = claim_check_resources.client()
    first = client.put("same body", message_id="m-1", source_arn="arn:q")
    assert client.put("same body", message_id="m-1", source_arn="arn:q") == first
    with pytest.raises(ClaimCheckError) as raised:
        client.put("other body", message_id="m-1", source_arn="arn:q")
    assert raised.value.reason == "conflict"


def test_put_without_message_id_issues_a_fresh_claim_each_time(claim_check_resources: Any) -> None:
    client = claim_check_resources.client()
    assert client.put("body")["claimCheck"]["id"] != client.put("body")["claimCheck"]["id"]


def test_client_without_bucket_keeps_everything_in_the_table(claim_check_resources: Any) -> None:
    client = claim_check_resources.client(bucket_name=None)
    body = _incompressible(100_000, seed=3)
    assert client.redeem(client.put(body)).body == body
    assert _objects(claim_check_resources) == []


def test_redeem_accepts_a_json_string_claim_check(claim_check_resources: Any) -> None:
    client = claim_check_resources.client()
    check = client.put("text body")
    assert client.redeem(json.dumps(check)).value == "text body"


def _expires_at(resources: Any, check: dict[str, Any]) -> int:
    return int(_item(resources, check)["expires_at"]["N"])


def test_redeem_with_expiry_shortens_the_claims_life_and_keeps_it_redeemable(
    claim_check_resources: Any,
) -> None:
    now = [1_000_000.0]
    client = claim_check_resources.client(s3_layout="object", compression="none", clock=lambda: now[0])
    check = client.put("y" * 10_000)
    assert _expires_at(claim_check_resources, check) == 1_000_000 + 604_800
    assert client.redeem(check, expire_after_seconds=600).body == "y" * 10_000
    assert _expires_at(claim_check_resources, check) == 1_000_600
    assert len(_objects(claim_check_resources)) == 1  # nothing deleted: the lifecycle rule removes it
    # Never lengthened: a later redemption with a longer grace keeps the earlier end.
    assert client.redeem(check, expire_after_seconds=3_000).body == "y" * 10_000
    assert _expires_at(claim_check_resources, check) == 1_000_600
    now[0] = 1_000_600.0
    with pytest.raises(ClaimCheckError, match="expired"):
        client.redeem(check)


class FailingExpiry(AwsClaimStore):
    """The AWS store, whose expiry updates fail."""

    def shorten_expiry(self, claim_id: str, expires_at: int) -> None:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Slow down"}}, "UpdateItem")


def test_redeem_with_expiry_returns_the_payload_when_the_update_fails(claim_check_resources: Any) -> None:
    store = FailingExpiry(
        claim_check_resources.table_name, dynamodb=claim_check_resources.dynamodb, s3=claim_check_resources.s3
    )
    client = ClaimCheckClient(
        claim_check_resources.table_name,
        claim_check_resources.bucket_name,
        s3_layout="object",
        compression="none",
        store=store,
    )
    check = client.put("z" * 10_000)
    assert client.redeem(check, expire_after_seconds=60).body == "z" * 10_000
    assert client.redeem(check).body == "z" * 10_000  # the claim is whole: it expires by its TTL


class RecordingStore(AwsClaimStore):
    """The AWS store, recording the order of its writes."""

    def __init__(self, resources: Any) -> None:
        super().__init__(resources.table_name, dynamodb=resources.dynamodb, s3=resources.s3)
        self.writes: list[str] = []

    def put_object(self, location: S3Location, data: bytes) -> None:
        self.writes.append("object")
        super().put_object(location, data)

    def put_item(self, item: Any) -> bool:
        self.writes.append("item")
        return super().put_item(item)


@pytest.mark.parametrize("layout", ["packed", "object"])
def test_split_writes_s3_objects_before_items(claim_check_resources: Any, layout: str) -> None:
    recording = RecordingStore(claim_check_resources)
    client = ClaimCheckClient(
        claim_check_resources.table_name,
        claim_check_resources.bucket_name,
        s3_layout=layout,
        compression="none",
        store=recording,
    )
    client.issue_batch([ClaimRequest("a" * 9000), ClaimRequest("small"), ClaimRequest("b" * 9000)])
    objects = 1 if layout == "packed" else 2
    assert recording.writes == ["object"] * objects + ["item"] * 3


def test_packed_objects_are_content_addressed_so_a_conflicting_batch_cannot_overwrite_them(
    claim_check_resources: Any,
) -> None:
    client = claim_check_resources.client(compression="none")
    original = client.put("o" * 9000, message_id="m-1")
    with pytest.raises(ClaimCheckError, match="conflict"):
        client.put("d" * 9000, message_id="m-1")
    assert client.redeem(original).body == "o" * 9000


def test_packed_layout_holds_compressed_ranges(claim_check_resources: Any) -> None:
    client = claim_check_resources.client(s3_layout="packed", compression="auto")
    bodies = [_incompressible(50_000, seed=seed) for seed in (10, 11)]
    checks = client.issue_batch([ClaimRequest(body) for body in bodies]).claim_checks
    items = [_item(claim_check_resources, check) for check in checks]
    assert [(item["encoding"]["S"], "s3" in item) for item in items] == [("zlib", True), ("zlib", True)]
    assert [payload.body for payload in client.redeem_batch(checks)] == bodies


def test_put_refuses_a_body_that_is_not_a_string(claim_check_resources: Any) -> None:
    with pytest.raises(TypeError, match="body must be a str"):
        claim_check_resources.client().put(b"bytes")  # type: ignore[arg-type]


class AccessDeniedOnGet:
    """An S3 client that writes through but answers every GET as S3 does for a missing key to a
    role without s3:ListBucket (the functions' case): 403 AccessDenied, not 404 NoSuchKey."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def put_object(self, **arguments: Any) -> Any:
        return self._s3.put_object(**arguments)

    def get_object(self, **arguments: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetObject")


@pytest.mark.parametrize("layout", ["packed", "object"])
def test_an_unreadable_object_fails_the_claim_as_missing_naming_the_record(
    claim_check_resources: Any, layout: str
) -> None:
    client = claim_check_resources.client(
        s3_layout=layout, inline_limit_bytes=0, s3_client=AccessDeniedOnGet(claim_check_resources.s3)
    )
    checks = [client.put("first body"), client.put("second body")]  # both in S3: the limit is 0
    with pytest.raises(ClaimCheckError) as raised:
        client.redeem_batch(checks, message_ids=["m-0", "m-1"])
    assert (raised.value.reason, raised.value.position, raised.value.message_id) == ("missing", 0, "m-0")
    assert str(raised.value).startswith("record 0 (messageId 'm-0'): missing: ")


def test_a_packed_object_cut_short_fails_the_claim_naming_the_record(claim_check_resources: Any) -> None:
    client = claim_check_resources.client(compression="none", inline_limit_bytes=0)
    checks = client.issue_batch([ClaimRequest("a" * 100), ClaimRequest("b" * 100)]).claim_checks
    (key,) = _objects(claim_check_resources)
    claim_check_resources.s3.put_object(Bucket=claim_check_resources.bucket_name, Key=key, Body=b"short")
    with pytest.raises(ClaimCheckError) as raised:  # the second claim's range starts past the end
        client.redeem_batch([checks[1]], message_ids=["m-1"])
    assert (raised.value.reason, raised.value.position, raised.value.message_id) == ("missing", 0, "m-1")


def test_each_read_of_a_redeemed_value_is_an_object_of_its_own(claim_check_resources: Any) -> None:
    # The value parsed while detecting the format is handed out once; later reads parse afresh,
    # so a caller that changes one value never changes another.
    client = claim_check_resources.client()
    payload = client.redeem(client.put('{"orderId": "o-1", "lines": [1]}'))
    first = payload.value
    first["lines"].append(2)
    assert payload.value == {"orderId": "o-1", "lines": [1]}
    assert payload.value is not payload.value


def test_an_item_compressed_at_another_zlib_level_still_redeems(claim_check_resources: Any) -> None:
    # The level is not recorded in the item: claims written at the former level 6 stay readable.
    import zlib

    client = claim_check_resources.client()
    body = '{"text": "' + "level six " * 2000 + '"}'
    check = client.put(body)
    item = _item(claim_check_resources, check)
    assert item["encoding"]["S"] == "zlib"
    claim_check_resources.dynamodb.update_item(
        TableName=claim_check_resources.table_name,
        Key={"id": {"S": check["claimCheck"]["id"]}},
        UpdateExpression="SET #body = :body, #format = :format",
        ExpressionAttributeNames={"#body": "body", "#format": "format"},
        ExpressionAttributeValues={":body": {"B": zlib.compress(body.encode(), 6)}, ":format": {"S": "json"}},
    )
    assert client.redeem(check).body == body
    assert client.redeem(check).value == json.loads(body)


def test_redeem_parses_the_body_only_when_its_value_or_format_is_read(
    claim_check_resources: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cdk_claim_check.runtime import codec, redeeming

    parses: list[str] = []
    real_classify = codec.classify_value

    def counting(body: str) -> Any:
        parses.append(body)
        return real_classify(body)

    monkeypatch.setattr(redeeming, "classify_value", counting)
    client = claim_check_resources.client()
    body = '{"orderId": "o-1", "lines": [1, 2]}'
    payload = client.redeem(client.put(body))
    assert payload.body == body and payload.stored_format == "detect"
    assert parses == []  # redeeming and reading the body parse nothing
    assert payload.body_format == "json"
    assert payload.value == {"orderId": "o-1", "lines": [1, 2]}
    assert parses == [body]  # the format and the first value come from one parse


def test_object_layout_stores_an_overflowing_body_plain_without_finishing_its_compression(
    claim_check_resources: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zlib

    inflations: list[int] = []
    real_decompressobj = zlib.decompressobj

    def counting(*args: Any) -> Any:
        inflations.append(1)
        return real_decompressobj(*args)

    monkeypatch.setattr(zlib, "decompressobj", counting)
    client = claim_check_resources.client(s3_layout="object")
    body = json.dumps({"orderId": "o-1", "lines": [{"sku": f"SKU-{n:06d}", "qty": n} for n in range(9000)]})
    check = client.put(body)
    assert inflations == []  # split side: nothing inflated back
    pointer = json.loads(_item(claim_check_resources, check)["pointer"]["S"])
    stored = claim_check_resources.s3.get_object(Bucket=pointer[1]["s3BucketName"], Key=pointer[1]["s3Key"])
    assert stored["Body"].read().decode() == body
    assert _item(claim_check_resources, check)["encoding"]["S"] == "identity"
    assert client.redeem(check).body == body
