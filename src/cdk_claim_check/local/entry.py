"""Entry point of ``cdk-claim-check-local``: checks for the ``[local]`` extra before the local run loads.

``pip install cdk-claim-check`` installs the command too (a package cannot make a console script
depend on an extra), but the local run needs boto3, Powertools and moto's server. Without them the
command says which extra to install and exits 2, instead of failing with a ModuleNotFoundError.
"""

from __future__ import annotations

import importlib.util
import sys

# The top-level modules that the [local] extra brings (moto[server] brings flask).
LOCAL_EXTRA_MODULES = ("boto3", "botocore", "aws_lambda_powertools", "moto", "flask")
INSTALL_HINT = "pip install 'cdk-claim-check[local]'"


def missing_local_modules() -> list[str]:
    """Return the modules of the ``[local]`` extra that cannot be imported here."""
    missing = []
    for name in LOCAL_EXTRA_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def main(argv: list[str] | None = None) -> int:
    """Run ``cdk-claim-check-local``, or explain which extra is missing (exit status 2).

    :param argv: the arguments (default: the command line).
    """
    missing = missing_local_modules()
    if missing:
        print(
            "cdk-claim-check-local needs the [local] extra (boto3, Powertools, moto's server), and "
            f"{', '.join(missing)} cannot be imported. Install it with: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 2
    from .cli import main as run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
