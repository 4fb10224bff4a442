"""Physical names for a template's resources, and CloudFormation intrinsic functions resolved to them.

The local run never deploys with CloudFormation, so it plays CloudFormation's part: each resource
gets a physical name (the one the template gives, else one derived from its logical id, as
CloudFormation would), and ``Ref``/``Fn::GetAtt``/``Fn::Join``/``Fn::Sub``/... in properties and
environment variables resolve to the names, ARNs and URLs of the resources created in moto.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_ID = "123456789012"  # moto's default account
PARTITION = "aws"


class UnresolvableError(ValueError):
    """An intrinsic the local run cannot resolve (for example ``Fn::ImportValue``)."""


@dataclass
class PhysicalResource:
    """What ``Ref`` and ``Fn::GetAtt`` return for one resource."""

    logical_id: str
    type: str
    name: str
    ref: str
    attributes: dict[str, str] = field(default_factory=dict)


# resource type -> (name property, longest name the service accepts)
_NAME_PROPERTIES: dict[str, tuple[str, int]] = {
    "AWS::SQS::Queue": ("QueueName", 80),
    "AWS::Events::EventBus": ("Name", 256),
    "AWS::Events::Rule": ("Name", 64),
    "AWS::StepFunctions::StateMachine": ("StateMachineName", 80),
    "AWS::DynamoDB::Table": ("TableName", 255),
    "AWS::DynamoDB::GlobalTable": ("TableName", 255),
    "AWS::S3::Bucket": ("BucketName", 63),
    "AWS::Lambda::Function": ("FunctionName", 64),
    "AWS::SNS::Topic": ("TopicName", 256),
    "AWS::Logs::LogGroup": ("LogGroupName", 512),
    "AWS::IAM::Role": ("RoleName", 64),
    "AWS::Pipes::Pipe": ("Name", 64),
}


def _generated_name(stack_name: str, logical_id: str, resource_type: str, limit: int) -> str:
    if resource_type == "AWS::Logs::LogGroup":
        return f"/local/{stack_name}/{logical_id}"
    name = f"{stack_name}-{logical_id}"
    if resource_type == "AWS::S3::Bucket":
        name = re.sub(r"[^a-z0-9-]", "-", name.lower())
    return name[:limit].rstrip("-")


def _arn(service: str, region: str, resource: str, *, account: str = ACCOUNT_ID) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"


def _describe(
    resource_type: str, logical_id: str, name: str, region: str, props: Mapping[str, Any]
) -> PhysicalResource:
    """The ``Ref`` value and attributes CloudFormation documents for each supported type."""
    attrs: dict[str, str]
    ref = name
    if resource_type == "AWS::SQS::Queue":
        arn = _arn("sqs", region, name)
        # The real URL comes from moto once the queue exists; see ResourceIndex.set_queue_url.
        ref = f"https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{name}"
        attrs = {"Arn": arn, "QueueName": name, "QueueUrl": ref}
    elif resource_type == "AWS::Events::EventBus":
        attrs = {"Arn": _arn("events", region, f"event-bus/{name}"), "Name": name}
    elif resource_type == "AWS::Events::Rule":
        bus = props.get("EventBusName")
        bus_name = bus if isinstance(bus, str) else "default"
        attrs = {"Arn": _arn("events", region, f"rule/{bus_name}/{name}")}
    elif resource_type == "AWS::StepFunctions::StateMachine":
        ref = _arn("states", region, f"stateMachine:{name}")
        attrs = {"Arn": ref, "Name": name}
    elif resource_type in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
        arn = _arn("dynamodb", region, f"table/{name}")
        attrs = {"Arn": arn, "StreamArn": f"{arn}/stream/local", "TableId": name}
    elif resource_type == "AWS::S3::Bucket":
        attrs = {
            "Arn": f"arn:{PARTITION}:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
        }
    elif resource_type == "AWS::Lambda::Function":
        attrs = {"Arn": _arn("lambda", region, f"function:{name}")}
    elif resource_type == "AWS::SNS::Topic":
        ref = _arn("sns", region, name)
        attrs = {"TopicArn": ref, "TopicName": name}
    elif resource_type == "AWS::Logs::LogGroup":
        attrs = {"Arn": _arn("logs", region, f"log-group:{name}:*")}
    elif resource_type == "AWS::IAM::Role":
        attrs = {"Arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}", "RoleId": name}
    elif resource_type == "AWS::Pipes::Pipe":
        attrs = {"Arn": _arn("pipes", region, f"pipe/{name}")}
    else:
        # Resources the local run does not create still get stable, recognisable values.
        attrs = {"Arn": _arn("local", region, f"{resource_type}/{logical_id}")}
    return PhysicalResource(logical_id=logical_id, type=resource_type, name=name, ref=ref, attributes=attrs)


class ResourceIndex:
    """Physical names of every resource of one stack template, and the resolver over them."""

    def __init__(self, template: Mapping[str, Any], *, stack_name: str, region: str) -> None:
        self.template = template
        self.stack_name = stack_name
        self.region = region
        self.resources: dict[str, PhysicalResource] = {}
        bare = Resolver(self, allow_resources=False)
        for logical_id, resource in self.template_resources.items():
            resource_type = str(resource.get("Type", ""))
            props = resource.get("Properties", {}) or {}
            name_property, limit = _NAME_PROPERTIES.get(resource_type, ("", 64))
            name = _generated_name(stack_name, logical_id, resource_type, limit)
            if name_property and name_property in props:
                # An explicit name made of literals and pseudo parameters; otherwise the generated one.
                with contextlib.suppress(UnresolvableError):
                    name = str(bare.resolve(props[name_property]))
            if resource_type == "AWS::SQS::Queue" and props.get("FifoQueue") and not name.endswith(".fifo"):
                name = f"{name[:75]}.fifo"
            resolved_props = {"EventBusName": self._bus_name_of(props.get("EventBusName"))}
            self.resources[logical_id] = _describe(resource_type, logical_id, name, region, resolved_props)
        for physical in self.resources.values():
            if physical.type == "AWS::Events::Rule":
                # Ref of a rule on a custom bus is "bus|rule", as CloudFormation returns it.
                bus = self._bus_name_of(
                    self.template_resources[physical.logical_id].get("Properties", {}).get("EventBusName")
                )
                if bus and bus != "default":
                    physical.ref = f"{bus}|{physical.name}"

    @property
    def template_resources(self) -> dict[str, dict[str, Any]]:
        """The template's ``Resources`` section."""
        resources: dict[str, dict[str, Any]] = self.template.get("Resources", {})
        return resources

    def _bus_name_of(self, value: Any) -> str | None:
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and "Ref" in value:
            target = self.template_resources.get(str(value["Ref"]))
            if target is not None:
                props = target.get("Properties", {}) or {}
                explicit = props.get("Name")
                if isinstance(explicit, str):
                    return explicit
                return _generated_name(self.stack_name, str(value["Ref"]), "AWS::Events::EventBus", 256)
        return None

    def set_queue_url(self, logical_id: str, url: str) -> None:
        """Record the URL moto gave a queue: ``Ref`` of a queue is its URL."""
        self.resources[logical_id].ref = url
        self.resources[logical_id].attributes["QueueUrl"] = url

    def of_type(self, *resource_types: str) -> list[PhysicalResource]:
        """The resources of the given CloudFormation types, in template order."""
        return [r for r in self.resources.values() if r.type in resource_types]

    def by_arn(self, arn: str) -> PhysicalResource | None:
        """The resource whose ARN (or ``Ref``, for types whose ``Ref`` is the ARN) is ``arn``."""
        for physical in self.resources.values():
            if arn in (physical.attributes.get("Arn"), physical.attributes.get("TopicArn"), physical.ref):
                return physical
        return None

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function replaced by its local value."""
        return Resolver(self).resolve(value)


class Resolver:
    """Evaluates CloudFormation intrinsic functions against a :class:`ResourceIndex`."""

    def __init__(self, index: ResourceIndex, *, allow_resources: bool = True) -> None:
        self._index = index
        self._allow_resources = allow_resources

    def _pseudo(self, name: str) -> str | None:
        return {
            "AWS::Region": self._index.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self._index.stack_name,
            "AWS::StackId": _arn(
                "cloudformation", self._index.region, f"stack/{self._index.stack_name}/local"
            ),
            "AWS::NotificationARNs": "",
        }.get(name)

    def _ref(self, name: str) -> Any:
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        parameters = self._index.template.get("Parameters", {})
        if name in parameters:
            if "Default" not in parameters[name]:
                raise UnresolvableError(f"parameter {name} has no default")
            return parameters[name]["Default"]
        if self._allow_resources and name in self._index.resources:
            return self._index.resources[name].ref
        raise UnresolvableError(f"Ref {name}")

    def _get_att(self, logical_id: str, attribute: str) -> str:
        if not self._allow_resources or logical_id not in self._index.resources:
            raise UnresolvableError(f"Fn::GetAtt {logical_id}.{attribute}")
        physical = self._index.resources[logical_id]
        if attribute in physical.attributes:
            return physical.attributes[attribute]
        return f"{physical.name}.{attribute}"  # an attribute the local run never reads

    def _sub(self, template: str, variables: Mapping[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in variables:
                return str(self.resolve(variables[expression]))
            if "." in expression and not expression.startswith("AWS::"):
                logical_id, attribute = expression.split(".", 1)
                return self._get_att(logical_id, attribute)
            return str(self._ref(expression))

        return re.sub(r"\$\{([^}]+)\}", replace, template)

    def _condition(self, name: str) -> bool:
        conditions = self._index.template.get("Conditions", {})
        if name not in conditions:
            raise UnresolvableError(f"Condition {name}")
        return bool(self.resolve(conditions[name]))

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic in ``value`` (dicts and lists recursively)."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value if item != {"Ref": "AWS::NoValue"}]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(str(arg))
            if key == "Fn::GetAtt":
                logical_id, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self._get_att(str(logical_id), str(self.resolve(attribute)))
            if key == "Fn::Join":
                delimiter, items = arg
                return str(delimiter).join(str(item) for item in self.resolve(items))
            if key == "Fn::Sub":
                template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return self._sub(str(template), variables)
            if key == "Fn::Select":
                position, items = self.resolve(arg)
                return items[int(position)]
            if key == "Fn::Split":
                delimiter, text = arg
                return str(self.resolve(text)).split(str(delimiter))
            if key == "Fn::FindInMap":
                map_name, first, second = (self.resolve(part) for part in arg)
                return self._index.template["Mappings"][map_name][first][second]
            if key == "Fn::If":
                condition, if_true, if_false = arg
                return self.resolve(if_true if self._condition(str(condition)) else if_false)
            if key == "Fn::Equals":
                left, right = self.resolve(arg)
                return left == right
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(item) for item in arg)
            if key == "Fn::Or":
                return any(self.resolve(item) for item in arg)
            if key == "Condition":
                return self._condition(str(arg))
            if key == "Fn::GetAZs":
                return [f"{self._index.region}{zone}" for zone in "abc"]
            if key in ("Fn::ImportValue", "Fn::Base64", "Fn::Cidr", "Fn::Transform"):
                raise UnresolvableError(f"{key} is not supported by the local run")
        return {key: self.resolve(item) for key, item in value.items() if item != {"Ref": "AWS::NoValue"}}
