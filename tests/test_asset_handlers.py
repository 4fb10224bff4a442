"""The synthesized Lambda asset works on its own, loaded the way Lambda loads it.

Each handler is imported from ``cdk.out/asset.<hash>`` by the handler string in the template, with
the function's environment from the template, by the local run's Lambda harness (its own copy of
the asset's modules; the installed ``cdk_claim_check`` and the CDK not importable while it imports
and runs), against the moto server of ``tests/conftest.py``.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events

from _synth import new_stack, queue_with_dlq, state_machine
from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore
from cdk_claim_check._asset import RETRIEVAL_HANDLER, SPLIT_HANDLER
from cdk_claim_check.local.functions import LocalFunction, lambda_environment
from cdk_claim_check.local.lambda_harness import ACCOUNT, not_in_lambda_hidden, sqs_record

ACCOUNT_ARN = "arn:aws:lambda:us-east-1:111111111111:function:asset-test"


def _synthesize(outdir: Path, **split_props: Any) -> dict[str, Any]:
    app = cdk.App(outdir=str(outdir))
    stack = new_stack(app, "AssetCheck")
    store = ClaimCheckStore(stack, "Store")
    ClaimCheckSplitPipe(
        stack,
        "Split",
        source=queue_with_dlq(stack, "Inbox"),
        store=store,
        target=events.EventBus(stack, "Bus"),
        **split_props,
    )
    ClaimCheckRetrievalPipe(
        stack, "Retrieve", source=queue_with_dlq(stack, "Claims"), store=store, target=state_machine(stack)
    )
    app.synth()
    template: dict[str, Any] = json.loads((outdir / "AssetCheck.template.json").read_text())
    return template


def _function(template: dict[str, Any], handler: str) -> dict[str, Any]:
    (function,) = [
        resource
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function" and resource["Properties"]["Handler"] == handler
    ]
    found: dict[str, Any] = function
    return found


def _store_logical_ids(template: dict[str, Any]) -> tuple[str, str]:
    (table,) = [k for k, v in template["Resources"].items() if v["Type"] == "AWS::DynamoDB::Table"]
    (bucket,) = [k for k, v in template["Resources"].items() if v["Type"] == "AWS::S3::Bucket"]
    return table, bucket


def _invoke_from_asset(
    outdir: Path,
    template: dict[str, Any],
    handler: str,
    event: Any,
    physical_names: dict[str, str],
    endpoint: str,
) -> Any:
    function = _function(template, handler)
    asset_hash = str(function["Properties"]["Code"]["S3Key"]).removesuffix(".zip")
    asset_dir = outdir / f"asset.{asset_hash}"
    assert sorted(path.name for path in asset_dir.iterdir()) == ["runtime"]
    names = {**physical_names, "AWS::AccountId": ACCOUNT}
    environment = {
        name: names[value["Ref"]] if isinstance(value, dict) else value
        for name, value in function["Properties"]["Environment"]["Variables"].items()
    }
    local = LocalFunction(
        logical_id=handler,
        name="asset-test",
        arn=ACCOUNT_ARN,
        handler=function["Properties"]["Handler"],
        code_dir=asset_dir,
        environment=lambda_environment(
            environment,
            name="asset-test",
            region="us-east-1",
            endpoint_url=endpoint,
            memory_mb=512,
            code_dir=asset_dir,
        ),
        timeout_seconds=30,
        memory_mb=512,
    )
    with not_in_lambda_hidden(), pytest.raises(ModuleNotFoundError):
        importlib.import_module("cdk_claim_check")  # the installed library is not importable
    result = local.invoke(event)
    assert local.handler_file is not None
    assert os.path.abspath(local.handler_file).startswith(f"{asset_dir}{os.sep}"), local.handler_file
    return result


def _claims_as_sqs_records(claims: list[Any], template_event: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        sqs_record(json.dumps(claim), message_id=f"claim-{index}", source_arn=record["eventSourceARN"])
        for index, (record, claim) in enumerate(zip(template_event, claims, strict=True))
    ]


@pytest.mark.parametrize("split_props", [{}, {"inline_limit_bytes": 0}], ids=["inline", "all-in-s3"])
def test_asset_handlers_split_and_redeem_a_batch_with_the_synthesized_environment(
    tmp_path: Path, claim_check_resources: Any, pipes_event: Any, split_props: dict[str, Any]
) -> None:
    template = _synthesize(tmp_path, **split_props)
    table_id, bucket_id = _store_logical_ids(template)
    physical = {table_id: claim_check_resources.table_name, bucket_id: claim_check_resources.bucket_name}
    endpoint = claim_check_resources.endpoint_url
    batch = pipes_event("pipes_sqs_batch_of_10")

    claims = _invoke_from_asset(tmp_path, template, SPLIT_HANDLER, batch, physical, endpoint)
    assert [sorted(claim["claimCheck"]) for claim in claims] == [["bytes", "id", "sha256", "v"]] * len(batch)

    payloads = _invoke_from_asset(
        tmp_path,
        template,
        RETRIEVAL_HANDLER,
        _claims_as_sqs_records(claims, batch),
        physical,
        endpoint,
    )
    assert payloads == [json.loads(record["body"]) for record in batch]
