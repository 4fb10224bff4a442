"""The single source of this project's configuration.

Run ``bash scripts/projen`` after editing; it regenerates pyproject.toml and the other
managed files, and the test suite fails if they drift from what this file produces.
"""

from urllib.parse import urlparse

from projen import ReleasableCommits
from projen.github import (
    GitHubOptions,
    GithubWorkflow,
    PullRequestLintOptions,
    PullRequestTemplate,
    SemanticTitleOptions,
)
from projen.github.workflows import JobPermission, JobPermissions
from projen.python import BuildSystem, PythonProject, UvOptions
from projen.release import Release, ReleaseTrigger

# The one place the repository's address is written. Project URLs, the README rewrite for the
# package index (hatch_build.py reads project.urls.Repository) and the workflows derive from it.
# The maintainer must confirm it before the first release.
REPOSITORY_URL = "https://github.com/cdk-claim-check/cdk-claim-check"
_REPO_PATH = urlparse(REPOSITORY_URL).path.strip("/")
assert urlparse(REPOSITORY_URL).netloc == "github.com" and _REPO_PATH.count("/") == 1, REPOSITORY_URL

# The Python versions CI runs the suite on; the classifiers are derived from this list.
CI_PYTHONS = ["3.11", "3.12", "3.13", "3.14"]
# jsii (the CDK's runtime) needs a supported Node.js; Node 20 reached its end of life in 2026.
NODE_VERSION = "22"
# Conventional Commit types: the pull-request title lint accepts these, and feat/fix (and any `!`
# breaking change) make a release; the others are recorded in the history only.
COMMIT_TYPES = ["feat", "fix", "perf", "refactor", "docs", "test", "build", "ci", "chore", "revert"]
# Read by hatch (tool.hatch.version) at build time and bumped by the release task; the committed
# file always says 0.0.0, the release tags (v1.2.3) carry the real versions.
VERSION_FILE = "version.json"
ARTIFACTS_DIRECTORY = "dist"
# publib-pypi uploads every file of this folder (wheel and sdist).
PYTHON_ARTIFACTS = f"{ARTIFACTS_DIRECTORY}/python"

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
    version="0.0.0",
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
    # Tasks (release, bump, upgrade) run on the projen CLI of the locked Python projen package.
    projen_command="bash scripts/projen-cli",
    github_options=GitHubOptions(
        pull_request_lint_options=PullRequestLintOptions(
            semantic_title_options=SemanticTitleOptions(types=COMMIT_TYPES, require_scope=False)
        )
    ),
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
        "twine>=6",
        "readme-renderer[md]>=43",  # cmarkgfm: twine check renders Markdown as the package index does
        "check-jsonschema>=0.29",
        # the peer the benchmarks compare ClaimCheckClient with (benchmarks/extended_client.py)
        "amazon-sqs-extended-client>=1.0",
        *RUNTIME_EXTRA,
    ],
    uv_options=UvOptions(
        build_system=BuildSystem(requires=["hatchling>=1.25"], build_backend="hatchling.build"),
    ),
)

pyproject = project.try_find_object_file("pyproject.toml")
assert pyproject is not None
# Version from version.json, README for the package index from hatch_build.py (absolute links).
pyproject.add_deletion_override("project.version")
pyproject.add_deletion_override("project.readme")
pyproject.add_override("project.dynamic", ["version", "readme"])
pyproject.add_override("tool.hatch.version.path", VERSION_FILE)
pyproject.add_override("tool.hatch.version.pattern", r'"version":\s*"(?P<version>[^"]+)"')
pyproject.add_override("tool.hatch.metadata.hooks.custom.path", "hatch_build.py")
pyproject.add_override("project.requires-python", ">=3.11")
pyproject.add_override("project.license", "Apache-2.0")
pyproject.add_override(
    "project.keywords",
    ["aws-cdk", "cdk", "claim-check", "eventbridge-pipes", "sqs", "dynamodb", "s3"],
)
pyproject.add_override(
    "project.classifiers",
    [
        # PEP 639: the license is the License-Expression above, never a License classifier.
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Developers",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        *(f"Programming Language :: Python :: {version}" for version in CI_PYTHONS),
        "Framework :: AWS CDK",
        "Framework :: AWS CDK :: 2",
        "Topic :: System :: Distributed Computing",
        "Typing :: Typed",
    ],
)
pyproject.add_override(
    "project.urls",
    {
        "Homepage": REPOSITORY_URL,
        "Documentation": f"{REPOSITORY_URL}/blob/main/API.md",
        "Repository": REPOSITORY_URL,
        "Issues": f"{REPOSITORY_URL}/issues",
        "Changelog": f"{REPOSITORY_URL}/releases",
    },
)
pyproject.add_override("project.optional-dependencies.runtime", RUNTIME_EXTRA)
pyproject.add_override("project.optional-dependencies.local", LOCAL_EXTRA)
pyproject.add_override("project.scripts.cdk-claim-check-local", "cdk_claim_check.local.entry:main")
pyproject.add_override("project.scripts.cdk-claim-check", "cdk_claim_check.operate.cli:main")
pyproject.add_override("tool.hatch.build.targets.wheel.packages", ["src/cdk_claim_check"])
# Anchored paths: a bare "README.md" would also match examples/README.md.
pyproject.add_override(
    "tool.hatch.build.targets.sdist.include",
    ["/src/", "/README.md", "/LICENSE", "/API.md", f"/{VERSION_FILE}", "/hatch_build.py"],
)
pyproject.add_override("tool.ruff.line-length", 110)
pyproject.add_override("tool.ruff.target-version", "py311")
pyproject.add_override("tool.ruff.src", ["src", "tests", "examples", "benchmarks"])
pyproject.add_override("tool.ruff.lint.select", ["E", "F", "W", "I", "UP", "B", "SIM", "RUF"])
pyproject.add_override("tool.mypy.strict", True)
pyproject.add_override("tool.mypy.python_version", "3.11")
pyproject.add_override("tool.mypy.files", ["src"])
pyproject.add_override("tool.pytest.ini_options.testpaths", ["tests"])
pyproject.add_override("tool.pytest.ini_options.addopts", "-ra --strict-markers")
pyproject.add_override(
    "tool.pytest.ini_options.markers",
    [
        "slow: end-to-end and benchmark tests (minutes)",
        "consumer: builds the package and installs it into a fresh venv (runs in bash scripts/test too)",
    ],
)

project.gitignore.add_patterns(
    ".tools/",
    ".venv-cdk-floor/",
    "cdk.out/",
    "examples/cdk.out/",
    ".hypothesis/",
    ".ruff_cache/",
    ".mypy_cache/",
)

assert project.github is not None
PullRequestTemplate(
    project.github,
    lines=[
        "## What and why",
        "",
        "Fixes #",
        "",
        "## Checklist",
        "",
        "- [ ] The title is a Conventional Commit (`feat: ...`, `fix: ...`, `docs: ...`; "
        "`!` marks a breaking change)",
        "- [ ] `bash scripts/test` passes",
        "- [ ] A changed template is intended and its snapshot updated "
        "(`.venv/bin/pytest tests/test_snapshots.py --snapshot-update`)",
        "- [ ] Generated files regenerated, not hand-edited "
        "(`bash scripts/projen`, `.venv/bin/python docs/gen_api.py`)",
        "- [ ] README, docs/contract.md and API.md say what changed for a user",
    ]
)

# ---- Build, test and release tasks -------------------------------------------------------------
project.test_task.exec("bash scripts/test")
project.package_task.reset()
project.package_task.exec(f"rm -rf {PYTHON_ARTIFACTS}")
project.package_task.exec(f"uv build --out-dir {PYTHON_ARTIFACTS}")
project.package_task.exec(f"twine check --strict {PYTHON_ARTIFACTS}/*.whl {PYTHON_ARTIFACTS}/*.tar.gz")
# The projen default publish tasks upload by hand with a token (and "publish:test" names an index
# that does not exist); releases go through the release workflow only.
project.remove_task("publish")
project.remove_task("publish:test")
upgrade = project.add_task(
    "upgrade", description="Upgrade every locked dependency within the ranges of pyproject.toml"
)
upgrade.exec("uv lock --upgrade")
upgrade.exec("uv sync --frozen --all-extras")

_SETUP_STEPS = [
    {"name": "Set up Node.js", "uses": "actions/setup-node@v5", "with": {"node-version": NODE_VERSION}},
    {"name": "Set up Python", "uses": "actions/setup-python@v6", "with": {"python-version": CI_PYTHONS[0]}},
    {"name": "Set up uv", "uses": "astral-sh/setup-uv@v7"},
    {"name": "Install the locked environment", "run": "bash scripts/bootstrap.sh"},
]

release = Release(
    project,
    branch="main",
    artifacts_directory=ARTIFACTS_DIRECTORY,
    version_file=VERSION_FILE,
    tasks=[project.build_task],
    # Every push to main releases when it brings a feat, fix or breaking change since the last
    # tag; docs, test, chore, ci ... commits and merge commits (not conventional) never do.
    release_trigger=ReleaseTrigger.continuous(),
    releasable_commits=ReleasableCommits.features_and_fixes(),
    # The first release is 0.1.0 (scripts/next-version); later ones follow the commits.
    next_version_command="bash scripts/next-version",
    # commit-and-tag-version 12 runs on Node 18+, so the same bump runs on the workstation (the
    # release dry-run test) and in the workflow; 13 needs Node 22.
    bump_package="commit-and-tag-version@12.7.3",
    workflow_node_version=NODE_VERSION,
    release_workflow_setup_steps=_SETUP_STEPS,
    release_workflow_env={"PROJEN_DISABLE_POST": "true"},
    release_tag_prefix="",
    publish_tasks=False,
)
# PyPI trusted publishing: the job gets an OIDC token (id-token: write) and no token secret. The
# PyPI project must name this repository, workflow (release.yml) and environment as its trusted
# publisher before the first release; that configuration lives on PyPI, not here.
release.publisher.publish_to_py_pi(trusted_publishing=True, github_environment="pypi")

# ---- Pull-request build and weekly upgrade -------------------------------------------------------
assert project.github is not None
_CHECKOUT = {"name": "Checkout", "uses": "actions/checkout@v5"}
_NODE = {"name": "Set up Node.js", "uses": "actions/setup-node@v5", "with": {"node-version": NODE_VERSION}}
_UV = {"name": "Set up uv", "uses": "astral-sh/setup-uv@v7"}


def _python(version: str) -> dict[str, object]:
    return {"name": "Set up Python", "uses": "actions/setup-python@v6", "with": {"python-version": version}}


build = GithubWorkflow(project.github, "build", limit_concurrency=True)
build.on(pull_request={}, workflow_dispatch={}, merge_group={})
build.add_jobs(
    {
        "test": {
        "name": "bash scripts/test (Python ${{ matrix.python }})",
        "runsOn": ["ubuntu-latest"],
        "permissions": JobPermissions(contents=JobPermission.READ),
        "strategy": {"failFast": False, "matrix": {"domain": {"python": CI_PYTHONS}}},
        "timeoutMinutes": 60,
        "steps": [_CHECKOUT, _python("${{ matrix.python }}"), _NODE, _UV, {"run": "bash scripts/test"}],
        },
        "cdk-floor": {
        "name": "construct tests on the lowest aws-cdk-lib declared",
        "runsOn": ["ubuntu-latest"],
        "permissions": JobPermissions(contents=JobPermission.READ),
        "timeoutMinutes": 30,
        "steps": [_CHECKOUT, _python(CI_PYTHONS[0]), _NODE, _UV, {"run": "bash scripts/test-cdk-floor"}],
        },
        "self-mutation": {
        "name": "generated files match .projenrc.py",
        "runsOn": ["ubuntu-latest"],
        "permissions": JobPermissions(contents=JobPermission.READ),
        "timeoutMinutes": 15,
        "steps": [
                _CHECKOUT,
                _python(CI_PYTHONS[0]),
                _NODE,
                _UV,
                {"run": "bash scripts/projen"},
                {"run": ".venv/bin/python docs/gen_api.py"},
                {"run": ".venv/bin/python docs/gen_flow_diagram.py"},
                {
                    "name": "Fail on a diff",
                    "run": "git add -A && git diff --staged --exit-code || "
                    '(echo "::error::run bash scripts/projen (and the doc generators) and commit" && exit 1)',
                },
            ],
        },
    }
)

upgrade_workflow = GithubWorkflow(project.github, "upgrade", limit_concurrency=True)
upgrade_workflow.on(schedule=[{"cron": "0 5 * * 1"}], workflow_dispatch={})
upgrade_workflow.add_jobs(
    {
        "upgrade": {
        "name": "upgrade the locked dependencies",
        "runsOn": ["ubuntu-latest"],
        "permissions": JobPermissions(contents=JobPermission.WRITE, pull_requests=JobPermission.WRITE),
        "timeoutMinutes": 60,
        "steps": [
                _CHECKOUT,
                _python(CI_PYTHONS[0]),
                _NODE,
                _UV,
                {"run": "bash scripts/bootstrap.sh"},
                {"run": f"{project.projen_command} upgrade"},
                {"run": "bash scripts/test"},
                {
                    "name": "Open a pull request",
                    "uses": "peter-evans/create-pull-request@v7",
                    "with": {
                        "branch": "github-actions/upgrade",
                        "title": "chore(deps): upgrade locked dependencies",
                        "commit-message": "chore(deps): upgrade locked dependencies",
                        "body": "`uv lock --upgrade` within the ranges of pyproject.toml; "
                        "`bash scripts/test` passed on it.",
                        "delete-branch": True,
                    },
                },
            ],
        }
    }
)

project.synth()
