"""The Lambda code asset and the Powertools layer shared by both enrichment functions."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import IgnoreMode
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ssm as ssm
from constructs import Construct

PACKAGE_DIR = Path(__file__).resolve().parent
"""The package directory; the asset is this directory with everything but ``runtime/`` excluded."""

SPLIT_HANDLER = "runtime.split.handler"
RETRIEVAL_HANDLER = "runtime.retrieval.handler"

FUNCTION_RUNTIME = lambda_.Runtime.PYTHON_3_14
"""Newest Python runtime that both Lambda and the Powertools v3 layer support."""

POWERTOOLS_VERSION = "3.37.0"
"""The Powertools for AWS Lambda (Python) release the functions get: the one the tests run against."""


def powertools_layer_parameter(architecture: lambda_.Architecture) -> str:
    """The public SSM parameter Powertools publishes per release, runtime and architecture; its value is
    the layer version ARN in the deploying region, so no layer version number is written here."""
    arch = "arm64" if architecture.name == lambda_.Architecture.ARM_64.name else "x86_64"
    python = FUNCTION_RUNTIME.name.removeprefix("python")
    return f"/aws/service/powertools/python/{arch}/python{python}/{POWERTOOLS_VERSION}"


# gitignore semantics: drop every top-level entry, then bring back the handler package only.
_ASSET_EXCLUDES = ["/*", "!/runtime/", "__pycache__/", "*.pyc", "*.pyo"]


def handler_code() -> lambda_.Code:
    """The handler package as a directory asset (no Docker, no bundling)."""
    return lambda_.Code.from_asset(str(PACKAGE_DIR), exclude=_ASSET_EXCLUDES, ignore_mode=IgnoreMode.GIT)


def default_powertools_layer(scope: Construct, architecture: lambda_.Architecture) -> lambda_.ILayerVersion:
    """The AWS-published layer, resolved at deploy time from its SSM parameter (one stack parameter per
    architecture, shared by every function of the stack)."""
    arn = ssm.StringParameter.value_for_string_parameter(scope, powertools_layer_parameter(architecture))
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", arn)
