"""The order-processing workflow at the end of the example: it works on the restored payloads.

A retrieval pipe starts it with the whole batch as one JSON array of orders; a Map summarizes
each order (its id, customer tier, line and attachment counts) and a last step counts the batch.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


def order_workflow(scope: Construct, construct_id: str) -> sfn.StateMachine:
    """A STANDARD state machine with ALL-level logging to its own log group and X-Ray tracing."""
    summarize_order = sfn.Pass(
        scope,
        "SummarizeOrder",
        parameters={
            "orderId.$": "$.orderId",
            "customerTier.$": "$.customer.tier",
            "lineCount.$": "States.ArrayLength($.items)",
            "attachmentCount.$": "States.ArrayLength($.attachments)",
        },
    )
    for_each_order = sfn.Map(scope, "ForEachOrder", items_path="$", max_concurrency=10).item_processor(
        summarize_order
    )
    summarize_batch = sfn.Pass(
        scope,
        "SummarizeBatch",
        parameters={"orderCount.$": "States.ArrayLength($)", "orders.$": "$"},
    )
    log_group = logs.LogGroup(
        scope,
        f"{construct_id}Logs",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=RemovalPolicy.DESTROY,
    )
    return sfn.StateMachine(
        scope,
        construct_id,
        definition_body=sfn.DefinitionBody.from_chainable(for_each_order.next(summarize_batch)),
        tracing_enabled=True,
        # Errors only, and without execution data: the restored orders carry names and addresses, which
        # do not belong in CloudWatch Logs.
        logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ERROR, include_execution_data=False),
    )
