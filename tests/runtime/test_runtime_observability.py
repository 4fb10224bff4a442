"""Logs, metrics and tracing of the handlers: useful counts, never payload content."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from runtime_helpers import claims_batch, sqs_record

from _probe import run_probe
from cdk_claim_check.runtime import ClaimCheckError, observability, retrieval, split

SECRET = "card-number-4111111111111111"


def _emitted_metrics(output: str) -> dict[str, Any]:
    metrics: dict[str, Any] = {}
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            for definition in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                metrics[definition["Name"]] = document[definition["Name"]]
    return metrics


def test_handlers_log_ids_and_counts_but_never_payload_content(
    configure_runtime: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=observability.logger.name)
    record = sqs_record(json.dumps({"orderId": "o-1", "card": SECRET}))
    checks = split.handler([record], lambda_context)
    retrieval.handler(claims_batch(checks), lambda_context)
    logged = " ".join(repr(vars(entry)) for entry in caplog.records)
    assert {"claim issued", "batch claimed", "batch redeemed"} <= {
        entry.getMessage() for entry in caplog.records
    }
    assert record["messageId"] in logged
    assert SECRET not in logged


def test_split_emits_issue_metrics(
    configure_runtime: Any, lambda_context: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    split.handler([sqs_record("a" * 1000), sqs_record("")], lambda_context)
    metrics = _emitted_metrics(capfd.readouterr().out)
    assert metrics["ClaimsIssued"] == [2.0]
    assert metrics["PayloadBytes"] == [1000.0]
    assert metrics["BytesStored"][0] < 1000
    assert metrics["CompressionRatio"][0] > 1


def test_retrieval_emits_a_miss_metric_for_a_missing_claim(
    configure_runtime: Any, lambda_context: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    check = split.handler([sqs_record("body")], lambda_context)[0]
    check["claimCheck"]["id"] = "f" * 32
    with pytest.raises(ClaimCheckError):
        retrieval.handler(claims_batch([check]), lambda_context)
    assert _emitted_metrics(capfd.readouterr().out)["ClaimMisses"] == [1.0]


# Runs in a subprocess, as a Lambda cold start: X-Ray daemon on a local UDP socket, a sampled
# trace header, then split and retrieval of one record. Reports whether the X-Ray SDK was imported
# after the import of the handlers and after each invocation, and the subsegments each emitted.
_LAMBDA_LIKE_PROBE = """
import json, os, socket, sys
daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
daemon.bind(("127.0.0.1", 0))
daemon.settimeout(0.2)
os.environ["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1:%d" % daemon.getsockname()[1]
os.environ["LAMBDA_TASK_ROOT"] = os.getcwd()
os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
from cdk_claim_check.runtime import retrieval, split

class Context:
    function_name = "probe"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:probe"
    aws_request_id = "probe"

def emitted():
    names = []
    try:
        while True:
            names.append(json.loads(daemon.recv(65536).split(b"\\n", 1)[1])["name"])
    except socket.timeout:
        return names

report = {"xray_after_import": "aws_xray_sdk" in sys.modules}
record = json.load(sys.stdin)
checks = split.handler([record], Context())
report.update(xray_after_split="aws_xray_sdk" in sys.modules, split=emitted())
payloads = retrieval.handler([{**record, "body": json.dumps(checks[0])}], Context())
report.update(xray_after_retrieval="aws_xray_sdk" in sys.modules, retrieval=emitted(), payloads=payloads)
print("REPORT:" + json.dumps(report))
"""


def _cold_start_report(tmp_path: Path) -> dict[str, Any]:
    report: dict[str, Any] = run_probe(
        _LAMBDA_LIKE_PROBE, marker="REPORT:", cwd=tmp_path, input=json.dumps(sqs_record("traced"))
    )
    return report


def test_tracing_imports_x_ray_on_the_first_invocation_and_traces_the_handler_and_its_aws_calls(
    configure_runtime: Any, tmp_path: Path
) -> None:
    configure_runtime(POWERTOOLS_TRACE_DISABLED=None)
    report = _cold_start_report(tmp_path)
    assert report["payloads"] == ["traced"]
    assert report["xray_after_import"] is False  # the Tracer is not built at import
    assert report["xray_after_split"] is True
    for handler in ("split", "retrieval"):  # the patched botocore traces the store calls too
        assert "## handler" in report[handler], report
        assert "dynamodb" in report[handler], report


def test_tracing_disabled_never_imports_x_ray_nor_emits_a_trace(
    configure_runtime: Any, tmp_path: Path
) -> None:
    configure_runtime(POWERTOOLS_TRACE_DISABLED="true")
    report = _cold_start_report(tmp_path)
    assert report["payloads"] == ["traced"]
    assert not (report["xray_after_import"] or report["xray_after_split"] or report["xray_after_retrieval"])
    assert report["split"] == report["retrieval"] == []


def test_failures_name_the_record_but_never_carry_payload_content(
    configure_runtime: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture, claim_check_resources: Any
) -> None:
    caplog.set_level(logging.DEBUG, logger=observability.logger.name)
    errors: list[ClaimCheckError] = []
    original = sqs_record(json.dumps({"card": SECRET}), message_id="m-secret")
    checks = split.handler([original], lambda_context)
    with pytest.raises(ClaimCheckError) as conflict:  # a different body under the same messageId
        split.handler(
            [sqs_record(json.dumps({"card": SECRET + "-2"}), message_id="m-secret")], lambda_context
        )
    errors.append(conflict.value)
    claim_check_resources.dynamodb.update_item(
        TableName=claim_check_resources.table_name,
        Key={"id": {"S": checks[0]["claimCheck"]["id"]}},
        UpdateExpression="SET body = :forged",
        ExpressionAttributeValues={":forged": {"B": SECRET.encode()}},
    )
    for body in (checks[0], {"claimCheck": {**checks[0]["claimCheck"], "v": SECRET}}):
        batch = claims_batch([body])
        with pytest.raises(ClaimCheckError) as redeemed:
            retrieval.handler(batch, lambda_context)
        assert redeemed.value.message_id in str(redeemed.value)
        errors.append(redeemed.value)
    assert [error.reason for error in errors] == ["conflict", "tampered", "unknown_version"]
    logged = " ".join(repr(vars(entry)) for entry in caplog.records)
    for text in [*(str(error) for error in errors), logged]:
        assert SECRET not in text


def test_failure_metrics_carry_the_reason_as_a_dimension_of_their_own_record(
    configure_runtime: Any, lambda_context: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    check = split.handler([sqs_record("body")], lambda_context)[0]
    capfd.readouterr()
    check["claimCheck"]["sha256"] = "0" * 64
    with pytest.raises(ClaimCheckError):
        retrieval.handler(claims_batch([check]), lambda_context)
    (record,) = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    directive = record["_aws"]["CloudWatchMetrics"][0]
    assert [m["Name"] for m in directive["Metrics"]] == ["ClaimsRejected"]
    assert "Reason" in directive["Dimensions"][0] and record["Reason"] == "tampered"
    # The next, successful batch does not inherit the failure's dimension.
    retrieval.handler(claims_batch(split.handler([sqs_record("again")], lambda_context)), lambda_context)
    redeemed = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    assert redeemed and all("Reason" not in r for r in redeemed)


def test_failure_logs_name_every_message_of_the_failed_batch(
    configure_runtime: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    good, bad = split.handler([sqs_record("one"), sqs_record("two")], lambda_context)
    bad["claimCheck"]["id"] = "e" * 32
    batch = claims_batch([good, bad])
    with pytest.raises(ClaimCheckError):
        retrieval.handler(batch, lambda_context)
    (failure,) = [r for r in caplog.records if r.getMessage() == "retrieval failed"]
    assert failure.message_ids == [record["messageId"] for record in batch]  # type: ignore[attr-defined]
    assert failure.reason == "missing"  # type: ignore[attr-defined]


def test_every_invocation_tags_its_metrics_with_its_own_function_name(
    configure_runtime: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    from runtime_helpers import LambdaContext

    checks = split.handler([sqs_record("one")], LambdaContext(function_name="orders-split"))
    retrieval.handler(claims_batch(checks), LambdaContext(function_name="orders-retrieve"))
    split.handler([sqs_record("two")], LambdaContext(function_name="orders-split"))
    records = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    assert [r["FunctionName"] for r in records] == ["orders-split", "orders-retrieve", "orders-split"]
    assert all(
        sorted(r["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]) == ["FunctionName", "service"]
        for r in records
    )
