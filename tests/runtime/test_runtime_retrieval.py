"""The retrieval handler against a moto server: payloads back in order, bad claims refused by name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from runtime_helpers import LambdaContext, claims_batch, sqs_record

from cdk_claim_check.runtime import ClaimCheckError, retrieval, split
from cdk_claim_check.runtime.storage import AwsClaimStore


def _claim(lambda_context: Any, *bodies: str) -> list[dict[str, Any]]:
    return split.handler([sqs_record(body) for body in bodies], lambda_context)


def _overwrite(resources: Any, check: dict[str, Any], attribute: str, value: dict[str, Any]) -> None:
    """Change one attribute of a claim's store item behind the runtime's back."""
    resources.dynamodb.update_item(
        TableName=resources.table_name,
        Key={"id": {"S": check["claimCheck"]["id"]}},
        UpdateExpression="SET #attribute = :value",
        ExpressionAttributeNames={"#attribute": attribute},
        ExpressionAttributeValues={":value": value},
    )


def _redeem_error(checks: list[Any], lambda_context: Any) -> tuple[ClaimCheckError, list[dict[str, Any]]]:
    batch = claims_batch(checks)
    with pytest.raises(ClaimCheckError) as raised:
        retrieval.handler(batch, lambda_context)
    return raised.value, batch


def test_retrieval_returns_payloads_in_order_json_as_value_text_as_string(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    batch = pipes_event("pipes_sqs_mixed_bodies")
    checks = split.handler(batch, lambda_context)
    restored = retrieval.handler(claims_batch(checks), lambda_context)
    assert restored == [json.loads(batch[0]["body"]), batch[1]["body"], ""]


def test_retrieval_accepts_claim_checks_inside_an_eventbridge_envelope(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    check = _claim(lambda_context, '{"orderId": "o-1"}')[0]
    envelope = pipes_event("eventbridge_claim_check_envelope")
    envelope["detail"] = check
    assert retrieval.handler([sqs_record(json.dumps(envelope))], lambda_context) == [{"orderId": "o-1"}]


def test_retrieval_redeems_the_same_claim_twice_in_one_batch(
    configure_runtime: Any, lambda_context: Any
) -> None:
    check = _claim(lambda_context, "fan-out")[0]
    assert retrieval.handler(claims_batch([check, check]), lambda_context) == ["fan-out", "fan-out"]


def test_retrieval_keeps_claims_by_default_so_they_can_be_redeemed_again(
    configure_runtime: Any, lambda_context: Any
) -> None:
    checks = _claim(lambda_context, "first", "second")
    assert retrieval.handler(claims_batch(checks), lambda_context) == ["first", "second"]
    assert retrieval.handler(claims_batch(checks), lambda_context) == ["first", "second"]


def test_retrieval_fails_on_missing_claim_naming_the_record(
    configure_runtime: Any, lambda_context: Any
) -> None:
    check = _claim(lambda_context, "body")[0]
    check["claimCheck"]["id"] = "f" * 32
    error, batch = _redeem_error([check], lambda_context)
    assert error.reason == "missing"
    assert error.message_id == batch[0]["messageId"]
    assert batch[0]["messageId"] in str(error)


def test_retrieval_fails_on_expired_claim_even_if_the_store_still_returns_it(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    check = _claim(lambda_context, "body")[0]
    _overwrite(claim_check_resources, check, "expires_at", {"N": "1000"})
    error, batch = _redeem_error([check], lambda_context)
    assert error.reason == "expired"
    assert error.message_id == batch[0]["messageId"]


def test_retrieval_fails_on_tampered_digest(configure_runtime: Any, lambda_context: Any) -> None:
    check = _claim(lambda_context, "body")[0]
    check["claimCheck"]["sha256"] = "0" * 64
    error, batch = _redeem_error([check], lambda_context)
    assert error.reason == "tampered"
    assert batch[0]["messageId"] in str(error)


def test_retrieval_fails_on_a_claim_check_whose_size_does_not_match_its_item(
    configure_runtime: Any, lambda_context: Any
) -> None:
    check = _claim(lambda_context, "body")[0]
    check["claimCheck"]["bytes"] += 1
    error, batch = _redeem_error([check], lambda_context)
    assert (error.reason, error.position, error.message_id) == ("tampered", 0, batch[0]["messageId"])


def test_retrieval_fails_on_a_store_item_of_an_unknown_version(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    check = _claim(lambda_context, "body")[0]
    _overwrite(claim_check_resources, check, "v", {"N": "2"})
    error, batch = _redeem_error([check], lambda_context)
    assert (error.reason, error.position, error.message_id) == ("unknown_version", 0, batch[0]["messageId"])


def test_retrieval_fails_on_tampered_stored_bytes(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    check = _claim(lambda_context, "original body")[0]
    _overwrite(claim_check_resources, check, "body", {"B": b"forged  body!"})
    error, _ = _redeem_error([check], lambda_context)
    assert error.reason == "tampered"


def test_retrieval_fails_on_tampered_packed_object(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_INLINE_LIMIT_BYTES="0", CLAIM_CHECK_COMPRESSION="none")
    check = _claim(lambda_context, "original body")[0]
    key = claim_check_resources.s3.list_objects_v2(Bucket=claim_check_resources.bucket_name)["Contents"][0][
        "Key"
    ]
    claim_check_resources.s3.put_object(
        Bucket=claim_check_resources.bucket_name, Key=key, Body=b"forged  body!"
    )
    error, _ = _redeem_error([check], lambda_context)
    assert error.reason == "tampered"


def test_retrieval_fails_on_unknown_version(configure_runtime: Any, lambda_context: Any) -> None:
    check = _claim(lambda_context, "body")[0]
    check["claimCheck"]["v"] = 2
    error, batch = _redeem_error([check], lambda_context)
    assert error.reason == "unknown_version"
    assert error.message_id == batch[0]["messageId"]


def test_retrieval_fails_on_a_body_that_is_no_claim_check(
    configure_runtime: Any, lambda_context: Any
) -> None:
    error, batch = _redeem_error([{"orderId": "o-1"}], lambda_context)
    assert error.reason == "malformed"
    assert error.message_id == batch[0]["messageId"]


def test_retrieval_of_10_with_one_missing_claim_names_that_record(
    configure_runtime: Any, lambda_context: Any, pipes_event: Any
) -> None:
    checks = split.handler(pipes_event("pipes_sqs_batch_of_10"), lambda_context)
    checks[3]["claimCheck"]["id"] = "e" * 32
    error, batch = _redeem_error(checks, lambda_context)
    assert (error.position, error.message_id, error.reason) == (3, batch[3]["messageId"], "missing")


def test_retrieval_fails_missing_when_the_s3_object_is_gone(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_INLINE_LIMIT_BYTES="0")
    check = _claim(lambda_context, "body in s3")[0]
    s3, bucket = claim_check_resources.s3, claim_check_resources.bucket_name
    for listed in s3.list_objects_v2(Bucket=bucket)["Contents"]:
        s3.delete_object(Bucket=bucket, Key=listed["Key"])
    error, _ = _redeem_error([check], lambda_context)
    assert error.reason == "missing"


def _expiries(resources: Any) -> list[int]:
    items = resources.dynamodb.scan(TableName=resources.table_name)["Items"]
    return sorted(int(item["expires_at"]["N"]) for item in items)


@pytest.mark.parametrize("layout", ["packed", "object"])
def test_retrieval_shortens_expiry_after_retrieval_when_configured_and_shortens_nothing(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any, layout: str
) -> None:
    settings = {
        "CLAIM_CHECK_INLINE_LIMIT_BYTES": "100",
        "CLAIM_CHECK_COMPRESSION": "none",
        "CLAIM_CHECK_S3_LAYOUT": layout,
    }
    configure_runtime(**settings)
    checks = _claim(lambda_context, "inline", "offloaded " * 1000)
    before = _expiries(claim_check_resources)
    configure_runtime(**settings, CLAIM_CHECK_REDEEMED_GRACE_SECONDS="600")
    assert retrieval.handler(claims_batch(checks), lambda_context) == ["inline", "offloaded " * 1000]
    after = _expiries(claim_check_resources)
    assert all(shortened < full - 600_000 for shortened, full in zip(after, before, strict=True))
    assert claim_check_resources.s3.list_objects_v2(Bucket=claim_check_resources.bucket_name)["KeyCount"] == 1


def test_retrieval_delivers_the_batch_when_shortening_expiry_fails(
    configure_runtime: Any,
    lambda_context: Any,
    claim_check_resources: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    checks = _claim(lambda_context, "inline", "other")
    configure_runtime(CLAIM_CHECK_REDEEMED_GRACE_SECONDS="600")

    def update_fails(self: AwsClaimStore, claim_id: str, expires_at: int) -> None:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Slow down"}}, "UpdateItem")

    monkeypatch.setattr(AwsClaimStore, "shorten_expiry", update_fails)
    assert retrieval.handler(claims_batch(checks), lambda_context) == ["inline", "other"]
    output = capfd.readouterr().out.replace(" ", "")
    assert '"ExpiryShorteningFailures":[1.0]' in output
    assert "ClaimsExpiryShortened" not in output


def test_retrieval_skips_shortening_expiry_with_too_little_time_left(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    checks = _claim(lambda_context, "inline")
    before = _expiries(claim_check_resources)
    configure_runtime(CLAIM_CHECK_REDEEMED_GRACE_SECONDS="600")
    almost_out = LambdaContext(function_name="claim-check-test", timeout_seconds=1)
    assert retrieval.handler(claims_batch(checks), almost_out) == ["inline"]
    assert _expiries(claim_check_resources) == before
    assert '"ExpiryShorteningSkipped":[1.0]' in capfd.readouterr().out.replace(" ", "")


def test_retrieval_fails_too_large_past_the_6_mb_response_limit_and_shortens_nothing(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_REDEEMED_GRACE_SECONDS="600")
    checks = _claim(lambda_context, *[str(index) * 1_000_000 for index in range(7)])
    before = _expiries(claim_check_resources)
    error, batch = _redeem_error(checks, lambda_context)
    assert (error.reason, error.position, error.message_id) == ("too_large", 6, batch[6]["messageId"])
    assert _expiries(claim_check_resources) == before


def test_retrieval_fails_malformed_on_a_json_body_with_an_escaped_lone_surrogate_and_shortens_nothing(
    configure_runtime: Any, lambda_context: Any, claim_check_resources: Any
) -> None:
    configure_runtime(CLAIM_CHECK_REDEEMED_GRACE_SECONDS="600")
    checks = _claim(lambda_context, '{"a": 1}', '["\\ud800"]', "text")  # valid UTF-8: split accepts it
    before = _expiries(claim_check_resources)
    error, batch = _redeem_error(checks, lambda_context)
    assert (error.reason, error.position, error.message_id) == ("malformed", 1, batch[1]["messageId"])
    assert str(error).startswith(f"record 1 (messageId '{batch[1]['messageId']}'): malformed: ")
    assert _expiries(claim_check_resources) == before
