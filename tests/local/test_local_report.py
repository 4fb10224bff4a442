"""The report decides the exit status: exact restoration, no unexpected dead letters, drained flow."""

from __future__ import annotations

import json

from cdk_claim_check.local.ledger import Ledger, compact_json
from cdk_claim_check.local.report import DeadLetter, RunReport, message_outcomes, render

BODY = json.dumps({"orderId": "o-1", "name": "Zoë"}, separators=(",", ":"), ensure_ascii=False)


def _ledger(*bodies: str) -> Ledger:
    ledger = Ledger()
    for number, body in enumerate(bodies):
        ledger.record_original(f"m-{number}", body, "split")
    return ledger


def _report(
    ledger: Ledger, observed: list[tuple[str, object]], dead: list[DeadLetter] | None = None
) -> RunReport:
    return RunReport(
        stack="S",
        pipes=[],
        messages=message_outcomes(ledger, observed),
        dead_letters=dead or [],
        bus_audits=[],
        executions={},
        failure_mode="tampered",
        failure_injected=True,
        drained=True,
    )


def test_a_payload_with_the_original_bytes_is_exact() -> None:
    ledger = _ledger(BODY, "plain text")
    outcomes = message_outcomes(ledger, [("fn", json.loads(BODY)), ("fn", "plain text")])
    assert [o.restored for o in outcomes] == ["exact", "exact"]


def test_the_same_json_value_with_other_formatting_is_json_equal() -> None:
    spaced = '{"orderId": "o-1", "name": "Zoë"}'
    outcomes = message_outcomes(_ledger(spaced), [("fn", json.loads(spaced))])
    assert outcomes[0].restored == "json-equal"


def test_a_changed_payload_or_a_claim_check_is_not_a_restoration() -> None:
    changed = {**json.loads(BODY), "name": "Zoe"}
    claim = {"claimCheck": {"v": 1, "id": "x", "bytes": 1, "sha256": "y"}}
    outcomes = message_outcomes(
        _ledger(BODY), [("fn", changed), ("bus", claim), ("fn", compact_json(changed))]
    )
    assert outcomes[0].restored == "no"


def test_a_lost_message_or_an_unexpected_dead_letter_fails_the_run() -> None:
    ledger = _ledger(BODY)
    assert (
        _report(
            ledger, [("fn", json.loads(BODY))], [DeadLetter("Dlq", "m", 1, "c", "tampered", True)]
        ).problems
        == []
    )
    lost = _report(ledger, [])
    assert lost.problems == [
        "1 message(s) lost or not restored exactly",
        "the tampered claim check did not end in a dead-letter queue",
    ]
    stray = _report(ledger, [("fn", json.loads(BODY))], [DeadLetter("Dlq", "m", 1, None, "boom", False)])
    assert "1 unexpected message(s) in dead-letter queues" in stray.problems
    assert "RESULT: FAILED" in render(stray)


def test_a_message_a_pipe_filter_dropped_is_filtered_not_lost() -> None:
    ledger = _ledger(BODY)
    ledger.filtered.add("m-0")
    report = _report(ledger, [], [DeadLetter("Dlq", "m", 1, "c", "tampered", True)])
    assert [m.restored for m in report.messages] == ["filtered"]
    assert report.problems == []
