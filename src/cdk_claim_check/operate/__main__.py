"""``python -m cdk_claim_check.operate``: the ``cdk-claim-check`` command."""

import sys

from .cli import main

sys.exit(main())
