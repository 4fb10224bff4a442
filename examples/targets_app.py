"""The second example app: split to an SQS queue, retrieve to a Lambda function.

``cdk-claim-check-local --app "python examples/targets_app.py" --messages-from orders.jsonl``
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk

sys.path.insert(0, str(Path(__file__).resolve().parent))

from claim_check_example import ClaimCheckTargetsStack

app = cdk.App()
ClaimCheckTargetsStack(app, "ClaimCheckTargets", description="Claim checks through SQS into Lambda (example)")
app.synth()
