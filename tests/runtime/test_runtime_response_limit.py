"""The 6 MB enrichment response check: a cheap size bound never lets an over-limit response through.

``compact_json_size_bound`` must be at least the compact UTF-8 JSON size of what retrieval returns
for a body, and ``check_enrichment_response`` must decide exactly as the exact count does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cdk_claim_check.runtime import ClaimCheckError
from cdk_claim_check.runtime.codec import classify_value
from cdk_claim_check.runtime.contract import LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES
from cdk_claim_check.runtime.response_limit import check_enrichment_response, compact_json_size_bound


def _exact(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


# JSON number tokens in any valid spelling, including those that Python writes back longer.
_numbers = st.from_regex(r"-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,24})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@st.composite
def _json_texts(draw: st.DrawFn) -> str:
    """JSON written in many ways: escaped or not, indented, spaced, and hand-made number arrays."""
    if draw(st.booleans()):
        tokens = draw(st.lists(_numbers | st.sampled_from(['"\\u00e9"', '"\\n"', '"\\/"', "1E15", "1e400"])))
        space = draw(st.sampled_from(["", " ", "\n\t"]))
        return "[" + f",{space}".join(tokens) + "]"
    value = draw(_values)
    return json.dumps(
        value,
        ensure_ascii=draw(st.booleans()),
        indent=draw(st.none() | st.integers(min_value=0, max_value=2)),
        separators=draw(st.sampled_from([None, (",", ":"), (", ", ": ")])),
    )


@settings(max_examples=1500, deadline=None, database=None)
@given(body=_json_texts() | st.text())
@example(body="[1e15]")
@example(body="[12345678901234567.5]")
@example(body="[-1e400, 0e0, 1e-5, -0]")
@example(body='{"a": "\\u0001\\ud83d\\ude00", "a": 1}')
@example(body='"\x00\x1f\\"\n"')
def test_the_size_bound_is_never_below_the_exact_response_size(body: str) -> None:
    _, value = classify_value(body)
    bound = compact_json_size_bound(body, value)
    try:
        exact = _exact(value)
    except UnicodeEncodeError:  # an escaped lone surrogate: no bound may be given for it
        assert bound is None
        return
    assert bound is None or bound >= exact


def test_text_bound_is_exact_without_control_characters() -> None:
    body = 'plain "quoted" text with a \\ and é and 😀'
    assert compact_json_size_bound(body, body) == _exact(body)


def test_an_escaped_surrogate_gets_no_bound_so_the_exact_count_decides() -> None:
    body = '["\\ud83d\\ude00"]'
    assert compact_json_size_bound(body, json.loads(body)) is None


def _outcome(values: list[Any], bodies: list[str] | None) -> tuple[str, int | None, str] | None:
    message_ids = [f"m-{index}" for index in range(len(values))]
    try:
        check_enrichment_response(values, message_ids, bodies)
    except ClaimCheckError as error:
        return error.reason, error.position, str(error)
    return None


@pytest.mark.parametrize(
    "bodies",
    [
        # Fits by the bound: accepted without serialising.
        ['{"a": "' + "x" * 500_000 + '"}'] * 10,
        # Each body is 1.1 MB but Python writes every 1e15 back as 1000000000000000.0: 4.2 MB each.
        ["[" + ",".join(["1e15"] * 220_000) + "]"] * 5,
        # Text whose control characters escape to six bytes each.
        ["\x01" * 900_000] * 3,
        # Just over and just under the limit, in plain text.
        ["y" * (LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES // 2 - 3)] * 2,
        ["y" * (LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES // 2 - 2)] * 2,
        # Escaped surrogates: no bound, the exact count decides.
        ['["\\ud83d\\ude00' + "z" * 900_000 + '"]'] * 7,
    ],
    ids=["fits", "float-growth", "control-characters", "at-limit", "one-over", "surrogates"],
)
def test_the_response_check_with_bodies_decides_exactly_as_the_exact_count(bodies: list[str]) -> None:
    values = [classify_value(body)[1] for body in bodies]
    expected = _outcome(values, None)
    assert _outcome(values, bodies) == expected
    total = 1 + sum(_exact(value) + 1 for value in values)
    assert (expected is None) == (total <= LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES)


def test_float_growth_past_the_limit_is_refused_at_the_record_that_crosses_it() -> None:
    bodies = ["[" + ",".join(["1e15"] * 220_000) + "]"] * 5
    values = [json.loads(body) for body in bodies]
    assert sum(len(body) for body in bodies) < LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES
    outcome = _outcome(values, bodies)
    assert outcome is not None and outcome[:2] == ("too_large", 1)


@pytest.mark.parametrize(
    "body", ['["\\ud800"]', '{"k": "\\udfff"}', "text \ud800"], ids=["escaped", "escaped-low", "raw-text"]
)
def test_a_lone_surrogate_fails_malformed_naming_its_record(body: str) -> None:
    bodies = ["[1]", body, "[2]"]
    values = [classify_value(text)[1] for text in bodies]
    for with_bodies in (bodies, None):
        outcome = _outcome(values, with_bodies)
        assert outcome is not None
        assert outcome[:2] == ("malformed", 1)
        assert outcome[2].startswith("record 1 (messageId 'm-1'): malformed: ")
        assert "surrogate" in outcome[2]
