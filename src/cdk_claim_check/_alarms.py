"""CloudWatch alarms for a claim-check pipe: failures surface instead of piling up silently."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PIPES_NAMESPACE = "AWS/EventBridge/Pipes"
_PERIOD = Duration.minutes(5)


def _any_occurrence(
    scope: Construct, id: str, metric: cloudwatch.IMetric, description: str
) -> cloudwatch.Alarm:
    return cloudwatch.Alarm(
        scope,
        id,
        metric=metric,
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description,
    )


def build_alarms(
    scope: Construct,
    *,
    pipe: pipes.CfnPipe,
    function: lambda_.IFunction,
    dead_letter_queue: sqs.IQueue | None,
) -> Mapping[str, cloudwatch.Alarm]:
    """Alarms keyed by name: pipe failures and throttles, enrichment errors, and a non-empty source DLQ."""

    def pipe_metric(name: str) -> cloudwatch.Metric:
        # A pipe's Ref is its name, which is the metrics' PipeName dimension.
        return cloudwatch.Metric(
            namespace=PIPES_NAMESPACE,
            metric_name=name,
            dimensions_map={"PipeName": pipe.ref},
            statistic=cloudwatch.Stats.SUM,
            period=_PERIOD,
        )

    alarms = {
        "PipeExecutionFailed": _any_occurrence(
            scope,
            "PipeExecutionFailedAlarm",
            pipe_metric("ExecutionFailed"),
            "The claim-check pipe failed a batch; its messages return to the source queue and then its DLQ.",
        ),
        "PipeExecutionThrottled": _any_occurrence(
            scope,
            "PipeExecutionThrottledAlarm",
            pipe_metric("ExecutionThrottled"),
            "The claim-check pipe was throttled.",
        ),
        "FunctionErrors": _any_occurrence(
            scope,
            "FunctionErrorsAlarm",
            function.metric_errors(period=_PERIOD, statistic=cloudwatch.Stats.SUM),
            "The claim-check enrichment function failed; the error names the record and the reason.",
        ),
    }
    if dead_letter_queue is not None:
        alarms["SourceDeadLetterQueueNotEmpty"] = _any_occurrence(
            scope,
            "SourceDeadLetterQueueNotEmptyAlarm",
            dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
            ),
            "Messages the claim-check pipe could not process are waiting in the source queue's DLQ.",
        )
    return MappingProxyType(alarms)
