"""The synthesized Lambda asset works on its own, loaded the way Lambda loads it.

Each handler is imported from ``cdk.out/asset.<hash>`` by the handler string in the template, with
the function's environment from the template, in a subprocess where the installed
``cdk_claim_check`` is not importable, against the moto server of ``tests/conftest.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events

from _probe import run_probe
from _synth import new_stack, queue_with_dlq, state_machine
from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore
from cdk_claim_check._asset import RETRIEVAL_HANDLER, SPLIT_HANDLER

SOURCE_ROOT = Path(__file__).resolve().parent.parent / "src"

# Runs in the subprocess: forget the development checkout, then import the handler from the asset.
_LAMBDA_LIKE_LOADER = """
import importlib, importlib.util, json, os, sys
source_root, asset_dir, handler_string, event_path = sys.argv[1:5]
sys.path[:] = [p for p in sys.path if not os.path.abspath(p or os.curdir).startswith(source_root)]
assert importlib.util.find_spec("cdk_claim_check") is None, "the installed library must not be importable"
sys.path.insert(0, asset_dir)
module_name, function_name = handler_string.rsplit(".", 1)
module = importlib.import_module(module_name)
assert os.path.abspath(module.__file__).startswith(asset_dir), module.__file__

class Context:
    aws_request_id = "asset-test"
    function_name = "asset-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:111111111111:function:asset-test"

with open(event_path, encoding="utf-8") as event_file:
    event = json.load(event_file)
result = getattr(module, function_name)(event, Context())
print("RESULT:" + json.dumps(result))
"""


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
    environment = {
        name: physical_names[value["Ref"]] if isinstance(value, dict) else value
        for name, value in function["Properties"]["Environment"]["Variables"].items()
    }
    process_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "AWS_", "POWERTOOLS_"))
    }
    process_env.update(environment)
    process_env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    event_path = outdir / f"event-{handler}.json"
    event_path.write_text(json.dumps(event))
    return run_probe(
        _LAMBDA_LIKE_LOADER,
        str(SOURCE_ROOT),
        str(asset_dir),
        function["Properties"]["Handler"],
        str(event_path),
        marker="RESULT:",
        cwd=outdir,
        env=process_env,
    )


def _claims_as_sqs_records(claims: list[Any], template_event: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**record, "messageId": f"claim-{index}", "body": json.dumps(claim)}
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
