"""The command's setup failures: one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdk_claim_check.operate.cli import main

CLAIM = '{"claimCheck": {"v": 1, "id": "' + "a" * 32 + '", "bytes": 1, "sha256": "' + "b" * 64 + '"}}'


@pytest.fixture
def no_aws_setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, region or profile anywhere boto3 looks (files, environment, instance metadata)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_no_credentials_exit_2_naming_how_to_provide_them(
    no_aws_setup: None, moto_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["inspect", CLAIM, "--table", "t", "--region", "us-east-1", "--endpoint-url", moto_server])
    assert status == 2
    assert "no AWS credentials found" in capsys.readouterr().err


def test_no_region_and_an_unknown_profile_exit_2(
    no_aws_setup: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert main(["dlq", "list", "q"]) == 2
    assert "no AWS region: pass --region" in capsys.readouterr().err
    assert main(["dlq", "list", "q", "--profile", "on-call"]) == 2
    assert "AWS profile 'on-call' not found" in capsys.readouterr().err


_WITHOUT_BOTO3 = """
import sys
class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("boto3", "botocore"):
            raise ImportError(name)
sys.meta_path.insert(0, _Blocker())
from cdk_claim_check.operate.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_boto3_the_command_says_which_extra_to_install_and_help_still_works() -> None:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    run = subprocess.run(
        [sys.executable, "-c", _WITHOUT_BOTO3, "dlq", "list", "q", "--region", "us-east-1"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert 'pip install "cdk-claim-check[runtime]"' in run.stderr and "Traceback" not in run.stderr
    helped = subprocess.run(
        [sys.executable, "-c", _WITHOUT_BOTO3, "dlq", "redrive", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert helped.returncode == 0 and "--dry-run" in helped.stdout


def test_the_console_script_is_installed_next_to_the_local_run() -> None:
    scripts = Path(sys.executable).parent
    assert (scripts / "cdk-claim-check").exists() and (scripts / "cdk-claim-check-local").exists()
    run = subprocess.run(
        [str(scripts / "cdk-claim-check"), "--help"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0 and "inspect" in run.stdout and "dlq" in run.stdout
