"""Claim-check runtime: the Lambda handler code and the public :class:`ClaimCheckClient`.

Imports nothing from aws_cdk. Inside the Lambda asset this package is the top-level package
``runtime`` (handlers ``runtime.split.handler`` and ``runtime.retrieval.handler``), which is why
every import in it is relative. The names below are imported lazily (PEP 562): importing
:mod:`.contract` (as the constructs do at synth time) loads no boto3, and importing the client
does not need Powertools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from .client import ClaimCheckClient, ClaimRequest, IssuedBatch, RedeemedPayload
    from .config import RuntimeConfig, StoreSettings, load_config
    from .errors import REASONS, ClaimCheckError, ConfigError, Reason
    from .wire import (
        CLAIM_CHECK_KEY,
        EXTENDED_POINTER_CLASS,
        LEGACY_POINTER_CLASS,
        METADATA_KEY,
        WIRE_VERSION,
        ClaimCheck,
        claim_id,
        parse_claim_check,
    )

__all__ = [
    "CLAIM_CHECK_KEY",
    "EXTENDED_POINTER_CLASS",
    "LEGACY_POINTER_CLASS",
    "METADATA_KEY",
    "REASONS",
    "WIRE_VERSION",
    "ClaimCheck",
    "ClaimCheckClient",
    "ClaimCheckError",
    "ClaimRequest",
    "ConfigError",
    "IssuedBatch",
    "Reason",
    "RedeemedPayload",
    "RuntimeConfig",
    "StoreSettings",
    "claim_id",
    "load_config",
    "parse_claim_check",
]

_EXPORTS = {
    "ClaimCheckClient": ".client",
    "ClaimRequest": ".client",
    "IssuedBatch": ".client",
    "RedeemedPayload": ".client",
    "RuntimeConfig": ".config",
    "StoreSettings": ".config",
    "load_config": ".config",
    "REASONS": ".errors",
    "ClaimCheckError": ".errors",
    "ConfigError": ".errors",
    "Reason": ".errors",
    "CLAIM_CHECK_KEY": ".wire",
    "EXTENDED_POINTER_CLASS": ".wire",
    "LEGACY_POINTER_CLASS": ".wire",
    "METADATA_KEY": ".wire",
    "WIRE_VERSION": ".wire",
    "ClaimCheck": ".wire",
    "claim_id": ".wire",
    "parse_claim_check": ".wire",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals)
