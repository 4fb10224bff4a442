"""A CDK user's app, outside the package: both pipes over imported resources only.

tests/release/test_consumer.py installs the built wheel into a fresh virtual environment with only
its declared dependencies, runs this app there (``python app.py <outdir>``) and type-checks it with
``mypy --strict``.
"""

from __future__ import annotations

import sys

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore

ACCOUNT = "111122223333"
REGION = "eu-west-1"


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


class ExistingResourcesStack(cdk.Stack):
    """Claim checks between resources another team already runs."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id, env=cdk.Environment(account=ACCOUNT, region=REGION))
        table = dynamodb.Table.from_table_name(self, "Table", "orders-claims")
        bucket = s3.Bucket.from_bucket_name(self, "Bucket", "orders-claims-payloads")
        store = ClaimCheckStore.from_table(
            self, "Store", table=table, bucket=bucket, time_to_live=cdk.Duration.days(7)
        )
        inbox = sqs.Queue.from_queue_arn(self, "Inbox", _arn("sqs", "orders-inbox"))
        inbox_dlq = sqs.Queue.from_queue_arn(self, "InboxDlq", _arn("sqs", "orders-inbox-dlq"))
        bus = events.EventBus.from_event_bus_arn(self, "Bus", _arn("events", "event-bus/orders"))
        split = ClaimCheckSplitPipe(
            self,
            "Split",
            source=inbox,
            source_dead_letter_queue=inbox_dlq,
            store=store,
            target=bus,
            keep_fields=["orderId"],
            detail_type="OrderReceived",
            event_source="shop.orders",
        )
        claims = sqs.Queue.from_queue_arn(self, "Claims", _arn("sqs", "orders-claims"))
        claims_dlq = sqs.Queue.from_queue_arn(self, "ClaimsDlq", _arn("sqs", "orders-claims-dlq"))
        workflow = sfn.StateMachine.from_state_machine_arn(
            self, "Workflow", _arn("states", "stateMachine:fulfil-order")
        )
        retrieve = ClaimCheckRetrievalPipe(
            self,
            "Retrieve",
            source=claims,
            source_dead_letter_queue=claims_dlq,
            store=store,
            target=workflow,
            max_payload_size=cdk.Size.kibibytes(200),
        )
        cdk.CfnOutput(self, "SplitPipe", value=split.pipe.ref)
        cdk.CfnOutput(self, "RetrievePipe", value=retrieve.pipe.ref)


def main(outdir: str) -> None:
    app = cdk.App(outdir=outdir)
    ExistingResourcesStack(app, "ExistingResources")
    app.synth()


if __name__ == "__main__":
    main(sys.argv[1])
