"""The example app: ``cdk synth`` (see cdk.json) or ``python examples/app.py`` from anywhere.

Run it end to end without AWS: ``bash scripts/run-example`` (or ``cdk-claim-check-local --app
"python examples/app.py"``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk

# Run as a script from any directory, the example package sits beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from claim_check_example import ClaimCheckExampleStack

app = cdk.App()
ClaimCheckExampleStack(
    app, "ClaimCheckExample", description="Claim-check pattern on EventBridge Pipes (example)"
)
app.synth()
