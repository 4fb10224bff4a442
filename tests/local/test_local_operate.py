"""The on-call path end to end on the local run: a claim whose store item was damaged lands in the
claims DLQ, ``dlq list`` shows it with its reason, the store is fixed, ``dlq redrive`` brings it back
and the consumer gets it byte-exact. See ``operate_scenario.py`` for the steps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

SCENARIO = Path(__file__).with_name("operate_scenario.py")


@pytest.fixture(scope="module")
def scenario(targets_assembly: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    run = subprocess.run(
        [sys.executable, str(SCENARIO), str(targets_assembly), str(tmp_path_factory.mktemp("operate"))],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def test_the_damaged_claim_is_refused_and_waits_in_the_claims_dlq(scenario: dict[str, Any]) -> None:
    victim = next(body for body in scenario["sent"] if body.startswith("the victim"))
    assert victim not in scenario["delivered_before_fix"]
    assert scenario["retrieval_failures"] >= 5  # maxReceiveCount receives, each failing its batch


def test_dlq_list_shows_the_claim_with_its_reason_now_and_as_logged(scenario: dict[str, Any]) -> None:
    listed = scenario["dlq_list"]
    assert listed["status"] == 0, listed["err"]
    entries = {entry["claim_id"]: entry for entry in json.loads(listed["out"])}
    victim = entries[scenario["victim_claim_id"]]
    assert victim["kind"] == "claim check" and victim["check"].startswith("tampered: ")
    assert (
        "tampered: claim" in victim["last_error"] and "does not match its store item" in victim["last_error"]
    )
    for claim, entry in entries.items():  # its batch-mates: fine now, and explained by the log
        if claim != scenario["victim_claim_id"]:
            assert entry["check"] == "ok" and "failed with its batch" in entry["last_error"]


def test_inspect_names_the_damage_and_then_the_fix_without_the_payload(scenario: dict[str, Any]) -> None:
    broken, fixed = scenario["inspect_broken"], scenario["inspect_fixed"]
    assert broken["status"] == 1 and "check: tampered" in broken["out"]
    assert fixed["status"] == 0 and json.loads(fixed["out"])["check"] == "ok"
    for body in scenario["sent"]:
        assert body not in broken["out"] + fixed["out"] + scenario["dlq_list"]["out"]


def test_redrive_brings_every_dlq_message_back_and_the_victim_is_delivered_byte_exact(
    scenario: dict[str, Any],
) -> None:
    redrive = scenario["redrive"]
    assert redrive["status"] == 0, redrive["err"]
    summary = json.loads(redrive["out"])
    assert summary["method"] == "receive-send-delete"  # moto has no StartMessageMoveTask
    assert summary["moved"] == len(scenario["ledger"]) >= 1
    assert {line["status"] for line in scenario["ledger"]} == {"moved"}
    assert scenario["victim_claim_id"] in {line["claim_id"] for line in scenario["ledger"]}
    assert scenario["dlq_depth_after"] == 0
    victim = next(body for body in scenario["sent"] if body.startswith("the victim"))
    assert scenario["delivered_after_redrive"].count(victim) == 1
    everything = scenario["delivered_before_fix"] + scenario["delivered_after_redrive"]
    restored = [item if isinstance(item, str) else json.dumps(item) for item in everything]
    assert sorted(restored) == sorted(scenario["sent"])
