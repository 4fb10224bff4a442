"""The single source of this project's configuration.

Run ``bash scripts/projen`` after editing; it regenerates pyproject.toml and the other
managed files, and the test suite fails if they drift from what this file produces.
"""

from projen.python import BuildSystem, PythonProject, UvOptions

# The floor is measured, not guessed: the construct tests pass on aws-cdk-lib 2.269.0 and fail on
# 2.268.0, whose Validations.acknowledge() rejects the cdk-nag v3 finding ids with "::" that the
# constructs acknowledge (IAM5 on bucket ARNs). Older still lack Acknowledgment (< 2.252).
# Re-check with a venv holding aws-cdk-lib==<version> and `pytest tests/test_split_pipe.py
# tests/test_retrieval_pipe.py tests/test_store.py`. Users bring their own aws-cdk-lib, so we
# state that floor and a major-version ceiling only.
CDK_RANGE = "aws-cdk-lib>=2.269.0,<3"
# constructs: any 10.x; aws-cdk-lib itself requires the 10.x release it was built with.
CONSTRUCTS_RANGE = "constructs>=10.0.0,<11"

# What the Lambda handlers need; the Lambda runtime and the Powertools layer provide both,
# so they are an extra, never a requirement of the construct library itself.
RUNTIME_EXTRA = ["boto3>=1.34", "aws-lambda-powertools[tracer]>=3.4,<4"]

# The local run (``cdk-claim-check-local``) drives a synthesized app against moto's server.
LOCAL_EXTRA = [*RUNTIME_EXTRA, "moto[server]>=5.1,<6"]

project = PythonProject(
    name="cdk-claim-check",
    module_name="cdk_claim_check",
    version="0.1.0",
    description=(
        "AWS CDK v2 constructs for the claim-check messaging pattern on EventBridge Pipes: "
        "store large SQS messages in DynamoDB/S3, send only a claim check, redeem it before the target."
    ),
    author_name="cdk-claim-check developers",
    author_email="maintainers@cdk-claim-check.dev",
    license="Apache-2.0",
    uv=True,
    poetry=False,
    pip=False,
    venv=False,
    setuptools=False,
    sample=False,
    pytest=False,
    deps=[CDK_RANGE, CONSTRUCTS_RANGE],
    dev_deps=[
        "pytest>=8",
        "pytest-xdist>=3.5",
        "hypothesis>=6.100",
        "syrupy>=4.6",
        "moto[server,s3,sqs,dynamodb,events,stepfunctions]>=5.1",
        "cdk-nag>=3,<4",
        "cfn-lint>=1.20",
        "ruff>=0.8",
        "mypy>=1.13",
        "boto3-stubs[dynamodb,s3,sqs,events,stepfunctions,sns,lambda]>=1.34",
        "build>=1.2",
        "hatchling>=1.25",
        "matplotlib>=3.8",
        *RUNTIME_EXTRA,
    ],
    uv_options=UvOptions(
        build_system=BuildSystem(requires=["hatchling>=1.25"], build_backend="hatchling.build"),
    ),
)

pyproject = project.try_find_object_file("pyproject.toml")
assert pyproject is not None
pyproject.add_override("project.requires-python", ">=3.11")
pyproject.add_override("project.license", "Apache-2.0")
pyproject.add_override(
    "project.keywords",
    ["aws-cdk", "cdk", "claim-check", "eventbridge-pipes", "sqs", "dynamodb", "s3"],
)
pyproject.add_override(
    "project.classifiers",
    [
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "License :: OSI Approved :: Apache Software License",
        "Framework :: AWS CDK :: 2",
        "Typing :: Typed",
    ],
)
pyproject.add_override("project.optional-dependencies.runtime", RUNTIME_EXTRA)
pyproject.add_override("project.optional-dependencies.local", LOCAL_EXTRA)
pyproject.add_override("project.scripts.cdk-claim-check-local", "cdk_claim_check.local.cli:main")
pyproject.add_override("project.scripts.cdk-claim-check", "cdk_claim_check.operate.cli:main")
pyproject.add_override("tool.hatch.build.targets.wheel.packages", ["src/cdk_claim_check"])
pyproject.add_override("tool.hatch.build.targets.sdist.include", ["src/", "README.md", "LICENSE", "API.md"])
pyproject.add_override("tool.ruff.line-length", 110)
pyproject.add_override("tool.ruff.target-version", "py311")
pyproject.add_override("tool.ruff.src", ["src", "tests", "examples", "benchmarks"])
pyproject.add_override("tool.ruff.lint.select", ["E", "F", "W", "I", "UP", "B", "SIM", "RUF"])
pyproject.add_override("tool.mypy.strict", True)
pyproject.add_override("tool.mypy.python_version", "3.11")
pyproject.add_override("tool.mypy.files", ["src"])
pyproject.add_override("tool.pytest.ini_options.testpaths", ["tests"])
pyproject.add_override("tool.pytest.ini_options.addopts", "-ra --strict-markers")
pyproject.add_override("tool.pytest.ini_options.markers", ["slow: end-to-end and benchmark tests (minutes)"])

project.gitignore.add_patterns(
    ".tools/", "cdk.out/", "examples/cdk.out/", ".hypothesis/", ".ruff_cache/", ".mypy_cache/"
)

project.synth()
