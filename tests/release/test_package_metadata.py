"""What the package index and pip see: metadata per PEP 639, project URLs, sdist contents, twine."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
from release_helpers import BuiltDist

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def metadata(built_dist: BuiltDist) -> Message:
    with zipfile.ZipFile(built_dist.wheel) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(wheel.read(name).decode())


def _projenrc_constant(name: str) -> str:
    match = re.search(rf'^{name} = "([^"]+)"', (ROOT / ".projenrc.py").read_text(), re.MULTILINE)
    assert match, f"{name} not found in .projenrc.py"
    return match.group(1)


def test_license_is_an_spdx_expression_without_a_license_classifier(metadata: Message) -> None:
    assert metadata["License-Expression"] == "Apache-2.0"
    assert [c for c in metadata.get_all("Classifier", []) if c.startswith("License ::")] == []
    assert metadata.get_all("License-File") == ["LICENSE"]


def test_classifiers_name_the_development_status_and_exactly_the_pythons_ci_runs(metadata: Message) -> None:
    classifiers = metadata.get_all("Classifier", [])
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    claimed = sorted(c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(r".*Python :: 3\.\d+", c))
    build = (ROOT / ".github" / "workflows" / "build.yml").read_text()
    matrix = re.search(r"python:\n((?:\s+- \"3\.\d+\"\n)+)", build)
    assert matrix, "build.yml has no python matrix"
    assert claimed == sorted(re.findall(r"3\.\d+", matrix.group(1)))


def test_every_project_url_derives_from_the_one_repository_url(metadata: Message) -> None:
    repository = _projenrc_constant("REPOSITORY_URL")
    urls = dict(entry.split(", ", 1) for entry in metadata.get_all("Project-URL", []))
    assert set(urls) == {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
    assert urls["Repository"] == repository
    assert all(url.startswith(repository) for url in urls.values())
    assert (ROOT / ".projenrc.py").read_text().count(repository) == 1, "the URL is written more than once"


def test_version_comes_from_version_json_only(metadata: Message) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert metadata["Version"] == "0.0.0"  # the committed value; the release task bumps it
    assert not re.search(r"__version__\s*=", "".join(p.read_text() for p in (ROOT / "src").rglob("*.py")))


def test_sdist_holds_the_package_and_its_build_inputs_only(built_dist: BuiltDist) -> None:
    with tarfile.open(built_dist.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert not [name for name in names if name.startswith(("examples/", "tests/", "docs/", "benchmarks/"))]
    assert {"README.md", "LICENSE", "API.md", "version.json", "hatch_build.py", "pyproject.toml"} <= names
    assert "src/cdk_claim_check/runtime/split.py" in names


def test_twine_check_strict_passes_on_the_sdist_and_the_wheel(built_dist: BuiltDist) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "twine"), "check", "--strict", str(built_dist.sdist), str(built_dist.wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2
