"""Acknowledging the cdk-nag findings that are inherent to what the constructs do.

cdk-nag v3 matches each finding by its exact id (``AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]``),
so resource expressions are rendered the way cdk-nag renders them.
"""

from __future__ import annotations

from typing import Any

import jsii
from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct, IValidation


def render_intrinsic(value: Any) -> str:
    """A resolved resource expression as cdk-nag writes it in finding ids: ``<Logical.Arn>`` for
    ``Fn::GetAtt``, ``<Logical>`` for ``Ref``, ``Fn::Join`` parts joined, strings as they are."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if function == "Fn::ImportValue" and isinstance(argument, str):
            return argument  # a reference to another stack: cdk-nag names it by its export
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(render_intrinsic(part) for part in parts)
    raise ValueError(f"cannot render {value!r} as a cdk-nag finding id")


def wildcard_resource_finding(scope: IConstruct, resource: str) -> str:
    """The IAM5 finding id of a policy resource such as ``bucket.arn_for_objects("*")``."""
    rendered = render_intrinsic(Stack.of(scope).resolve(resource))
    return f"AwsSolutions-IAM5[Resource::{rendered}]"


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))


def acknowledge_wildcard_resource(scope: IConstruct, resource: str, reason: str) -> None:
    """Acknowledge the IAM5 finding of ``resource`` (``bucket.arn_for_objects("*")``) in whatever form the
    reference takes in the template: the in-stack form now, and again once synthesis has turned a
    reference to another stack into an ``Fn::ImportValue`` (a validation runs after that step)."""
    acknowledge(scope, wildcard_resource_finding(scope, resource), reason)
    scope.node.add_validation(_LateAcknowledgement(scope, resource, reason))


@jsii.implements(IValidation)
class _LateAcknowledgement:
    def __init__(self, scope: IConstruct, resource: str, reason: str) -> None:
        self._scope, self._resource, self._reason = scope, resource, reason

    def validate(self) -> list[str]:
        acknowledge(self._scope, wildcard_resource_finding(self._scope, self._resource), self._reason)
        return []


COMPLIANCE_PACKS = ("NIST.800.53.R5", "HIPAA.Security")
"""The rule packs whose findings on the constructs' own design are acknowledged (with the same reason)."""

PIPE_FINDINGS = {
    "IAMNoInlinePolicy": (
        "The roles' policies name only this construct's own resources and actions; they belong to the role "
        "and are not meant to be attached elsewhere, which a managed policy would allow."
    ),
    "LambdaConcurrency": (
        "Pipes invokes the enrichment once per batch per poller, which bounds its concurrency; a reserved "
        "concurrency below that would throttle the pipe into redelivering batches."
    ),
    "LambdaDLQ": (
        "Pipes invokes the enrichment synchronously, where a function DLQ never applies; a failed batch "
        "returns to the source queue and its redrive policy moves it to the source DLQ."
    ),
    "LambdaInsideVPC": (
        "The enrichment calls only AWS APIs (DynamoDB, S3, X-Ray, CloudWatch Logs) over TLS with a "
        "least-privilege role; it reaches nothing inside a VPC."
    ),
    "CloudWatchAlarmAction": (
        "What an alarm notifies is the caller's choice: add actions through the construct's alarms mapping."
    ),
}
"""Findings inherent to an enrichment pipe, by rule name (without the pack prefix)."""

UNENCRYPTED_LOGS_REASON = (
    "The logs hold message ids and failure reasons, never payload content (pipe execution data is off "
    "unless pipe_log_include_execution_data is set); pass log_encryption_key to encrypt them with a "
    "customer managed key."
)

UNLOGGED_BUCKET_REASON = (
    "Only the two function roles can reach the payload objects (IAM grants on their prefixes, a TLS-only "
    "bucket policy); each function logs the message ids of the batches it stores or redeems. Nothing in "
    "this construct records object-level access: enable CloudTrail S3 data events on the bucket, or pass "
    "server_access_logs_bucket, where an audit trail of object access is required."
)
"""True of a store bucket without server access logs: what audits access, and what does not."""

TABLE_FINDINGS = {
    "DynamoDBInBackupPlan": (
        "Claims are transient (they expire with the time to live) and the table has point-in-time recovery; "
        "add it to an AWS Backup plan where your policy requires one."
    ),
}
"""Findings inherent to the store's table, by rule name (without the pack prefix)."""

BUCKET_FINDINGS = {
    "S3BucketLoggingEnabled": UNLOGGED_BUCKET_REASON,
    "S3BucketReplicationEnabled": (
        "Payloads live only as long as their claims (days); the table item and the object are written by "
        "the same batch, so replicating the bucket alone would not make a claim redeemable elsewhere."
    ),
    "S3BucketVersioningEnabled": (
        "Objects are content-addressed and written once; versions would only keep expired payloads "
        "beyond their time to live."
    ),
}
"""Findings inherent to the store's overflow bucket, by rule name (without the pack prefix)."""

SSE_S3_REASON = (
    "The bucket uses SSE-S3 unless the store is given encryption_key, which switches it to SSE-KMS."
)


def acknowledge_compliance_findings(scope: IConstruct, findings: dict[str, str]) -> None:
    """Acknowledge ``findings`` (rule name -> reason) of every pack in ``COMPLIANCE_PACKS`` on ``scope``."""
    for pack in COMPLIANCE_PACKS:
        for rule, reason in findings.items():
            acknowledge(scope, f"{pack}-{rule}", reason)
