"""Claim-check runtime: the Lambda handler code and the public :class:`ClaimCheckClient`.

Imports nothing from aws_cdk. Inside the Lambda asset this package is the top-level package
``runtime`` (handlers ``runtime.split.handler`` and ``runtime.retrieval.handler``), which is why
every import in it is relative. The handler modules are not imported here, so importing the
client does not need Powertools.
"""

from __future__ import annotations

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
