"""``cdk-claim-check inspect`` and ``redeem``: a claim in any shape, checked against its store; the
payload only from ``redeem``."""

from __future__ import annotations

import base64
import io
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_claim_check.runtime import ClaimCheckClient
from conftest import Ran

SECRET = "card 4111-1111-1111-1111 · ünïcödé"


def _table(resources: Any) -> tuple[str, str]:
    return "--table", resources.table_name


def test_inspect_tells_where_and_how_a_claim_is_stored_without_its_payload(
    operate: Callable[..., Ran], client: ClaimCheckClient, claim_check_resources: Any
) -> None:
    check = client.put(SECRET)
    ran = operate("inspect", json.dumps(check), *_table(claim_check_resources))
    assert ran.status == 0, ran.err
    assert "stored in: inline" in ran.out and "check: ok" in ran.out
    assert f"bytes: {len(SECRET.encode())}" in ran.out and "encoding: identity" in ran.out
    assert "expires at: " in ran.out and "created at: " in ran.out
    assert SECRET not in ran.out + ran.err


def test_inspect_of_an_offloaded_claim_names_its_s3_range_and_stored_size(
    operate: Callable[..., Ran], client: ClaimCheckClient, claim_check_resources: Any
) -> None:
    noise = base64.b64encode(random.Random(7).randbytes(30_000)).decode()  # does not compress to 8 KB
    body = json.dumps({"pad": noise, "secret": SECRET}, ensure_ascii=False)
    check = client.put(body)
    ran = operate("inspect", json.dumps(check), *_table(claim_check_resources), "--json")
    report = json.loads(ran.out)
    assert ran.status == 0, ran.err
    assert report["stored_in"] == "packed" and report["encoding"] == "zlib"
    assert report["location"].startswith(f"s3://{claim_check_resources.bucket_name}/packed/")
    assert 0 < report["stored_bytes"] < len(body) and report["check"] == "ok"
    assert SECRET not in ran.out + ran.err


@pytest.mark.parametrize("shape", ["bus event", "sqs message", "pipes record", "file", "stdin"])
def test_inspect_reads_a_claim_from_a_bus_event_a_dlq_message_a_record_a_file_or_stdin(
    shape: str,
    operate: Callable[..., Ran],
    client: ClaimCheckClient,
    claim_check_resources: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check = client.put("order")
    event = {"detail-type": "ClaimCheck", "source": "claim-check", "detail": check}
    value = {
        "bus event": json.dumps(event),
        "sqs message": json.dumps({"MessageId": "m", "ReceiptHandle": "r", "Body": json.dumps(event)}),
        "pipes record": json.dumps({"messageId": "m", "body": json.dumps(check)}),
        "file": str(tmp_path / "claim.json"),
        "stdin": "-",
    }[shape]
    (tmp_path / "claim.json").write_text(json.dumps(check))
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(event)))
    ran = operate("inspect", value, *_table(claim_check_resources))
    assert ran.status == 0 and f"claim id: {check['claimCheck']['id']}" in ran.out, ran.err


def test_inspect_of_a_tampered_claim_names_the_reason_and_exits_1(
    operate: Callable[..., Ran], client: ClaimCheckClient, claim_check_resources: Any
) -> None:
    check = client.put(SECRET)
    check["claimCheck"]["sha256"] = "0" * 64
    ran = operate("inspect", json.dumps(check), *_table(claim_check_resources))
    assert ran.status == 1
    assert "check: tampered" in ran.out and "does not match its store item" in ran.out


def test_an_unknown_claim_a_missing_table_or_no_claim_exit_2_with_the_cause(
    operate: Callable[..., Ran], client: ClaimCheckClient, claim_check_resources: Any
) -> None:
    check = client.put("x")
    check["claimCheck"]["id"] = "f" * 32
    unknown = operate("inspect", json.dumps(check), *_table(claim_check_resources))
    assert unknown.status == 2 and f"unknown claim {'f' * 32}" in unknown.err
    no_table = operate("redeem", json.dumps(client.put("y")), "--table", "no-such-table")
    assert no_table.status == 2 and "table 'no-such-table' in us-east-1: not found" in no_table.err
    not_a_claim = operate("inspect", '{"orderId": 1}', *_table(claim_check_resources))
    assert not_a_claim.status == 2 and "holds no valid claim check" in not_a_claim.err
    neither = operate("inspect", "no-such-file.json", *_table(claim_check_resources))
    assert neither.status == 2 and "neither JSON nor a file" in neither.err


def test_redeem_writes_the_payload_byte_exact_and_never_overwrites_by_accident(
    operate: Callable[..., Ran], client: ClaimCheckClient, claim_check_resources: Any, tmp_path: Path
) -> None:
    body = json.dumps({"b": 1, "a": SECRET}, ensure_ascii=False, indent=3) + "\n"  # key order, spacing kept
    out = tmp_path / "payload.json"
    ran = operate("redeem", json.dumps(client.put(body)), *_table(claim_check_resources), "--out", str(out))
    assert ran.status == 0, ran.err
    assert out.read_bytes() == body.encode("utf-8") and SECRET not in ran.out + ran.err
    again = operate("redeem", json.dumps(client.put(body)), *_table(claim_check_resources), "--out", str(out))
    assert again.status == 2 and "pass --force" in again.err


def test_redeem_to_stdout_writes_only_the_payload(
    moto_server: str, client: ClaimCheckClient, claim_check_resources: Any, capsysbinary: Any
) -> None:
    from cdk_claim_check.operate.cli import main

    where = ["--endpoint-url", moto_server, "--region", "us-east-1"]
    status = main(["redeem", json.dumps(client.put(SECRET)), *_table(claim_check_resources), *where])
    assert status == 0 and capsysbinary.readouterr().out == SECRET.encode("utf-8")


def test_redeem_of_an_expired_claim_writes_nothing_and_exits_1(
    operate: Callable[..., Ran], claim_check_resources: Any, tmp_path: Path
) -> None:
    issuer = claim_check_resources.client(
        expected_bucket_owner="123456789012",
        ttl_seconds=60,
        clock=lambda: 1_000,
    )
    out = tmp_path / "payload"
    ran = operate("redeem", json.dumps(issuer.put(SECRET)), *_table(claim_check_resources), "--out", str(out))
    assert ran.status == 1 and "does not redeem: expired" in ran.err
    assert not out.exists()
