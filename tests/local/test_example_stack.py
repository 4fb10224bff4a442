"""The example stack recreates the original sample in full, with its flaws fixed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cdk_claim_check.local.assembly import read_stacks, select_stack
from cdk_claim_check.local.feed import PRODUCER_METADATA_KEY

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def template(example_assembly: Path) -> dict[str, Any]:
    return select_stack(read_stacks(example_assembly), "ClaimCheckExample").template


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def test_every_queue_with_a_dlq_allows_at_least_five_receives(template: dict[str, Any]) -> None:
    policies = [
        q["Properties"]["RedrivePolicy"]
        for q in _of_type(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in q["Properties"]
    ]
    assert len(policies) == 3  # inbox, processor queue, large-order queue
    assert all(policy["maxReceiveCount"] >= 5 for policy in policies)


def test_routing_rules_match_the_claim_check_events_not_everything(template: dict[str, Any]) -> None:
    patterns = [r["Properties"]["EventPattern"] for r in _of_type(template, "AWS::Events::Rule").values()]
    routing = [p for p in patterns if "detail-type" in p]
    assert len(routing) == 2
    assert all(p["detail-type"] == ["OrderReceived"] and p["source"] == ["shop.orders"] for p in routing)
    assert all("bytes" in p["detail"]["claimCheck"] for p in routing)


def test_the_debug_rule_logs_every_bus_event_to_a_log_group(template: dict[str, Any]) -> None:
    (debug,) = [
        r
        for r in _of_type(template, "AWS::Events::Rule").values()
        if "detail-type" not in r["Properties"]["EventPattern"]
    ]
    assert debug["Properties"]["EventPattern"] == {"source": [{"prefix": ""}]}
    (target,) = debug["Properties"]["Targets"]
    assert ":log-group:" in json.dumps(target["Arn"])


def test_the_workflow_logs_errors_without_the_restored_orders_and_is_traced(template: dict[str, Any]) -> None:
    (machine,) = _of_type(template, "AWS::StepFunctions::StateMachine").values()
    logging = machine["Properties"]["LoggingConfiguration"]
    assert (logging["Level"], logging["IncludeExecutionData"]) == ("ERROR", False)
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}


def test_no_fixed_names_and_no_export_names(template: dict[str, Any]) -> None:
    (bus,) = _of_type(template, "AWS::Events::EventBus").values()
    # CloudFormation requires a bus name; CDK derives a unique one from the stack and construct path
    # (the sample hard-coded "ClaimCheckApplicationBus", so a second copy of the stack collided).
    name = bus["Properties"]["Name"]
    assert name.startswith("ClaimCheckExample") and name != "ClaimCheckApplicationBus"
    assert all("Name" not in r["Properties"] for r in _of_type(template, "AWS::Events::Rule").values())
    assert template["Outputs"] and all("Export" not in o for o in template["Outputs"].values())


def test_three_pipes_and_a_producer_for_the_local_run(template: dict[str, Any]) -> None:
    assert len(_of_type(template, "AWS::Pipes::Pipe")) == 3
    producers = [
        f
        for f in _of_type(template, "AWS::Lambda::Function").values()
        if PRODUCER_METADATA_KEY in f.get("Metadata", {})
    ]
    assert len(producers) == 1
    assert "QUEUE_URL" in producers[0]["Properties"]["Environment"]["Variables"]


@pytest.mark.slow
def test_app_py_synthesizes_when_run_from_another_directory(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CDK_OUTDIR": str(tmp_path / "out"),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "app.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "ClaimCheckExample.template.json").is_file()


def test_cdk_json_names_the_app_relative_to_the_examples_directory() -> None:
    settings = json.loads((EXAMPLES / "cdk.json").read_text())
    assert settings["app"] == "python app.py"
    assert (EXAMPLES / "app.py").is_file()


def test_the_example_synthesizes_without_warnings(example_assembly: Path) -> None:
    manifest = json.loads((example_assembly / "manifest.json").read_text())
    metadata: dict[str, list[dict[str, Any]]] = {}
    for artifact in manifest["artifacts"].values():
        metadata.update(artifact.get("metadata", {}))
        extra = artifact.get("additionalMetadataFile")  # where newer CDK versions write it
        if extra:
            metadata.update(json.loads((example_assembly / extra).read_text()))
    warnings = [
        (path, entry["data"])
        for path, entries in metadata.items()
        for entry in entries
        if entry["type"] == "aws:cdk:warning"
    ]
    assert metadata, "the assembly carries no construct metadata at all: the check would be vacuous"
    assert warnings == []
