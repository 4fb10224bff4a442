"""The props both pipes take besides source, store and target: named, typed, documented and defaulted once.

Each pipe's constructor takes them as ``**options: Unpack[PipeOptions]``, so type checkers and IDEs see
every prop, and :func:`resolve_options` refuses a misspelt one at synth time, naming it.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from aws_cdk import Duration, Token
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from ._checks import check_whole_number, coerce_option
from ._prop_types import check_props, real_key, unknown_prop_error
from .extended_client import ExtendedClientBucket
from .runtime.contract import (
    DEFAULT_FUNCTION_MEMORY_MB,
    DEFAULT_FUNCTION_TIMEOUT_SECONDS,
    LAMBDA_MAX_MEMORY_MB,
    LAMBDA_MAX_TIMEOUT_SECONDS,
    LAMBDA_MIN_MEMORY_MB,
    MAX_MESSAGE_GROUP_ID_CHARS,
    MAX_PIPE_DESCRIPTION_CHARS,
    MAX_PIPE_FILTERS,
    MAX_PIPE_NAME_CHARS,
    PipeDesiredState,
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
    fifo_message_group_id: str | None
    """Message group of a FIFO queue target: a fixed group id (1..128 printable ASCII characters), or a
    JSON path into the item delivered (``$.customerId``; Pipes reads it per item at run time). Default:
    for the split pipe with a FIFO source queue, ``$.claimCheck.group``, so each claim check keeps its
    source message's group; otherwise one group, ``claim-check`` (the retrieval delivers the payload,
    which does not carry the group). FIFO queue targets only."""
    pipe_name: str | None
    """Physical name of the pipe, 1..64 characters of letters, digits, ``.``, ``-`` and ``_``. Default:
    None (CloudFormation generates one, so two copies of a stack never collide)."""
    pipe_description: str | None
    """Description of the pipe, up to 512 characters. Default: what the pipe does."""
    desired_state: PipeDesiredState
    """Whether the pipe runs once deployed. Default: PipeDesiredState.RUNNING."""
    filter_patterns: Sequence[Mapping[str, Any]] | None
    """EventBridge patterns (at most 5) on the SQS records; Pipes deletes a message that matches none,
    without enriching or delivering it. Default: none for the split pipe; for the retrieval pipe, claim
    checks of this wire version, bare or as an EventBridge event's ``detail`` (so a stray message is
    dropped instead of failing its batch). Pass ``[]`` to filter nothing."""
    pipe_log_level: PipeLogLevel
    """What the pipe logs. Default: PipeLogLevel.ERROR; OFF writes no pipe logs (and creates no log
    group)."""
    pipe_log_group: logs.ILogGroup | None
    """Log group the pipe logs to. Default: None (a log group is created, with ``log_retention``)."""
    pipe_log_to_cloudwatch: bool
    """Deliver the pipe's log records to CloudWatch Logs (``pipe_log_group``, or a log group created).
    Default: True. False needs ``pipe_log_bucket`` or ``pipe_log_delivery_stream`` and conflicts with
    ``pipe_log_group``."""
    pipe_log_bucket: s3.IBucket | None
    """S3 bucket the pipe also delivers its log records to, as JSON objects; the pipe role gets
    ``s3:PutObject`` on ``<bucket>/<pipe_log_bucket_prefix>*`` (and ``kms:GenerateDataKey`` on the
    bucket's key when the construct knows it). Never the store's bucket. A bucket of another account
    must allow the pipe role in its bucket policy. Default: None."""
    pipe_log_bucket_prefix: str | None
    """Key prefix of the pipe's log objects in ``pipe_log_bucket`` (``"pipes/orders/"``). Default: None
    (the bucket's root). Needs ``pipe_log_bucket``."""
    pipe_log_delivery_stream: firehose.IDeliveryStream | None
    """Amazon Data Firehose stream the pipe also delivers its log records to; the pipe role gets
    ``firehose:PutRecord`` and ``firehose:PutRecordBatch`` on it. Default: None."""
    pipe_log_include_execution_data: bool
    """Include the event payloads, enrichment responses and target requests in the pipe's log records,
    at every destination (CloudWatch, S3, Firehose). Default: False (payloads stay out of the logs)."""
    pipe_encryption_key: kms.IKey | None
    """Customer managed key for the pipe's own data at rest (its filter patterns); the pipe role gets
    ``kms:DescribeKey``, ``kms:Decrypt`` and ``kms:GenerateDataKey`` on it. Default: None (an AWS owned
    key). The key policy of an imported key must allow the pipe role those actions."""
    log_retention: logs.RetentionDays
    """Retention of the function's and the pipe's log groups. Default: one month."""
    log_encryption_key: kms.IKey | None
    """Customer managed key for the log groups the construct creates (the function's and the pipe's).
    Default: None (CloudWatch Logs' own encryption). A key defined in the app gets the key policy
    statement CloudWatch Logs needs; an imported key's policy must allow ``logs.<region>.amazonaws.com``
    to use it for log groups of this account."""
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
    claim_signing_key: kms.IKey | None
    """KMS HMAC key (``KeySpec.HMAC_256``, ``KeyUsage.GENERATE_VERIFY_MAC``) for claim authenticity: the
    split MACs every claim check with it (its function gets ``kms:GenerateMac`` only), and the retrieval
    refuses a claim check whose MAC is missing or wrong as ``forged`` before it reads the store (its
    function gets ``kms:VerifyMac`` only). Give both pipes the same key; one KMS request per message on
    each side. Default: None (claim checks carry no MAC; a retrieval without a key ignores one)."""
    alarms_enabled: bool
    """Create CloudWatch alarms. Default: True."""
    source_dead_letter_queue: sqs.IQueue | None
    """The source queue's DLQ, for its alarm, when the source is imported. Default: the DLQ of a source
    queue defined in the app; none for an imported one."""
    source_encryption_key: kms.IKey | None
    """Customer managed key for the source queue and DLQ the construct creates (``source=None`` only).
    Default: None (SQS managed encryption, SSE-SQS)."""
    extended_client_buckets: Sequence[ExtendedClientBucket | s3.IBucket]
    """The only buckets (an ``s3.IBucket``: any key; an ``ExtendedClientBucket``: keys under its
    ``key_prefix``, with its owner account) whose SQS Extended Client pointers are honoured: the split
    claims a pointer message without copying only into them (any other fails the batch,
    ``pointer_not_allowed``), and the retrieval reads only there (``s3:GetObject`` on the prefix,
    checked again at run time). Never the store's own bucket. Give both pipes the same list. Default:
    none (every pointer message is refused)."""


PIPE_OPTION_DEFAULTS: PipeOptions = {
    "batch_size": None,
    "maximum_batching_window": None,
    "detail_type": None,
    "event_source": None,
    "state_machine_invocation": None,
    "fifo_message_group_id": None,
    "pipe_name": None,
    "pipe_description": None,
    "desired_state": PipeDesiredState.RUNNING,
    "filter_patterns": None,
    "pipe_log_level": PipeLogLevel.ERROR,
    "pipe_log_group": None,
    "pipe_log_to_cloudwatch": True,
    "pipe_log_bucket": None,
    "pipe_log_bucket_prefix": None,
    "pipe_log_delivery_stream": None,
    "pipe_log_include_execution_data": False,
    "pipe_encryption_key": None,
    "log_retention": logs.RetentionDays.ONE_MONTH,
    "log_encryption_key": None,
    "function_memory_size": DEFAULT_FUNCTION_MEMORY_MB,
    "function_timeout": Duration.seconds(DEFAULT_FUNCTION_TIMEOUT_SECONDS),
    "function_architecture": lambda_.Architecture.ARM_64,
    "powertools_layer": None,
    "environment_encryption_key": None,
    "claim_signing_key": None,
    "alarms_enabled": True,
    "source_dead_letter_queue": None,
    "source_encryption_key": None,
    "extended_client_buckets": (),
}
"""The default of every shared prop (None: worked out per pipe, see the prop's text)."""


@functools.cache
def _option_types() -> dict[str, Any]:
    """Each shared prop's annotation, and the props that are KMS keys."""
    return typing.get_type_hints(PipeOptions)


def _key_options() -> list[str]:
    return [name for name, hint in _option_types().items() if kms.IKey in typing.get_args(hint)]


def resolve_options(construct: str, options: PipeOptions, own_props: Sequence[str] = ()) -> PipeOptions:
    """Every shared prop with its value or default; TypeError naming an unknown prop or one of the wrong
    kind (the closest known name for a misspelt one, among ``own_props`` too), ValueError a bad value."""
    for name in options:
        if name not in PIPE_OPTION_DEFAULTS:
            raise unknown_prop_error(construct, name, [*PIPE_OPTION_DEFAULTS, *own_props])
    check_props(construct, options, _option_types())
    resolved: PipeOptions = {**PIPE_OPTION_DEFAULTS, **options}
    for prop in _key_options():
        resolved[prop] = real_key(construct, prop, resolved[prop])  # type: ignore[literal-required]
    resolved["function_memory_size"] = check_whole_number(
        "function_memory_size", resolved["function_memory_size"]
    )
    _check_function_settings(resolved)
    resolved["pipe_log_level"] = coerce_option("pipe_log_level", resolved["pipe_log_level"], PipeLogLevel)
    resolved["desired_state"] = coerce_option("desired_state", resolved["desired_state"], PipeDesiredState)
    _check_pipe_settings(resolved)
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


_PIPE_NAME = re.compile(r"^[.\-_A-Za-z0-9]+$")
_MESSAGE_GROUP_ID = re.compile(rf"^[!-~]{{1,{MAX_MESSAGE_GROUP_ID_CHARS}}}$")
_JSON_PATH = re.compile(r"^\$(\.[A-Za-z0-9_-]+)+$")


def _check_message_group_id(value: object) -> None:
    if value is None or (isinstance(value, str) and Token.is_unresolved(value)):
        return
    if not isinstance(value, str):
        raise TypeError(f"fifo_message_group_id: got {type(value).__name__}; pass a str")
    if "<$" in value:
        raise ValueError(
            f"fifo_message_group_id={value!r} looks like an input-template placeholder; Pipes reads a group "
            "from the item with a bare JSON path: pass '$.customerId', without angle brackets"
        )
    pattern = _JSON_PATH if value.startswith("$") else _MESSAGE_GROUP_ID
    if not pattern.fullmatch(value):
        raise ValueError(
            f"fifo_message_group_id={value!r} is neither a message group id (1..{MAX_MESSAGE_GROUP_ID_CHARS} "
            "printable ASCII characters, no spaces) nor a JSON path like '$.customerId'; pass one of those"
        )


def _check_pipe_settings(options: PipeOptions) -> None:
    name = options["pipe_name"]
    if (
        name is not None
        and not Token.is_unresolved(name)
        and (not 1 <= len(name) <= MAX_PIPE_NAME_CHARS or not _PIPE_NAME.match(name))
    ):
        raise ValueError(
            f"pipe_name={name!r} is not 1..{MAX_PIPE_NAME_CHARS} letters, digits, '.', '-' or '_'; "
            "pass such a name, or none to let CloudFormation name the pipe"
        )
    _check_message_group_id(options["fifo_message_group_id"])
    description = options["pipe_description"]
    if description is not None and len(description) > MAX_PIPE_DESCRIPTION_CHARS:
        raise ValueError(
            f"pipe_description has {len(description)} characters, more than {MAX_PIPE_DESCRIPTION_CHARS}; "
            "pass a shorter one"
        )
    patterns = options["filter_patterns"]
    if patterns is not None:
        if isinstance(patterns, (str, Mapping)) or len(patterns) > MAX_PIPE_FILTERS:
            raise ValueError(
                f"filter_patterns must be a list of at most {MAX_PIPE_FILTERS} patterns (dicts), e.g. "
                '[{"body": {"type": ["order"]}}]'
            )
        for pattern in patterns:
            if not isinstance(pattern, Mapping) or not pattern:
                raise ValueError(f"filter_patterns has {pattern!r}; each pattern is a non-empty dict")
