"""The command's setup failures: one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cdk_claim_check.operate.cli import main
from conftest import Ran

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


def test_careless_arguments_fail_before_anything_is_read_or_moved(
    operate: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = operate("redeem", CLAIM, "--table", "t", "--out", str(tmp_path))
    assert directory.status == 2 and "is a directory" in directory.err
    for args in (["--max", "0"], ["--since-hours", "0"], ["--since-hours", "400"]):
        ran = operate("dlq", "list", "any-queue", *args)
        assert ran.status == 2 and ("--max" in ran.err or "--since-hours" in ran.err), args
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    empty = operate("inspect", "-", "--table", "t")
    assert empty.status == 2 and "CLAIM is not JSON" in empty.err


def test_a_ledger_that_cannot_be_written_stops_the_redrive_before_anything_moves(
    operate: Callable[..., Ran], moto_server: str, tmp_path: Path
) -> None:
    import boto3

    sqs = boto3.client("sqs", endpoint_url=moto_server, region_name="us-east-1")
    dlq = sqs.create_queue(QueueName="ledger-dlq")["QueueUrl"]
    target = sqs.create_queue(QueueName="ledger-target")["QueueUrl"]
    sqs.send_message(QueueUrl=dlq, MessageBody="kept")
    ran = operate("dlq", "redrive", dlq, "--to", target, "--ledger", str(tmp_path / "missing" / "l.jsonl"))
    assert ran.status == 2 and "--ledger" in ran.err and "No such file or directory" in ran.err
    depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "1"
