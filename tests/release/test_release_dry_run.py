"""The release workflow's offline steps, run for real on a clone: bump, changelog, build, twine check.

The release job runs ``bash scripts/projen-cli release`` (bump, build, unbump). Here the same projen
tasks run on a throwaway clone of this repository, with the projen CLI that uv.lock pins, and
nothing is tagged, pushed or uploaded. The ``test`` step of the build is left out (it is this
suite). commit-and-tag-version comes from the npm registry through npx, as in the workflow.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="the projen CLI needs node")


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


@pytest.fixture(scope="module")
def projen_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import projen

    (tarball,) = (Path(projen.__file__).parent / "_jsii").glob("projen@*.jsii.tgz")
    target = tmp_path_factory.mktemp("projen-cli")
    with tarfile.open(tarball) as archive:
        if hasattr(tarfile, "tar_filter"):  # Python 3.11.4 and later
            archive.extractall(target, filter="tar")
        else:  # the archive is projen's own, from the locked wheel
            archive.extractall(target)
    return target / "package" / "bin" / "projen"


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    _git(ROOT, "clone", "--quiet", "--no-hardlinks", str(ROOT), str(repo))
    _git(repo, "checkout", "--quiet", _git(ROOT, "rev-parse", "HEAD"))
    _git(repo, "config", "user.name", "release test")
    _git(repo, "config", "user.email", "release-test@example.invalid")
    for tag in _git(repo, "tag", "--list").split():
        _git(repo, "tag", "--delete", tag)
    return repo


def _task(projen_cli: Path, repo: Path, task: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CI": "true",  # npx installs commit-and-tag-version without asking, as on the runner
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "PROJEN_DISABLE_POST": "true",
    }
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        ["node", str(projen_cli), task], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"projen {task} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


def _bumped(repo: Path) -> tuple[str, str, str]:
    dist = repo / "dist"
    return (
        (dist / "version.txt").read_text().strip(),
        (dist / "releasetag.txt").read_text().strip(),
        (dist / "changelog.md").read_text(),
    )


def test_first_release_is_0_1_0_built_checked_and_unbumped(projen_cli: Path, clone: Path) -> None:
    _task(projen_cli, clone, "bump")
    version, tag, changelog = _bumped(clone)
    assert (version, tag) == ("0.1.0", "v0.1.0")
    assert json.loads((clone / "version.json").read_text())["version"] == "0.1.0"
    assert "## 0.1.0" in changelog and "### Features" in changelog and "### Bug Fixes" in changelog
    # Merge commits are in the history but never in the changelog.
    assert "Merge branch" in _git(clone, "log", "--format=%s")
    assert "Merge branch" not in changelog

    _task(projen_cli, clone, "package")  # uv build + twine check --strict, as the release runs it
    # publib-pypi uploads `*` of this folder (a shell glob: uv's .gitignore there is not matched).
    artifacts = sorted(p.name for p in (clone / "dist" / "python").iterdir() if not p.name.startswith("."))
    assert artifacts == ["cdk_claim_check-0.1.0-py3-none-any.whl", "cdk_claim_check-0.1.0.tar.gz"]
    with zipfile.ZipFile(clone / "dist" / "python" / artifacts[0]) as wheel:
        metadata = Parser().parsestr(wheel.read("cdk_claim_check-0.1.0.dist-info/METADATA").decode())
    assert metadata["Version"] == "0.1.0"
    # The package index's README links into the release's tag.
    assert "/blob/v0.1.0/API.md" in metadata.get_payload()

    _task(projen_cli, clone, "unbump")
    assert json.loads((clone / "version.json").read_text())["version"] == "0.0.0"
    assert _git(clone, "status", "--porcelain", "--untracked-files=no") == "", "unbump left a diff"


def _commit(repo: Path, subject: str) -> None:
    _git(repo, "commit", "--quiet", "--allow-empty", "-m", subject)


def test_after_a_release_only_feat_fix_and_breaking_commits_bump(projen_cli: Path, clone: Path) -> None:
    _git(clone, "tag", "v0.1.0")
    _commit(clone, "docs: a clearer README")
    _commit(clone, "Merge branch 'feature' (not a conventional commit)")
    _task(projen_cli, clone, "bump")
    version, _tag, _changelog = _bumped(clone)
    assert version == "0.1.0", "docs and non-conventional commits must not make a release"

    _commit(clone, "fix: the retrieval names the record")
    _task(projen_cli, clone, "bump")
    version, tag, changelog = _bumped(clone)
    assert (version, tag) == ("0.1.1", "v0.1.1")
    assert "the retrieval names the record" in changelog and "a clearer README" not in changelog

    _task(projen_cli, clone, "unbump")
    _commit(clone, "feat!: a prop renamed")
    _task(projen_cli, clone, "bump")
    version, _tag, changelog = _bumped(clone)
    # Below 1.0.0 a breaking change bumps the minor version.
    assert version == "0.2.0"
    assert "BREAKING CHANGES" in changelog
