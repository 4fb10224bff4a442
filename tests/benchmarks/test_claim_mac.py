"""The claim-authenticity benchmark (``benchmarks/claim_mac.py``): it counts the KMS requests it prices
(one GenerateMac per issued claim, one VerifyMac per redeemed one) and reports both variants."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.claim_mac import markdown, run
from benchmarks.prices import KMS_REQUEST_USD


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return run(messages=20, batch=10, repeats=1)


def test_signed_claims_cost_one_kms_request_at_issue_and_one_at_redemption(results: dict[str, Any]) -> None:
    assert results["variants"]["without_mac"]["kms_requests_per_message"] == 0
    assert results["variants"]["with_mac"]["kms_requests_per_message"] == 2
    assert results["kms_usd_per_million_messages"] == pytest.approx(2 * KMS_REQUEST_USD * 1e6)


def test_report_names_both_variants_and_the_command(results: dict[str, Any]) -> None:
    table = markdown(results)
    assert "| off |" in table and "| on |" in table
    assert "python -m benchmarks.claim_mac --messages 20 --batch 10" in table
