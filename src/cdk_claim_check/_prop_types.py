"""Props of the wrong kind fail at once, naming the prop, what was given and what to pass.

Python does not check annotations, and jsii reports a wrong kind deep inside the CDK (an
``AttributeError`` on ``key_arn``, a deserialization error), or not at all: the string ``"false"``
is truthy, so ``alarms_enabled="false"`` would turn alarms on. :func:`checked_props` checks every
argument of a public constructor or method against its annotation before the body runs, so each
new prop is checked by writing its annotation.
"""

from __future__ import annotations

import difflib
import enum
import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

from aws_cdk import Duration, Size
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

_P = ParamSpec("_P")
_R = TypeVar("_R")

# jsii interfaces cannot be checked with isinstance; each is known by an attribute every
# implementation has (created in the app or imported).
_INTERFACES: dict[Any, tuple[str, str]] = {
    kms.IKey: ("key_arn", "a kms.IKey (kms.Key, kms.Key.from_key_arn(...))"),
    logs.ILogGroup: ("log_group_arn", "a logs.ILogGroup (logs.LogGroup, LogGroup.from_log_group_name())"),
    s3.IBucket: ("bucket_arn", "an s3.IBucket (s3.Bucket, Bucket.from_bucket_name(...))"),
    sqs.IQueue: ("queue_arn", "an sqs.IQueue (sqs.Queue, Queue.from_queue_arn(...))"),
    firehose.IDeliveryStream: ("delivery_stream_arn", "a kinesisfirehose.IDeliveryStream"),
    lambda_.ILayerVersion: ("layer_version_arn", "a lambda_.ILayerVersion"),
    dynamodb.ITable: ("table_arn", "a dynamodb.ITable (dynamodb.Table, Table.from_table_attributes(...))"),
    iam.IGrantable: ("grant_principal", "an iam.IGrantable (a lambda_.Function, an iam.Role)"),
}
_CLASSES: dict[type, str] = {
    bool: "True or False",
    str: "a str",
    Duration: "a Duration, e.g. Duration.seconds(60)",
    Size: "a Size, e.g. Size.kibibytes(200)",
}
_NOT_CHECKED = object()
# Checked by the pipes themselves, with hints that depend on what was passed (a topic as source, say).
_CHECKED_BY_THE_PIPES = frozenset({"source", "store", "target"})


def _describe(hint: Any) -> str:
    if hint in _INTERFACES:
        return _INTERFACES[hint][1]
    if hint in _CLASSES:
        return _CLASSES[hint]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in typing.get_args(hint) if arg is not type(None))
    if typing.get_origin(hint) is Sequence:
        (item,) = typing.get_args(hint)
        alternatives = _describe(item).split(" or ")
        return "a list of " + " or ".join(a.removeprefix("a ").removeprefix("an ") for a in alternatives)
    if isinstance(hint, type) and hint.__module__.startswith("cdk_claim_check"):
        return f"{'an' if hint.__name__[0] in 'AEIOU' else 'a'} {hint.__name__}"
    if isinstance(hint, type):
        return f"a {hint.__module__.split('.')[-1]}.{hint.__name__}"
    return str(hint)


def _matches(value: Any, hint: Any) -> bool | object:
    """Whether ``value`` is of the kind ``hint`` names; ``_NOT_CHECKED`` for kinds checked elsewhere."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        results = [_matches(value, arg) for arg in typing.get_args(hint)]
        if any(result is True for result in results):
            return True
        return _NOT_CHECKED if any(result is _NOT_CHECKED for result in results) else False
    if hint is type(None):
        return value is None
    if origin is Sequence:
        (item,) = typing.get_args(hint)
        if typing.get_origin(item) is Mapping:
            return _NOT_CHECKED  # filter patterns: checked, with an example, by the pipes
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            return False
        results = [_matches(element, item) for element in value]
        return _NOT_CHECKED if _NOT_CHECKED in results else all(results)
    if hint in _INTERFACES:
        return getattr(value, _INTERFACES[hint][0], None) is not None
    if hint in _CLASSES:
        return isinstance(value, hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum) and hint.__module__.startswith("aws_cdk"):
        return isinstance(value, hint)
    if isinstance(hint, type) and hint.__module__.startswith("aws_cdk") and not hint.__name__.startswith("I"):
        return isinstance(value, hint)
    if (
        isinstance(hint, type)
        and hint.__module__.startswith("cdk_claim_check")
        and not issubclass(hint, enum.Enum)
        and not getattr(hint, "_is_protocol", False)
    ):
        return isinstance(value, hint)  # ExtendedClientBucket, say
    return _NOT_CHECKED  # ints (checked with their range), our enums (strings accepted), targets, stores


def check_prop(owner: str, prop: str, value: Any, hint: Any) -> None:
    """TypeError naming ``prop`` when ``value`` is not of the kind ``hint`` names; ValueError for a
    Duration or Size that is an unresolved token (its number is needed at synth)."""
    if _matches(value, hint) is False:
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        kinds = [arg for arg in typing.get_args(hint) if arg is not type(None)] if union else [hint]
        what = " or ".join(_describe(kind) for kind in kinds)
        if union and type(None) in typing.get_args(hint):
            what += " or None"
        kind = type(value).__name__
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        raise TypeError(f"{owner}: {prop}={value!r} is {article} {kind}; pass {what}")
    if isinstance(value, (Duration, Size)) and value.is_unresolved():
        raise ValueError(
            f"{owner}: {prop} is an unresolved token; the construct needs its value at synth time to check "
            f"it against the service limits: pass a plain {type(value).__name__}"
        )


def check_props(owner: str, values: Mapping[str, Any], hints: Mapping[str, Any]) -> None:
    """:func:`check_prop` for each of ``values`` that ``hints`` annotates."""
    for prop, value in values.items():
        if prop in hints:
            check_prop(owner, prop, value, hints[prop])


def unknown_prop_error(owner: str, prop: str, known: Sequence[str]) -> TypeError:
    """The TypeError for a prop nobody declared, naming the closest known one."""
    close = difflib.get_close_matches(prop, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return TypeError(f"{owner} got an unexpected prop {prop!r}{hint}")


def checked_props(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Check the arguments of ``function`` against its annotations before it runs.

    Keyword arguments that the signature does not name are left to ``function`` (the pipes' shared
    props arrive as ``**options`` and are checked, with the pipe's own prop names for hints, when
    they are resolved).
    """
    signature = inspect.signature(function)
    hints: dict[str, Any] = {}

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not hints:
            hints.update(typing.get_type_hints(function))
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return function(*args, **kwargs)  # Python's own error for a missing or extra argument
        named = {
            name: value
            for name, value in bound.arguments.items()
            if name not in _CHECKED_BY_THE_PIPES
            and signature.parameters[name].kind
            not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
        }
        check_props(_owner(function, bound.arguments), named, hints)
        return function(*args, **kwargs)

    return wrapper


def _owner(function: Callable[..., Any], arguments: Mapping[str, Any]) -> str:
    """How an error names the call: ``ClaimCheckSplitPipe``, ``ClaimCheckStore.grant_redeem``."""
    receiver = arguments.get("self", arguments.get("cls"))
    if receiver is None:
        return function.__qualname__
    owner = receiver.__name__ if isinstance(receiver, type) else type(receiver).__name__
    return owner if function.__name__ == "__init__" else f"{owner}.{function.__name__}"


def own_prop_names(cls: type) -> list[str]:
    """The keyword props a class's constructor names itself (for "did you mean" hints)."""
    parameters = inspect.signature(getattr(cls, "__init__")).parameters.values()  # noqa: B009
    return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def real_key(owner: str, prop: str, key: kms.IKey | None) -> kms.IKey | None:
    """The key an IAM policy must name for ``key``: an alias's target key (a policy that names an
    alias grants nothing on the key); an alias whose target is unknown is refused."""
    if key is None or not hasattr(key, "alias_name"):
        return key
    try:
        target: kms.IKey = key.alias_target_key  # type: ignore[attr-defined]
    except Exception:  # jsii: an alias imported by name has no known target
        target = None  # type: ignore[assignment]
    if target is None or not isinstance(getattr(target, "key_arn", None), str):
        raise ValueError(
            f"{owner}: {prop} is a KMS alias whose key is unknown here; IAM policies must name the key "
            "itself, not an alias: pass the key (kms.Key.from_key_arn(...)), or an alias made with "
            "kms.Alias.from_alias_attributes(..., alias_target_key=key)"
        )
    return target
