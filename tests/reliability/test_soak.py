"""The soak in the suite: 1,000 messages of 1 KiB .. 1 MiB through the whole flow under ~1% store faults.

The full soak is ``bash scripts/soak --messages N --readme``; its figures are in ``docs/soak.json``
and the README under "Soak".
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from soak import (
    FIGURES,
    README,
    README_END,
    README_START,
    SoakLedger,
    SoakOptions,
    make_body,
    problems,
    render_readme_block,
    run_soak,
    sha256_hex,
    synthesize_soak_app,
    update_readme,
)

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
    assert sum(figures["target_send_faults"].values()) > 0
    assert account["poison_sent"] > 0
    assert account["in_dlq_poison"] == account["poison_sent"]
    assert set(account["dlq_errors"]) == {"pointer_not_allowed"}


def test_sends_to_the_targets_applied_but_unanswered_reach_the_target_twice_and_are_counted_not_lost(
    tmp_path: Path,
) -> None:
    stack = synthesize_soak_app(tmp_path / "cdk.out")
    figures = run_soak(
        stack,
        SoakOptions(
            messages=60,
            fault_rate=0.0,
            poison_rate=0.0,
            seed=7,
            max_body_bytes=16 * 1024,
            delivery_fault_rate=0.3,
            delivery_fault_kinds=("drop_after",),
        ),
        progress=lambda _: None,
    )
    account = figures["account"]
    assert figures["problems"] == []
    assert figures["target_send_faults"]["drop_after"] > 0
    assert (account["delivered_byte_exact"], account["lost"], account["in_dlq"]) == (60, 0, 0)
    # Each lost answer was a send applied: the bus or the final queue took it again on the retry.
    assert account["duplicates"] > 0
    assert account["unknown_deliveries"] == 0


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


def test_the_readme_soak_table_is_the_committed_run() -> None:
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    readme = README.read_text(encoding="utf-8")
    committed = readme.split(README_START, 1)[1].split(README_END, 1)[0].strip()
    assert committed == render_readme_block(figures).strip(), "run `bash scripts/soak ... --readme`"
    assert figures["account"]["sent"] >= 1_000
    assert figures["problems"] == []


def test_update_readme_replaces_only_the_soak_section(tmp_path: Path) -> None:
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{README_START}\nPREVIOUS TABLE\n{README_END}\nafter\n", encoding="utf-8")
    update_readme(readme, figures)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith("after\n") and "PREVIOUS TABLE" not in text
    assert f"| messages sent | {figures['account']['sent']:,} (" in text
