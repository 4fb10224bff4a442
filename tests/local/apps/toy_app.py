"""A hand-written claim-check flow on plain L1 pipes, to test the local run without the library's constructs.

inbox (DLQ) -> split pipe -> bus -> rule -> claims queue (DLQ) -> retrieval pipe -> state machine
                                         -> to-lambda queue (DLQ) -> retrieval pipe -> Lambda function
                                         -> to-topic queue (DLQ) -> retrieval pipe -> SNS topic -> sink queue
Batch sizes and detail-type come from the environment, so tests can show the run follows the template.
"""

import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as sns_subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn

ASSET = str(Path(__file__).parent / "toy_asset")
SPLIT_BATCH = int(os.environ.get("TOY_SPLIT_BATCH", "3"))


def _function(scope, name, handler, table, role):
    return lambda_.Function(
        scope,
        name,
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler=handler,
        code=lambda_.Code.from_asset(ASSET),
        environment={"TOY_TABLE": table.table_name, "TOY_ROLE": role},
    )


def _pipe(scope, name, source, enrichment, target_arn, batch, target_parameters=None):
    role = iam.Role(scope, f"{name}Role", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"))
    return pipes.CfnPipe(
        scope,
        name,
        role_arn=role.role_arn,
        source=source.queue_arn,
        enrichment=enrichment.function_arn,
        target=target_arn,
        source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
            sqs_queue_parameters=pipes.CfnPipe.PipeSourceSqsQueueParametersProperty(batch_size=batch)
        ),
        target_parameters=target_parameters,
    )


class ToyStack(cdk.Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        table = dynamodb.Table(
            self, "Table", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING)
        )
        inbox_dlq = sqs.Queue(self, "InboxDlq")
        inbox = sqs.Queue(
            self, "Inbox", dead_letter_queue=sqs.DeadLetterQueue(queue=inbox_dlq, max_receive_count=2)
        )
        claims_dlq = sqs.Queue(self, "ClaimsDlq")
        claims = sqs.Queue(
            self, "Claims", dead_letter_queue=sqs.DeadLetterQueue(queue=claims_dlq, max_receive_count=3)
        )
        to_lambda = sqs.Queue(
            self,
            "ToLambda",
            dead_letter_queue=sqs.DeadLetterQueue(queue=sqs.Queue(self, "ToLambdaDlq"), max_receive_count=3),
        )
        to_topic = sqs.Queue(
            self,
            "ToTopic",
            dead_letter_queue=sqs.DeadLetterQueue(queue=sqs.Queue(self, "ToTopicDlq"), max_receive_count=3),
        )
        restored_topic = sns.Topic(self, "Restored")
        restored_topic.add_subscription(
            sns_subscriptions.SqsSubscription(sqs.Queue(self, "RestoredSink"), raw_message_delivery=True)
        )
        bus = events.EventBus(self, "Bus")
        events.Rule(
            self,
            "ClaimsRule",
            event_bus=bus,
            event_pattern=events.EventPattern(detail_type=["ToyClaim"]),
            targets=[
                events_targets.SqsQueue(claims),
                events_targets.SqsQueue(to_lambda),
                events_targets.SqsQueue(to_topic),
            ],
        )
        workflow = sfn.StateMachine(
            self, "Workflow", definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(self, "Done"))
        )
        _pipe(
            self,
            "Split",
            inbox,
            _function(self, "SplitFn", "toy.split", table, "split"),
            bus.event_bus_arn,
            SPLIT_BATCH,
            pipes.CfnPipe.PipeTargetParametersProperty(
                event_bridge_event_bus_parameters=pipes.CfnPipe.PipeTargetEventBridgeEventBusParametersProperty(
                    detail_type="ToyClaim", source="toy.orders"
                )
            ),
        )
        _pipe(
            self,
            "Retrieve",
            claims,
            _function(self, "RetrieveFn", "toy.retrieve", table, "retrieve"),
            workflow.state_machine_arn,
            2,
        )
        consumer = _function(self, "ConsumerFn", "toy.consume", table, "consume")
        _pipe(
            self,
            "RetrieveToLambda",
            to_lambda,
            _function(self, "Retrieve2Fn", "toy.retrieve", table, "retrieve"),
            consumer.function_arn,
            5,
        )
        _pipe(
            self,
            "RetrieveToTopic",
            to_topic,
            _function(self, "Retrieve3Fn", "toy.retrieve", table, "retrieve"),
            restored_topic.topic_arn,
            10,
        )


app = cdk.App()
ToyStack(app, "ToyStack")
app.synth()
