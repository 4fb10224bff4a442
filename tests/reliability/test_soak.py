"""The soak in the suite: 1,000 messages of 1 KiB .. 1 MiB through the whole flow under ~1% store faults.

The full soak (10,000 messages) is ``bash scripts/soak --messages 10000``; its figures are in the
README under "Soak".
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from soak import SoakLedger, SoakOptions, make_body, problems, run_soak, sha256_hex, synthesize_soak_app

pytestmark = pytest.mark.slow


def test_a_thousand_messages_under_store_faults_are_all_delivered_byte_exact_or_dead_lettered_with_an_error(
    tmp_path: Path,
) -> None:
    stack = synthesize_soak_app(tmp_path / "cdk.out")
    figures = run_soak(
        stack, SoakOptions(messages=1000, fault_rate=0.01, poison_rate=0.003, seed=5), progress=lambda _: None
    )
    account = figures["account"]
    assert figures["problems"] == []
    assert account["sent"] == 1000
    assert account["delivered_byte_exact"] + account["in_dlq"] == 1000
    assert account["lost"] == 0
    # The faults really happened, and the poison really took the DLQ path with its reason named.
    assert sum(figures["store_faults"].values()) > 0
    assert account["poison_sent"] > 0
    assert account["in_dlq_poison"] == account["poison_sent"]
    assert set(account["dlq_errors"]) == {"pointer_not_allowed"}


def test_the_ledger_reports_a_message_that_is_neither_delivered_nor_dead_lettered_as_lost() -> None:
    ledger = SoakLedger()
    rng = random.Random(1)
    bodies = [make_body(seq, rng, max_bytes=4096, poison_rate=0.0)[0] for seq in range(3)]
    for seq, body in enumerate(bodies):
        ledger.send(body, seq, poison=False)
    ledger.delivered[sha256_hex(bodies[0])] += 2  # delivered twice: a duplicate, not a loss
    account = ledger.account()
    assert (account["delivered_byte_exact"], account["duplicates"], account["lost"]) == (1, 1, 2)
    assert problems(account) == ["2 message(s) neither delivered nor in a DLQ: seqs [1, 2]"]


def test_the_ledger_refuses_a_delivered_payload_that_matches_nothing_sent() -> None:
    ledger = SoakLedger()
    ledger.send("original", 0, poison=False)
    ledger.delivered[sha256_hex("origina1")] += 1
    account = ledger.account()
    assert account["unknown_deliveries"] == 1
    assert any("match no message sent" in problem for problem in problems(account))


def test_bodies_span_one_kib_to_the_largest_size_and_are_unique() -> None:
    rng = random.Random(2)
    bodies = [make_body(seq, rng, max_bytes=1_048_576, poison_rate=0.0)[0] for seq in range(400)]
    sizes = [len(body.encode()) for body in bodies]
    assert min(sizes) >= 1024 and max(sizes) <= 1_048_576
    assert max(sizes) > 512 * 1024 and min(sizes) < 4 * 1024
    assert len({sha256_hex(body) for body in bodies}) == len(bodies)
