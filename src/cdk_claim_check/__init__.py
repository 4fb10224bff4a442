"""Claim-check messaging pattern on EventBridge Pipes, as AWS CDK v2 constructs.

The constructs are imported lazily (PEP 562), so that ``cdk_claim_check.runtime`` (the Lambda
handler code and the ``ClaimCheckClient``) imports without aws-cdk-lib, and importing the
constructs never needs boto3 or Powertools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .runtime._lazy import lazy_exports

if TYPE_CHECKING:
    from ._pipe_options import PipeOptions
    from .dashboard import ClaimCheckDashboard
    from .extended_client import ExtendedClientBucket
    from .retrieval_pipe import ClaimCheckRetrievalPipe
    from .runtime.contract import (
        Compression,
        PipeDesiredState,
        PipeLogLevel,
        S3Layout,
        StateMachineInvocation,
    )
    from .runtime_layer import ClaimCheckRuntimeLayer
    from .split_pipe import ClaimCheckSplitPipe
    from .store import ClaimCheckStore, IClaimCheckStore

__all__ = [
    "ClaimCheckDashboard",
    "ClaimCheckRetrievalPipe",
    "ClaimCheckRuntimeLayer",
    "ClaimCheckSplitPipe",
    "ClaimCheckStore",
    "Compression",
    "ExtendedClientBucket",
    "IClaimCheckStore",
    "PipeDesiredState",
    "PipeLogLevel",
    "PipeOptions",
    "S3Layout",
    "StateMachineInvocation",
]

_EXPORTS = {
    "ClaimCheckStore": ".store",
    "ClaimCheckSplitPipe": ".split_pipe",
    "ClaimCheckRetrievalPipe": ".retrieval_pipe",
    "ClaimCheckRuntimeLayer": ".runtime_layer",
    "ClaimCheckDashboard": ".dashboard",
    "IClaimCheckStore": ".store",
    "ExtendedClientBucket": ".extended_client",
    "PipeOptions": "._pipe_options",
    "Compression": ".runtime.contract",
    "PipeDesiredState": ".runtime.contract",
    "PipeLogLevel": ".runtime.contract",
    "S3Layout": ".runtime.contract",
    "StateMachineInvocation": ".runtime.contract",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals)
