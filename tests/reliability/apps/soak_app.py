"""The soak's flow, built from the library's constructs as a user would build it.

inbox (DLQ) -> ClaimCheckSplitPipe -> bus -> rule -> claims (DLQ) -> ClaimCheckRetrievalPipe -> delivered

Every queue takes 1 MiB messages. The functions' timeout is short (``SOAK_FUNCTION_TIMEOUT``
seconds) so that answers held past it cost the soak little time.
"""

import os

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_sqs as sqs

from cdk_claim_check import ClaimCheckRetrievalPipe, ClaimCheckSplitPipe, ClaimCheckStore

FUNCTION_TIMEOUT = cdk.Duration.seconds(int(os.environ.get("SOAK_FUNCTION_TIMEOUT", "10")))
MAX_MESSAGE_BYTES = 1_048_576


def _queue_with_dlq(scope: cdk.Stack, name: str) -> sqs.Queue:
    dlq = sqs.Queue(scope, f"{name}Dlq", enforce_ssl=True, max_message_size_bytes=MAX_MESSAGE_BYTES)
    return sqs.Queue(
        scope,
        name,
        enforce_ssl=True,
        max_message_size_bytes=MAX_MESSAGE_BYTES,
        visibility_timeout=cdk.Duration.minutes(2),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5),
    )


class SoakStack(cdk.Stack):
    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        store = ClaimCheckStore(self, "Store", removal_policy=cdk.RemovalPolicy.DESTROY)
        inbox = _queue_with_dlq(self, "Inbox")
        claims = _queue_with_dlq(self, "Claims")
        delivered = sqs.Queue(self, "Delivered", enforce_ssl=True, max_message_size_bytes=MAX_MESSAGE_BYTES)
        bus = events.EventBus(self, "Bus")
        ClaimCheckSplitPipe(
            self,
            "Split",
            source=inbox,
            store=store,
            target=bus,
            keep_fields=["seq"],
            detail_type="SoakMessage",
            event_source="soak",
            function_timeout=FUNCTION_TIMEOUT,
        )
        events.Rule(
            self,
            "ToClaims",
            event_bus=bus,
            event_pattern=events.EventPattern(source=["soak"]),
            targets=[events_targets.SqsQueue(claims)],
        )
        ClaimCheckRetrievalPipe(
            self, "Retrieve", source=claims, store=store, target=delivered, function_timeout=FUNCTION_TIMEOUT
        )


app = cdk.App()
SoakStack(app, "Soak")
app.synth()
