"""Property: any body, from empty to about 1 MiB, survives split then retrieval byte-exactly."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from runtime_helpers import claims_batch, sqs_record

from cdk_claim_check.runtime import ClaimCheckError, retrieval, split
from cdk_claim_check.runtime.contract import LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES

ONE_MIB = 1024 * 1024
LARGE = 512 * 1024
# Code points from several scripts (ASCII, Latin-1, Greek, CJK, emoji): 1 to 4 UTF-8 bytes each.
_ALPHABET = [chr(code) for code in [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x391, 0x3CA)]]
_ALPHABET += [chr(code) for code in [*range(0x4E00, 0x4F00), *range(0x1F600, 0x1F650), 0x0, 0xA, 0x2028]]


def _fit(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes, never inside a character."""
    return text.encode()[:max_bytes].decode("utf-8", errors="ignore")


def _repeat(chunk: str, target_bytes: int) -> str:
    return _fit(chunk * (target_bytes // max(1, len(chunk.encode())) + 1), target_bytes)


def _random_text(seed: int, target_bytes: int) -> str:
    # About 2.6 bytes per character on average over the alphabet; barely compressible.
    generator = random.Random(seed)
    return _fit("".join(generator.choices(_ALPHABET, k=target_bytes // 2)), target_bytes)


_sizes = st.integers(min_value=8 * 1024, max_value=ONE_MIB)
bodies = st.one_of(
    st.text(),
    st.builds(_repeat, st.text(min_size=1, max_size=40), _sizes),
    st.builds(_repeat, st.lists(st.text(max_size=300), min_size=1, max_size=20).map("".join), _sizes),
    st.builds(_random_text, st.integers(min_value=0), _sizes),
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=30,
    ).map(lambda value: json.dumps({"data": value}, ensure_ascii=False)),
)


def test_any_body_round_trips_byte_exactly_through_split_and_retrieval(
    configure_runtime: Any, claim_check_resources: Any, lambda_context: Any
) -> None:
    client = claim_check_resources.client()
    sizes: list[int] = []

    @settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(body=bodies)
    @example(body="")
    @example(body=_random_text(1, ONE_MIB))
    @example(body="\x00" * ONE_MIB)  # stored fine, but too large for any enrichment response as JSON
    def round_trip(body: str) -> None:
        sizes.append(len(body.encode()))
        check = split.handler([sqs_record(body)], lambda_context)[0]
        assert check["claimCheck"]["bytes"] == len(body.encode())
        assert client.redeem(check).body == body
        expected = _expected_handler_output(body)
        if _response_bytes(expected) > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES:
            # e.g. 1 MiB of control characters: each escapes to 6 bytes of JSON, so no enrichment
            # response can carry it; the retrieval must refuse it rather than hand Pipes a reply
            # it rejects. The client above still redeemed it byte-exactly.
            with pytest.raises(ClaimCheckError) as refused:
                retrieval.handler(claims_batch([check]), lambda_context)
            assert refused.value.reason == "too_large"
            return
        restored = retrieval.handler(claims_batch([check]), lambda_context)[0]
        assert restored == expected

    round_trip()
    assert 0 in sizes
    assert sum(size > LARGE for size in sizes) >= 5  # generated, not only the @example
    assert max(sizes) > ONE_MIB - 16


def _response_bytes(value: Any) -> int:
    """The least a one-record enrichment response carrying ``value`` weighs: compact UTF-8 JSON."""
    return len(json.dumps([value], ensure_ascii=False, separators=(",", ":")).encode())


def _refuse(name: str) -> Any:
    raise ValueError(name)


def _expected_handler_output(body: str) -> Any:
    """The contract's rule: a JSON object or array comes back parsed, anything else as the string."""
    try:
        value = json.loads(body, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return body
    return value if isinstance(value, dict | list) else body


def test_any_body_round_trips_byte_exactly_through_the_object_layout(claim_check_resources: Any) -> None:
    client = claim_check_resources.client(s3_layout="object", compression="none", inline_limit_bytes=0)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(body=bodies)
    def round_trip(body: str) -> None:
        assert client.redeem(client.put(body)).body == body

    round_trip()
