"""Checks on the project itself: generated files, lint, types, packaging and import boundaries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_projen_regenerates_the_committed_files_without_a_diff(tmp_path: Path) -> None:
    managed = json.loads((ROOT / ".projen" / "files.json").read_text())["files"]
    for name in [".projenrc.py", "README.md", *managed]:
        if (ROOT / name).exists():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tmp_path / name)
    for name in managed:  # projen writes its files read-only; let it overwrite the copies
        if (tmp_path / name).exists():
            (tmp_path / name).chmod(0o644)
    env = {**os.environ, "PROJEN_DISABLE_POST": "true", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    result = _run(sys.executable, ".projenrc.py", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    drifted = [name for name in managed if (tmp_path / name).read_text() != (ROOT / name).read_text()]
    assert drifted == [], f"run `bash scripts/projen` and commit: {drifted} differ from .projenrc.py's output"


def test_ruff_reports_nothing() -> None:
    paths = ["src", "tests", "examples", "benchmarks", "docs", ".projenrc.py", "hatch_build.py"]
    result = _run(str(VENV_BIN / "ruff"), "check", *paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_library() -> None:
    result = _run(str(VENV_BIN / "mypy"), "--strict", "src")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out_dir = tmp_path_factory.mktemp("wheel")
    result = _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out_dir), ".")
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out_dir.glob("cdk_claim_check-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_wheel_ships_the_handler_code(wheel_files: list[str]) -> None:
    for handler_module in ("split.py", "retrieval.py", "config.py", "contract.py", "storage.py", "client.py"):
        assert f"cdk_claim_check/runtime/{handler_module}" in wheel_files


def test_wheel_ships_the_constructs_and_type_marker(wheel_files: list[str]) -> None:
    for module in ("__init__.py", "store.py", "split_pipe.py", "retrieval_pipe.py", "py.typed"):
        assert f"cdk_claim_check/{module}" in wheel_files


def test_wheel_ships_no_tests_or_bytecode(wheel_files: list[str]) -> None:
    assert not [name for name in wheel_files if name.startswith("tests/") or name.endswith(".pyc")]


_BLOCK_IMPORTS = """
import sys
class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} must not be imported here")
        return None
sys.meta_path.insert(0, _Blocker())
"""


def _python_with_blocked_imports(blocked: list[str], code: str) -> subprocess.CompletedProcess[str]:
    program = f"BLOCKED = {blocked!r}\n{_BLOCK_IMPORTS}\n{code}"
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return _run(sys.executable, "-c", program, env=env)


def test_constructs_import_without_boto3_or_powertools() -> None:
    result = _python_with_blocked_imports(
        ["boto3", "botocore", "aws_lambda_powertools"],
        "from cdk_claim_check import ClaimCheckStore, ClaimCheckSplitPipe, ClaimCheckRetrievalPipe\n"
        "print(ClaimCheckStore.__name__, ClaimCheckSplitPipe.__name__, ClaimCheckRetrievalPipe.__name__)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ClaimCheckStore", "ClaimCheckSplitPipe", "ClaimCheckRetrievalPipe"]


def test_runtime_imports_without_aws_cdk() -> None:
    result = _python_with_blocked_imports(
        ["aws_cdk", "constructs", "jsii"],
        "import cdk_claim_check.runtime.split, cdk_claim_check.runtime.retrieval\n"
        "from cdk_claim_check.runtime import ClaimCheckClient\n"
        "print(ClaimCheckClient.__name__)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ClaimCheckClient"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert ci_commands == ["bash scripts/test"]
    assert "bash scripts/test" in (ROOT / "README.md").read_text()
