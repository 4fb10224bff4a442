"""The files a contributor or a reporter reads first say what this repository really does."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def test_security_md_says_how_to_report_privately() -> None:
    text = (ROOT / "SECURITY.md").read_text()
    assert "## Reporting a vulnerability" in text
    assert "do not open a public issue" in text and "Report a vulnerability" in text


def test_contributing_md_has_the_two_commands_projen_commits_and_snapshots() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for needed in (
        "bash scripts/run-example",
        "bash scripts/test",
        "bash scripts/projen",
        ".projenrc.py",
        "Conventional Commit",
        "pytest tests/test_snapshots.py --snapshot-update",
    ):
        assert needed in text, needed
    # Every script it names exists.
    for script in set(re.findall(r"bash (scripts/[\w-]+)", text)):
        assert (ROOT / script).is_file(), script


def test_contributing_md_names_every_commit_type_the_title_lint_accepts() -> None:
    lint = (ROOT / ".github" / "workflows" / "pull-request-lint.yml").read_text()
    types = re.search(r"types: \|-\n((?:\s+\w+\n)+)", lint)
    assert types
    text = (ROOT / "CONTRIBUTING.md").read_text()
    assert [t for t in types.group(1).split() if f"`{t}" not in text] == []


def test_issue_templates_are_valid_github_issue_forms() -> None:
    templates = ROOT / ".github" / "ISSUE_TEMPLATE"
    forms = sorted(str(p) for p in templates.glob("*.yml") if p.name != "config.yml")
    assert len(forms) == 2
    for schema, files in (
        ("vendor.github-issue-forms", forms),
        ("vendor.github-issue-config", [str(templates / "config.yml")]),
    ):
        result = subprocess.run(
            [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", schema, *files],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_pull_request_template_asks_for_a_conventional_title_and_the_test_command() -> None:
    text = (ROOT / ".github" / "pull_request_template.md").read_text()
    assert "Conventional Commit" in text and "bash scripts/test" in text
