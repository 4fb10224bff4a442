"""The example stack: the original AWS claim-check sample in full, with its flaws fixed.

sample-data creator Lambda -> inbox queue (DLQ) -> ClaimCheckSplitPipe -> application bus
  -> rule "orders that fit a workflow input" -> processor queue (DLQ) -> ClaimCheckRetrievalPipe
     -> Step Functions workflow (logging ALL, tracing)
  -> rule "orders too large for a workflow input" -> large-order queue (DLQ)
     -> ClaimCheckRetrievalPipe -> Lambda consumer
  -> debug rule: every bus event to a log group, to show that only claim checks cross the bus

Fixed from the sample: no fixed bus, rule or export names; rules match the claim-check events, not
everything; maxReceiveCount 5 instead of 1; whole batches instead of ``event[0]``; payloads keyed by
message, with a TTL and an integrity check; and no payload larger than Step Functions' 256 KiB
execution input is ever sent to the workflow (the sample would fail those executions): the claim
check's ``bytes`` routes large orders to a Lambda consumer, which takes up to 6 MB per batch.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Size, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk_claim_check import ClaimCheckDashboard, ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore

from .workflow import order_workflow

EXAMPLES_DIR = Path(__file__).resolve().parent.parent
# The local run invokes a function carrying this metadata to feed the flow (see cdk_claim_check.local.feed).
LOCAL_PRODUCER_METADATA = "cdk-claim-check:local-producer"
DETAIL_TYPE = "OrderReceived"
EVENT_SOURCE = "shop.orders"
# Orders up to this size go to the workflow, three per execution: 3 x 80,000 bytes plus the array's
# punctuation stays under the 262,144-byte Step Functions execution input.
WORKFLOW_MAX_ORDER_BYTES = 80_000
WORKFLOW_BATCH_SIZE = 3


def queue_with_dlq(scope: Construct, construct_id: str) -> sqs.Queue:
    """An encrypted, TLS-only queue whose messages move to a DLQ after five failed receives."""
    dead_letters = sqs.Queue(
        scope,
        f"{construct_id}Dlq",
        enforce_ssl=True,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        retention_period=Duration.days(14),
    )
    return sqs.Queue(
        scope,
        construct_id,
        enforce_ssl=True,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        visibility_timeout=Duration.seconds(60),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=5),
    )


def sample_data_creator(scope: Construct, inbox: sqs.IQueue) -> lambda_.Function:
    """The Lambda that sends generated orders to the inbox (invoke it with ``{"count": N}``)."""
    function = lambda_.Function(
        scope,
        "SampleDataCreator",
        runtime=lambda_.Runtime.PYTHON_3_13,
        architecture=lambda_.Architecture.ARM_64,
        handler="handler.handler",
        code=lambda_.Code.from_asset(str(EXAMPLES_DIR / "sample_data_creator"), exclude=["__pycache__"]),
        memory_size=512,
        timeout=Duration.minutes(5),
        environment={"QUEUE_URL": inbox.queue_url},
        description="Sends realistic sample orders (a few KB to about 900 KB) to the claim-check inbox",
    )
    inbox.grant_send_messages(function)
    cfn_function = function.node.default_child
    assert isinstance(cfn_function, lambda_.CfnFunction)
    cfn_function.add_metadata(LOCAL_PRODUCER_METADATA, {"event": {"count": "N", "seed": "S"}})
    return function


def order_consumer(scope: Construct, construct_id: str) -> lambda_.Function:
    """A Lambda that prices a batch of restored orders (a retrieval pipe's Lambda target)."""
    return lambda_.Function(
        scope,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_13,
        architecture=lambda_.Architecture.ARM_64,
        handler="handler.handler",
        code=lambda_.Code.from_asset(str(EXAMPLES_DIR / "order_consumer"), exclude=["__pycache__"]),
        memory_size=1024,
        timeout=Duration.seconds(30),
        description="Prices batches of restored orders",
    )


class ClaimCheckExampleStack(Stack):
    """The whole claim-check flow of the original AWS sample, on cdk-claim-check."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        store = ClaimCheckStore(
            self,
            "Store",
            overflow_bucket=True,
            # As long as the DLQs keep messages (14 days): a claim check redriven from a DLQ can
            # still be redeemed.
            time_to_live=Duration.days(14),
            removal_policy=RemovalPolicy.DESTROY,
        )
        inbox = queue_with_dlq(self, "Inbox")
        creator = sample_data_creator(self, inbox)
        bus = events.EventBus(self, "ApplicationBus")

        split = ClaimCheckSplitPipe(
            self,
            "Split",
            source=inbox,
            store=store,
            target=bus,
            keep_fields=["orderId", "type", "channel", "customer.tier"],
            detail_type=DETAIL_TYPE,
            event_source=EVENT_SOURCE,
        )

        # Rules match the claim-check events by source, detail-type and the claim check's size.
        processor_queue = queue_with_dlq(self, "ProcessorQueue")
        events.Rule(
            self,
            "OrdersForWorkflow",
            event_bus=bus,
            description="Claim checks of orders small enough for a workflow input",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE],
                detail_type=[DETAIL_TYPE],
                detail={"claimCheck": {"bytes": events.Match.less_than_or_equal(WORKFLOW_MAX_ORDER_BYTES)}},
            ),
            targets=[events_targets.SqsQueue(processor_queue)],
        )
        workflow = order_workflow(self, "OrderWorkflow")
        retrieve = ClaimCheckRetrievalPipe(
            self,
            "Retrieve",
            source=processor_queue,
            store=store,
            target=workflow,
            batch_size=WORKFLOW_BATCH_SIZE,
            max_payload_size=Size.bytes(WORKFLOW_MAX_ORDER_BYTES),
        )

        large_order_queue = queue_with_dlq(self, "LargeOrderQueue")
        events.Rule(
            self,
            "LargeOrders",
            event_bus=bus,
            description="Claim checks of orders too large for a workflow input",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE],
                detail_type=[DETAIL_TYPE],
                detail={"claimCheck": {"bytes": events.Match.greater_than(WORKFLOW_MAX_ORDER_BYTES)}},
            ),
            targets=[events_targets.SqsQueue(large_order_queue)],
        )
        consumer = order_consumer(self, "LargeOrderConsumer")
        retrieve_large = ClaimCheckRetrievalPipe(
            self, "RetrieveLarge", source=large_order_queue, store=store, target=consumer
        )
        # One page for the person on call: both halves of the flow, their DLQs and failures by reason.
        dashboard = ClaimCheckDashboard(
            self, "FlowDashboard", split=split, retrievals=[retrieve, retrieve_large]
        )

        # Every event on the bus, whatever its source, to show that only claim checks cross it.
        bus_log = logs.LogGroup(
            self, "BusEventLog", retention=logs.RetentionDays.ONE_WEEK, removal_policy=RemovalPolicy.DESTROY
        )
        events.Rule(
            self,
            "LogEveryBusEvent",
            event_bus=bus,
            description="Debug: every event on the application bus to CloudWatch Logs",
            event_pattern=events.EventPattern(source=events.Match.prefix("")),
            targets=[events_targets.CloudWatchLogGroup(bus_log)],
        )

        for output_id, value, description in [
            (
                "SampleDataCreatorName",
                creator.function_name,
                'Invoke with {"count": 20} to send sample orders',
            ),
            ("InboxQueueUrl", inbox.queue_url, "Queue the split pipe reads"),
            ("ApplicationBusName", bus.event_bus_name, "Bus that carries only claim checks"),
            ("ClaimCheckTableName", store.table.table_name, "Claim-check store table"),
            ("OrderWorkflowArn", workflow.state_machine_arn, "Workflow that gets the restored orders"),
            ("BusEventLogGroup", bus_log.log_group_name, "Every bus event, for inspection"),
            ("DashboardName", dashboard.dashboard.dashboard_name, "The flow's CloudWatch dashboard"),
        ]:
            CfnOutput(self, output_id, value=value, description=description)
