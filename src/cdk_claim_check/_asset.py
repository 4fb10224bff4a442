"""The Lambda code asset and the Powertools layer shared by both enrichment functions."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, IgnoreMode
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

PACKAGE_DIR = Path(__file__).resolve().parent
"""The package directory; the asset is this directory with everything but ``runtime/`` excluded."""

SPLIT_HANDLER = "runtime.split.handler"
RETRIEVAL_HANDLER = "runtime.retrieval.handler"

FUNCTION_RUNTIME = lambda_.Runtime.PYTHON_3_14
"""Newest Python runtime that both Lambda and the Powertools v3 layer support."""

POWERTOOLS_LAYER_ACCOUNT = "017000801446"
POWERTOOLS_LAYER_PYTHON = "python314"
POWERTOOLS_LAYER_VERSION = 42
"""Layer version of Powertools for AWS Lambda (Python) 3.37.0, the release the tests run against.

AWS publishes one layer version per release for every Python version and architecture (3.22.0 is
25, 3.23.0 is 27, 3.31.1 is 36). Verify with the public SSM parameter
``/aws/service/powertools/python/arm64/python3.14/3.37.0``, whose value is the layer ARN.
"""

# gitignore semantics: drop every top-level entry, then bring back the handler package only.
_ASSET_EXCLUDES = ["/*", "!/runtime/", "__pycache__/", "*.pyc", "*.pyo"]


def handler_code() -> lambda_.Code:
    """The handler package as a directory asset (no Docker, no bundling)."""
    return lambda_.Code.from_asset(str(PACKAGE_DIR), exclude=_ASSET_EXCLUDES, ignore_mode=IgnoreMode.GIT)


def powertools_layer_arn(architecture: lambda_.Architecture) -> str:
    """ARN of the AWS-published Powertools layer in the stack's partition and region."""
    arch = "arm64" if architecture.name == lambda_.Architecture.ARM_64.name else "x86_64"
    return (
        f"arn:{Aws.PARTITION}:lambda:{Aws.REGION}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{POWERTOOLS_LAYER_PYTHON}-{arch}:{POWERTOOLS_LAYER_VERSION}"
    )


def default_powertools_layer(scope: Construct, architecture: lambda_.Architecture) -> lambda_.ILayerVersion:
    return lambda_.LayerVersion.from_layer_version_arn(
        scope, "PowertoolsLayer", powertools_layer_arn(architecture)
    )
