"""Logs, metrics and tracing of the handlers: useful counts, never payload content."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from runtime_helpers import claims_batch, sqs_record

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


def test_handlers_run_under_the_powertools_tracer_when_tracing_is_not_disabled(
    configure_runtime: Any, lambda_context: Any
) -> None:
    configure_runtime(POWERTOOLS_TRACE_DISABLED=None)
    checks = split.handler([sqs_record("traced")], lambda_context)
    assert retrieval.handler(claims_batch(checks), lambda_context) == ["traced"]
    assert observability.tracer() is not None


def test_tracer_is_never_built_when_tracing_is_disabled(configure_runtime: Any, lambda_context: Any) -> None:
    configure_runtime(POWERTOOLS_TRACE_DISABLED="true")
    split.handler([sqs_record("untraced")], lambda_context)
    assert observability.tracer() is None


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
