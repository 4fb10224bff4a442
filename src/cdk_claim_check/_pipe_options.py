"""The props both pipes take besides source, store and target: named, typed, documented and defaulted once.

Each pipe's constructor takes them as ``**options: Unpack[PipeOptions]``, so type checkers and IDEs see
every prop, and :func:`resolve_options` refuses a misspelt one at synth time, naming it.
"""

from __future__ import annotations

import difflib
from typing import TypedDict

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs

from ._checks import check_whole_number, coerce_option
from .runtime.contract import (
    DEFAULT_FUNCTION_MEMORY_MB,
    DEFAULT_FUNCTION_TIMEOUT_SECONDS,
    LAMBDA_MAX_MEMORY_MB,
    LAMBDA_MAX_TIMEOUT_SECONDS,
    LAMBDA_MIN_MEMORY_MB,
    PipeLogLevel,
    StateMachineInvocation,
)


class PipeOptions(TypedDict, total=False):
    """Props that ``ClaimCheckSplitPipe`` and ``ClaimCheckRetrievalPipe`` share (all optional)."""

    batch_size: int | None
    """Records per enrichment call. Default: 10, or fewer when 10 of the largest records (the source
    queue's maximum message size; for the retrieval pipe also ``max_payload_size``) would exceed the 6 MB
    enrichment limit (5 for 1 MiB records); 1 for Step Functions targets. At most 10 for bus, SQS and SNS
    targets; above 10 needs ``maximum_batching_window``."""
    maximum_batching_window: Duration | None
    """How long the pipe waits to fill a batch. Default: None (no wait). Range: 0..300 seconds."""
    detail_type: str | None
    """``detail-type`` of the bus events, 1..128 characters. Default: "ClaimCheck" (split) or
    "ClaimCheckRedeemed" (retrieval). Bus targets only."""
    event_source: str | None
    """``source`` of the bus events, 1..256 characters, not starting with "aws.". Default: "claim-check".
    Bus targets only."""
    state_machine_invocation: StateMachineInvocation | None
    """How a Step Functions target is started. Default: FIRE_AND_FORGET. REQUEST_RESPONSE needs an EXPRESS
    workflow (checked when the state machine is defined in the app; an imported one is not checked).
    Step Functions targets only."""
    pipe_log_level: PipeLogLevel
    """What the pipe logs to its log group. Default: PipeLogLevel.ERROR; OFF creates no pipe log group."""
    log_retention: logs.RetentionDays
    """Retention of the function's and the pipe's log groups. Default: one month."""
    function_memory_size: int
    """Memory of the enrichment function in MB. Default: 512. Range: 128..10240."""
    function_timeout: Duration
    """Timeout of the enrichment function. Default: 30 seconds. Range: 1..900 seconds; must not exceed the
    source queue's visibility timeout."""
    function_architecture: lambda_.Architecture
    """Architecture of the enrichment function. Default: ARM_64."""
    powertools_layer: lambda_.ILayerVersion | None
    """Powertools for AWS Lambda (Python) layer. Default: the AWS-published layer of Powertools 3.37.0
    for Python 3.14 and the architecture above, resolved at deploy time from the public SSM parameter
    ``/aws/service/powertools/python/<arch>/python3.14/3.37.0``; pass your own where that parameter
    does not exist (China and GovCloud regions)."""
    environment_encryption_key: kms.IKey | None
    """Customer managed key for the enrichment function's environment variables. Default: None (the
    AWS-managed Lambda key). The store's data key is the store's own ``encryption_key``."""
    alarms_enabled: bool
    """Create CloudWatch alarms. Default: True."""
    source_dead_letter_queue: sqs.IQueue | None
    """The source queue's DLQ, for its alarm, when the source is imported. Default: the DLQ of a source
    queue defined in the app; none for an imported one."""


PIPE_OPTION_DEFAULTS: PipeOptions = {
    "batch_size": None,
    "maximum_batching_window": None,
    "detail_type": None,
    "event_source": None,
    "state_machine_invocation": None,
    "pipe_log_level": PipeLogLevel.ERROR,
    "log_retention": logs.RetentionDays.ONE_MONTH,
    "function_memory_size": DEFAULT_FUNCTION_MEMORY_MB,
    "function_timeout": Duration.seconds(DEFAULT_FUNCTION_TIMEOUT_SECONDS),
    "function_architecture": lambda_.Architecture.ARM_64,
    "powertools_layer": None,
    "environment_encryption_key": None,
    "alarms_enabled": True,
    "source_dead_letter_queue": None,
}
"""The default of every shared prop (None: worked out per pipe, see the prop's text)."""


def resolve_options(construct: str, options: PipeOptions) -> PipeOptions:
    """Every shared prop with its value or default; TypeError naming an unknown prop, ValueError a bad one."""
    for name in options:
        if name not in PIPE_OPTION_DEFAULTS:
            close = difflib.get_close_matches(name, PIPE_OPTION_DEFAULTS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"{construct} got an unexpected prop {name!r}{hint}")
    resolved: PipeOptions = {**PIPE_OPTION_DEFAULTS, **options}
    resolved["function_memory_size"] = check_whole_number(
        "function_memory_size", resolved["function_memory_size"]
    )
    _check_function_settings(resolved)
    resolved["pipe_log_level"] = coerce_option("pipe_log_level", resolved["pipe_log_level"], PipeLogLevel)
    if resolved["state_machine_invocation"] is not None:
        resolved["state_machine_invocation"] = coerce_option(
            "state_machine_invocation", resolved["state_machine_invocation"], StateMachineInvocation
        )
    return resolved


def _check_function_settings(options: PipeOptions) -> None:
    memory = options["function_memory_size"]
    if not LAMBDA_MIN_MEMORY_MB <= memory <= LAMBDA_MAX_MEMORY_MB:
        raise ValueError(
            f"function_memory_size={memory} MB is outside {LAMBDA_MIN_MEMORY_MB}..{LAMBDA_MAX_MEMORY_MB} MB; "
            "pass a size in that range"
        )
    seconds = options["function_timeout"].to_seconds()
    if not 1 <= seconds <= LAMBDA_MAX_TIMEOUT_SECONDS:
        raise ValueError(
            f"function_timeout={seconds} seconds is outside 1..{LAMBDA_MAX_TIMEOUT_SECONDS} seconds; "
            "pass one in that range"
        )
