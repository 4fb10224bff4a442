"""A second, small app: the claim check travels through an SQS queue and lands in a Lambda function.

inbox queue (DLQ) -> ClaimCheckSplitPipe -> claims queue (SQS target, DLQ)
  -> ClaimCheckRetrievalPipe -> Lambda consumer (Lambda target)

No bus and no workflow: it shows the constructs with other target kinds, and that the local run
follows whatever the template says. Feed it with ``--messages-from`` (one body per line).
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from constructs import Construct

from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore

from .stack import order_consumer, queue_with_dlq


class ClaimCheckTargetsStack(Stack):
    """Split to an SQS queue, retrieve to a Lambda function."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        store = ClaimCheckStore(
            self, "Store", time_to_live=Duration.days(1), removal_policy=RemovalPolicy.DESTROY
        )
        inbox = queue_with_dlq(self, "Inbox")
        claims = queue_with_dlq(self, "Claims")
        ClaimCheckSplitPipe(self, "Split", source=inbox, store=store, target=claims, keep_fields=["orderId"])
        consumer = order_consumer(self, "Consumer")
        ClaimCheckRetrievalPipe(self, "Retrieve", source=claims, store=store, target=consumer, batch_size=4)
        CfnOutput(self, "InboxQueueUrl", value=inbox.queue_url)
        CfnOutput(self, "ClaimsQueueUrl", value=claims.queue_url)
