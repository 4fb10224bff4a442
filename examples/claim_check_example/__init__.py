"""The claim-check example: the original AWS sample's whole flow, rebuilt on cdk-claim-check."""

from .stack import ClaimCheckExampleStack
from .targets_stack import ClaimCheckTargetsStack

__all__ = ["ClaimCheckExampleStack", "ClaimCheckTargetsStack"]
