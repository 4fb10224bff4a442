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
