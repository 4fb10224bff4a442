"""Fixtures for the operator command: a runner of ``cdk-claim-check`` against the moto server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from cdk_claim_check.operate.cli import main
from cdk_claim_check.runtime import ClaimCheckClient


@dataclass(frozen=True)
class Ran:
    """One run of the command: exit status and what it printed."""

    status: int
    out: str
    err: str


@pytest.fixture
def operate(moto_server: str, capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """Run ``cdk-claim-check <args> --endpoint-url <moto> --region us-east-1`` in-process."""

    def run(*args: str) -> Ran:
        capsys.readouterr()
        status = main([*args, "--endpoint-url", moto_server, "--region", "us-east-1"])
        captured = capsys.readouterr()
        return Ran(status, captured.out, captured.err)

    return run


@pytest.fixture
def client(claim_check_resources: Any) -> ClaimCheckClient:
    """A client of this test's table and bucket (moto), as the split would issue claims."""
    client: ClaimCheckClient = claim_check_resources.client(expected_bucket_owner="123456789012")
    return client
