"""The runtime works as the Lambda asset ships it: top-level package ``runtime``, no aws_cdk."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cdk_claim_check.runtime as runtime_package

RUNTIME_DIR = Path(runtime_package.__file__).parent
MODULES = sorted(RUNTIME_DIR.glob("*.py"))


def _absolute_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in a module; relative imports are left out."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _importing(top_level_names: tuple[str, ...]) -> list[str]:
    return [
        f"{path.name}:{line} {module}"
        for path in MODULES
        for line, module in _absolute_imports(path)
        if module.split(".")[0] in top_level_names
    ]


def test_every_import_of_the_package_inside_runtime_is_relative() -> None:
    assert _importing(("cdk_claim_check",)) == []


def test_runtime_never_imports_aws_cdk() -> None:
    assert _importing(("aws_cdk", "constructs")) == []


def test_handlers_import_as_top_level_runtime_package_like_in_the_lambda_asset(tmp_path: Path) -> None:
    shutil.copytree(RUNTIME_DIR, tmp_path / "runtime", ignore=shutil.ignore_patterns("__pycache__"))
    probe = (
        "import sys, runtime.split, runtime.retrieval;"
        "loaded = [name for name in sys.modules if name.split('.')[0] in ('aws_cdk', 'cdk_claim_check')];"
        "assert not loaded, loaded;"
        "print(runtime.split.__file__)"
    )
    # -S: no site-packages of this venv's .pth files (the editable install of cdk_claim_check);
    # boto3 and Powertools come in through PYTHONPATH, as the Lambda runtime and layer provide them.
    site_packages = next(path for path in sys.path if path.endswith("site-packages"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), site_packages])}
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "runtime" / "split.py")


def test_client_imports_without_powertools() -> None:
    probe = (
        "import sys, cdk_claim_check.runtime;"
        "assert not [name for name in sys.modules if name.startswith(('aws_lambda_powertools', 'aws_cdk'))]"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
