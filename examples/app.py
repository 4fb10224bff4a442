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

# The debug rule's log-group target writes its resource policy with a custom resource; the Lambda
# runtime's own SDK is enough for that call, so do not download the latest at deploy time.
app = cdk.App(context={"@aws-cdk/customresources:installLatestAwsSdkDefault": False})
ClaimCheckExampleStack(
    app, "ClaimCheckExample", description="Claim-check pattern on EventBridge Pipes (example)"
)
app.synth()
