"""Public option enums shared by the constructs (exported from the package root)."""

from __future__ import annotations

from enum import StrEnum


class PipeLogLevel(StrEnum):
    """How much the pipe writes to its CloudWatch log group (``LogConfiguration.Level``)."""

    OFF = "OFF"
    """No pipe logs (and no pipe log group)."""
    ERROR = "ERROR"
    """Failed executions only."""
    INFO = "INFO"
    """Errors plus the start and end of each execution stage."""
    TRACE = "TRACE"
    """Every step of every execution (verbose; for debugging)."""


class Compression(StrEnum):
    """Compression of stored payloads (``CLAIM_CHECK_COMPRESSION``)."""

    AUTO = "auto"
    """zlib when it makes the stored bytes smaller, otherwise the body as is."""
    NONE = "none"
    """Always store the body as is."""


class S3Layout(StrEnum):
    """How payloads above the inline limit are laid out in the overflow bucket (``CLAIM_CHECK_S3_LAYOUT``)."""

    PACKED = "packed"
    """One S3 object per batch; each claim is redeemed with a ranged GET (fewest PUTs)."""
    OBJECT = "object"
    """One S3 object per payload, referenced in the SQS Extended Client pointer form."""


class StateMachineInvocation(StrEnum):
    """How a pipe starts a Step Functions target (``StepFunctionStateMachineParameters.InvocationType``)."""

    FIRE_AND_FORGET = "FIRE_AND_FORGET"
    """Start an execution and move on (any workflow type)."""
    REQUEST_RESPONSE = "REQUEST_RESPONSE"
    """Wait for the result (EXPRESS workflows only)."""
