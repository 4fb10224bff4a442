"""Whole-template snapshots of each construct with its defaults (asset hashes normalised).

Update after an intended change with ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_events as events
from aws_cdk.assertions import Template
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from _synth import new_stack, normalise_assets, queue_with_dlq, retrieval_pipe, split_pipe, state_machine
from cdk_claim_check import ClaimCheckDashboard, ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore
from cdk_claim_check.dashboard import dashboard_body


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def _template(stack: Any) -> dict[str, Any]:
    return normalise_assets(Template.from_stack(stack).to_json())


def test_store_default_template(json_snapshot: SnapshotAssertion) -> None:
    stack = new_stack()
    ClaimCheckStore(stack, "Store")
    assert _template(stack) == json_snapshot


def test_split_pipe_default_template(json_snapshot: SnapshotAssertion) -> None:
    stack = new_stack()
    ClaimCheckSplitPipe(
        stack,
        "Split",
        source=queue_with_dlq(stack, "Inbox"),
        store=ClaimCheckStore(stack, "Store"),
        target=events.EventBus(stack, "Bus"),
    )
    assert _template(stack) == json_snapshot


def test_retrieval_pipe_default_template(json_snapshot: SnapshotAssertion) -> None:
    stack = new_stack()
    ClaimCheckRetrievalPipe(
        stack,
        "Retrieve",
        source=queue_with_dlq(stack, "Claims"),
        store=ClaimCheckStore(stack, "Store"),
        target=state_machine(stack),
    )
    assert _template(stack) == json_snapshot


def test_flow_dashboard_body(json_snapshot: SnapshotAssertion) -> None:
    stack = new_stack()
    store = ClaimCheckStore(stack, "Store")
    split = split_pipe(stack, events.EventBus(stack, "Bus"), store=store)
    retrieval = retrieval_pipe(stack, state_machine(stack), store=store)
    ClaimCheckDashboard(stack, "Dashboard", split=split, retrievals=[retrieval])
    assert dashboard_body(Template.from_stack(stack).to_json()) == json_snapshot
