"""Synth-time checks shared by both pipes: errors raise ValueError naming the prop and the fix."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from aws_cdk import Duration, Token
from aws_cdk import aws_sqs as sqs

from ._pipe_targets import ResolvedTarget, TargetKind, state_machine_type
from .runtime.contract import (
    LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES,
    MAX_BATCHING_WINDOW_SECONDS,
    SQS_SOURCE_MAX_UNWINDOWED_BATCH,
    StateMachineInvocation,
    max_batch_for_enrichment,
)

_Option = TypeVar("_Option", bound=StrEnum)

_MAX_DETAIL_TYPE_CHARS = 128
_MAX_EVENT_SOURCE_CHARS = 256
_EVENT_SOURCE_PATTERN = re.compile(r"^[\x20-\x7e]+$")


def coerce_option(prop: str, value: object, options: type[_Option]) -> _Option:
    """``value`` as a member of ``options``: the member itself, or its value or name in any case
    (``"error"``, ``"ERROR"``); ValueError naming the prop, what was given and what to pass otherwise."""
    if isinstance(value, options):
        return value
    if isinstance(value, str):
        for member in options:
            if value.casefold() in (member.value.casefold(), member.name.casefold()):
                return member
    choices = ", ".join(f"{options.__name__}.{member.name}" for member in options)
    raise ValueError(f"{prop}={value!r} is not a {options.__name__}; pass one of {choices}")


def check_whole_number(prop: str, value: object) -> int:
    """``value`` as a plain int; TypeError or ValueError naming the prop for a token, float or string."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{prop}={value!r} is a {type(value).__name__}; pass a whole number")
    if Token.is_unresolved(value):
        raise ValueError(
            f"{prop} is an unresolved token; the construct needs the number at synth time to check it "
            "against the service limits: pass a plain int"
        )
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{prop}={value!r} is not a whole number; pass an int")
    return int(value)


def resolve_batch_size(
    batch_size: int | None,
    *,
    target: ResolvedTarget,
    record_bytes: int,
    record_bytes_origin: str,
    batching_window: Duration | None,
) -> int:
    """The batch size to use: the caller's, checked, or the default for the target kind."""
    fitting = max_batch_for_enrichment(record_bytes)
    if batch_size is None:
        return min(target.kind.default_batch_size, fitting)
    batch_size = check_whole_number("batch_size", batch_size)
    if not 1 <= batch_size <= target.kind.max_batch_size:
        one_per_record = "" if target.kind.gets_whole_batch else " (the pipe sends one message per record)"
        raise ValueError(
            f"batch_size={batch_size} is outside 1..{target.kind.max_batch_size} for an {target.kind.value} "
            f"target{one_per_record}; pass a batch_size in that range"
        )
    window_seconds = 0 if batching_window is None else int(batching_window.to_seconds())
    if batch_size > SQS_SOURCE_MAX_UNWINDOWED_BATCH and window_seconds < 1:
        raise ValueError(
            f"batch_size={batch_size} is above 10, which an SQS source allows only with a batching window; "
            "pass maximum_batching_window=Duration.seconds(1) or more, or a batch_size of at most 10"
        )
    if batch_size > fitting:
        raise ValueError(
            f"batch_size={batch_size} x up to {record_bytes:,} bytes per record ({record_bytes_origin}) "
            f"exceeds "
            f"the {LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:,}-byte (6 MB) Lambda limit of the enrichment call; "
            f"pass batch_size={fitting} or less, or lower the maximum message size"
        )
    return batch_size


def check_batching_window(window: Duration | None) -> int | None:
    if window is None:
        return None
    seconds = int(window.to_seconds())
    if not 0 <= seconds <= MAX_BATCHING_WINDOW_SECONDS:
        raise ValueError(
            f"maximum_batching_window={seconds} seconds is outside 0..300 seconds; "
            "pass a Duration in that range"
        )
    return seconds


def check_bus_parameters(
    target: ResolvedTarget, *, detail_type: str | None, event_source: str | None
) -> None:
    """``detail_type`` and ``event_source`` only mean something for a bus target, and must be valid there."""
    if target.kind is not TargetKind.EVENT_BUS:
        for prop, value in (("detail_type", detail_type), ("event_source", event_source)):
            if value is not None:
                raise ValueError(
                    f"{prop} is set but the target is an {target.kind.value}; {prop} applies to event bus "
                    f"targets only: drop it"
                )
        return
    if detail_type is not None and not 1 <= len(detail_type) <= _MAX_DETAIL_TYPE_CHARS:
        raise ValueError(
            f"detail_type has {len(detail_type)} characters; EventBridge accepts 1..128: pass a shorter one"
        )
    if event_source is not None:
        if not 1 <= len(event_source) <= _MAX_EVENT_SOURCE_CHARS:
            raise ValueError(
                f"event_source has {len(event_source)} characters; EventBridge accepts 1..256: "
                "pass a shorter one"
            )
        if event_source.startswith("aws."):
            raise ValueError(
                f"event_source={event_source!r} starts with 'aws.', which EventBridge reserves for AWS "
                "services; pass your own, e.g. 'shop.orders'"
            )
        if not _EVENT_SOURCE_PATTERN.match(event_source):
            raise ValueError(
                f"event_source={event_source!r} has characters outside printable ASCII; pass a plain name"
            )


def check_state_machine_invocation(
    target: ResolvedTarget, invocation: StateMachineInvocation | None
) -> StateMachineInvocation:
    if target.kind is not TargetKind.STATE_MACHINE:
        if invocation is not None:
            raise ValueError(
                f"state_machine_invocation is set but the target is an {target.kind.value}; it applies to "
                "Step Functions targets only: drop it"
            )
        return StateMachineInvocation.FIRE_AND_FORGET
    if invocation is None:
        return StateMachineInvocation.FIRE_AND_FORGET
    if invocation is StateMachineInvocation.REQUEST_RESPONSE and state_machine_type(target) == "STANDARD":
        raise ValueError(
            "state_machine_invocation=REQUEST_RESPONSE needs an EXPRESS state machine, but the target is "
            "STANDARD; use StateMachineInvocation.FIRE_AND_FORGET or an EXPRESS workflow"
        )
    return invocation


def check_visibility_timeout(visibility_seconds: int | None, function_timeout: Duration) -> None:
    timeout_seconds = int(function_timeout.to_seconds())
    if visibility_seconds is not None and visibility_seconds < timeout_seconds:
        raise ValueError(
            f"the source queue's visibility timeout ({visibility_seconds} s) is shorter than the enrichment "
            f"function's timeout ({timeout_seconds} s): messages would be redelivered while still in flight; "
            "raise the queue's visibility_timeout or lower function_timeout"
        )


def check_fifo_target_deduplicates(target: ResolvedTarget) -> None:
    """A FIFO queue target needs a deduplication id; with no path to one, only content-based deduplication.

    Checked when the queue is defined in the app; an imported queue's setting is unknowable.
    """
    queue = target.resource
    if target.kind is not TargetKind.QUEUE or not isinstance(queue, sqs.Queue) or not queue.fifo:
        return
    if getattr(queue.node.default_child, "content_based_deduplication", None) is not True:
        raise ValueError(
            "target is a FIFO queue without content-based deduplication, and a redeemed payload carries no "
            "deduplication id, so every delivery would be refused; create the queue with "
            "content_based_deduplication=True"
        )
