"""cdk-nag v3 AwsSolutions on a stack using all three constructs: no unacknowledged findings.

The constructs acknowledge only what is inherent (X-Ray and log-stream wildcards, payload object
keys, S3 access logs left to the caller); this file acknowledges only what belongs to the test's
own workflow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

from _synth import ACCOUNT, REGION, queue_with_dlq
from cdk_claim_check import (
    ClaimCheckRetrievalPipe,
    ClaimCheckSplitPipe,
    ClaimCheckStore,
    ExtendedClientBucket,
)


@pytest.fixture(autouse=True)
def _validation_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK_VALIDATION", "true")


def _checked_app(outdir: Path) -> tuple[cdk.App, cdk.Stack]:
    app = cdk.App(outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = cdk.Stack(app, "Nag", env=cdk.Environment(account=ACCOUNT, region=REGION))
    return app, stack


def _workflow(stack: cdk.Stack) -> sfn.StateMachine:
    workflow = sfn.StateMachine(
        stack,
        "Workflow",
        definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "Process")),
        tracing_enabled=True,
        logs=sfn.LogOptions(destination=logs.LogGroup(stack, "WorkflowLogs"), level=sfn.LogLevel.ALL),
    )
    cdk.Validations.of(workflow).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="Test workflow: log delivery and X-Ray actions support no resource-level permissions.",
        )
    )
    return workflow


def _pipes_on(stack: cdk.Stack, store: ClaimCheckStore, **retrieval_props: Any) -> None:
    ClaimCheckSplitPipe(
        stack,
        "Split",
        source=queue_with_dlq(stack, "Inbox"),
        store=store,
        target=events.EventBus(stack, "Bus"),
    )
    ClaimCheckRetrievalPipe(
        stack,
        "Retrieve",
        source=queue_with_dlq(stack, "Claims"),
        store=store,
        target=_workflow(stack),
        **retrieval_props,
    )


def test_all_three_constructs_pass_aws_solutions_checks(tmp_path: Path) -> None:
    app, stack = _checked_app(tmp_path)
    _pipes_on(
        stack,
        ClaimCheckStore(stack, "Store"),
        expire_after_retrieval=True,
        extended_client_buckets=[
            ExtendedClientBucket(
                s3.Bucket.from_bucket_name(stack, "Foreign", "extended-client-payloads"), key_prefix="orders/"
            )
        ],
    )
    # The check: synth raises ValidationFailed on any unacknowledged finding (as the next test shows).
    app.synth()


def test_findings_fail_the_synth_and_are_reported(tmp_path: Path) -> None:
    app, stack = _checked_app(tmp_path)
    s3.Bucket(stack, "UnloggedBucket", enforce_ssl=True)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rule_names = {
        violation["ruleName"] for plugin in report["pluginReports"] for violation in plugin["violations"]
    }
    assert "AwsSolutions-S1" in rule_names


def test_the_x_ray_acknowledgement_covers_its_own_statement_only(tmp_path: Path) -> None:
    # A Resource::* statement added to the function role by anyone else is still reported.
    app, stack = _checked_app(tmp_path)
    _pipes_on(stack, ClaimCheckStore(stack, "Store"))
    split = stack.node.find_child("Split")
    assert isinstance(split, ClaimCheckSplitPipe)
    split.function.add_to_role_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["*"]))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    flagged = {
        construct["constructPath"]
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        if violation["ruleName"] == "AwsSolutions-IAM5[Resource::*]"
        for construct in violation["violatingConstructs"]
    }
    assert flagged == {"Nag/Split/FunctionRole/DefaultPolicy/Resource"}


@pytest.mark.parametrize(
    ("customer_key", "store_in_another_stack"),
    [(True, False), (False, True), (True, True)],
    ids=["customer-managed-key", "store-in-another-stack", "both"],
)
def test_nothing_is_left_unacknowledged_inside_the_constructs(
    tmp_path: Path, customer_key: bool, store_in_another_stack: bool
) -> None:
    app, stack = _checked_app(tmp_path)
    home = cdk.Stack(app, "Data", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store_stack = home if store_in_another_stack else stack
    key = kms.Key(store_stack, "StoreKey", enable_key_rotation=True) if customer_key else None
    store = ClaimCheckStore(store_stack, "Store", encryption_key=key)
    _pipes_on(stack, store)
    app.synth()  # raises ValidationFailed on any unacknowledged finding
    template = (tmp_path / "Nag.template.json").read_text()
    assert ("Fn::ImportValue" in template) is store_in_another_stack


@pytest.mark.parametrize("encrypted", [False, True], ids=["sse-sqs", "customer-key"])
def test_created_source_queues_pass_every_pack(tmp_path: Path, encrypted: bool) -> None:
    app = cdk.App(outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app), NIST80053R5Checks(app), HIPAASecurityChecks(app)
    )
    stack = cdk.Stack(app, "Nag", env=cdk.Environment(account=ACCOUNT, region=REGION))
    key = kms.Key(stack, "QueueKey", enable_key_rotation=True) if encrypted else None
    split = ClaimCheckSplitPipe(
        stack,
        "Split",
        source=None,
        store=ClaimCheckStore(stack, "Store"),
        target=events.EventBus(stack, "Bus"),
        source_encryption_key=key,
        log_encryption_key=key,
    )
    app.synth()  # raises ValidationFailed on any unacknowledged finding
    assert split.source_dead_letter_queue is not None


@pytest.mark.parametrize("bucket_home", ["imported", "another-stack"])
def test_s3_and_firehose_pipe_log_destinations_leave_nothing_unacknowledged(
    tmp_path: Path, bucket_home: str
) -> None:
    app, stack = _checked_app(tmp_path)
    if bucket_home == "imported":
        log_bucket: s3.IBucket = s3.Bucket.from_bucket_name(stack, "PipeLogs", "central-pipe-logs")
    else:
        home = cdk.Stack(app, "Logs", env=cdk.Environment(account=ACCOUNT, region=REGION))
        log_bucket = s3.Bucket(home, "PipeLogs", enforce_ssl=True)
        cdk.Validations.of(log_bucket).acknowledge(
            cdk.Acknowledgment(id="AwsSolutions-S1", reason="Test bucket: it is itself the log destination.")
        )
    stream = firehose.DeliveryStream.from_delivery_stream_arn(
        stack, "LogStream", f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/pipe-logs"
    )
    _pipes_on(
        stack,
        ClaimCheckStore(stack, "Store"),
        pipe_log_bucket=log_bucket,
        pipe_log_bucket_prefix="pipes/retrieval/",
        pipe_log_delivery_stream=stream,
    )
    app.synth()  # raises ValidationFailed on any unacknowledged finding
    template = (tmp_path / "Nag.template.json").read_text()
    assert '"S3LogDestination"' in template
    assert ("Fn::ImportValue" in template) is (bucket_home == "another-stack")


@pytest.mark.parametrize("encrypted", [False, True], ids=["default-keys", "customer-keys-everywhere"])
def test_nist_hipaa_and_aws_solutions_packs_find_nothing_unacknowledged(
    tmp_path: Path, encrypted: bool
) -> None:
    app = cdk.App(outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app), NIST80053R5Checks(app), HIPAASecurityChecks(app)
    )
    stack = cdk.Stack(app, "Nag", env=cdk.Environment(account=ACCOUNT, region=REGION))
    key = kms.Key(stack, "Key", enable_key_rotation=True) if encrypted else None
    store = ClaimCheckStore(stack, "Store", encryption_key=key)
    options: dict[str, object] = {"log_encryption_key": key} if encrypted else {}
    bus = events.EventBus(stack, "Bus")
    ClaimCheckSplitPipe(
        stack, "Split", source=queue_with_dlq(stack, "Inbox"), store=store, target=bus, **options
    )
    ClaimCheckRetrievalPipe(
        stack, "Retrieve", source=queue_with_dlq(stack, "Claims"), store=store, target=bus, **options
    )
    app.synth()  # raises ValidationFailed on any unacknowledged finding


def test_a_store_without_a_bucket_passes_every_pack(tmp_path: Path) -> None:
    # The table's own findings were once acknowledged only beside the bucket's.
    app = cdk.App(outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app), NIST80053R5Checks(app), HIPAASecurityChecks(app)
    )
    stack = cdk.Stack(app, "Nag", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ClaimCheckStore(stack, "Store", overflow_bucket=False)
    app.synth()  # raises ValidationFailed on any unacknowledged finding
    assert store.bucket is None
