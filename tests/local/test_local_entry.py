"""``cdk-claim-check-local`` without the [local] extra names the extra instead of crashing."""

from __future__ import annotations

import subprocess
import sys

from cdk_claim_check.local import entry

_BLOCKED = """
import sys
class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(name)
        return None
sys.meta_path.insert(0, _Blocker())
from cdk_claim_check.local.entry import main
sys.exit(main(["--help"]))
"""


def _entry_without(*modules: str) -> subprocess.CompletedProcess[str]:
    program = _BLOCKED.format(blocked=set(modules))
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)


def test_without_botocore_the_command_names_the_local_extra_and_exits_two() -> None:
    result = _entry_without("botocore", "boto3")
    assert result.returncode == 2
    assert "pip install 'cdk-claim-check[local]'" in result.stderr
    assert "boto3, botocore cannot be imported" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_moto_the_command_names_the_local_extra() -> None:
    result = _entry_without("moto")
    assert result.returncode == 2
    assert "moto cannot be imported" in result.stderr


def test_with_the_extra_installed_the_command_runs_the_local_run() -> None:
    assert entry.missing_local_modules() == []
    result = _entry_without()
    assert result.returncode == 0, result.stderr
    assert "usage: cdk-claim-check-local" in result.stdout
