"""The codec's compression: the give-up bound changes how much work is done, never the placement."""

from __future__ import annotations

import json
import random
import zlib

from cdk_claim_check.runtime.codec import compress


def _order(lines: int) -> bytes:
    return json.dumps({"lines": [{"sku": f"SKU-{n:06d}", "qty": n % 7} for n in range(lines)]}).encode()


def test_compression_that_cannot_fit_under_the_bound_gives_up_and_keeps_the_body_plain() -> None:
    raw = _order(9000)
    full_encoding, full = compress(raw, "auto")
    assert full_encoding == "zlib" and len(full) > 8192  # compressed, yet above the bound
    assert compress(raw, "auto", give_up_above=8192) == ("identity", raw)


def test_compression_under_the_bound_is_the_same_zlib_stream_as_without_it() -> None:
    raw = _order(200)
    encoding, packed = compress(raw, "auto", give_up_above=8192)
    assert encoding == "zlib" and len(packed) <= 8192
    assert zlib.decompress(packed) == raw


def test_high_entropy_bodies_give_up_under_the_bound_too() -> None:
    raw = random.Random(7).randbytes(100_000).hex().encode()
    assert compress(raw, "auto", give_up_above=8192) == ("identity", raw)
    encoding, packed = compress(raw, "auto")
    assert encoding == "zlib" and zlib.decompress(packed) == raw


def test_the_bound_never_changes_whether_a_body_fits_under_it() -> None:
    # Around the bound: outputs just below, at and above 8192 bytes, and high-entropy bodies.
    rng = random.Random(1)
    for size in range(12_000, 40_000, 1_500):
        for alphabet in ("ab", "abcdefghij", "abcdefghijklmnopqrstuvwxyz0123456789"):
            raw = "".join(rng.choice(alphabet) for _ in range(size)).encode()
            reference_encoding, reference = compress(raw, "auto")
            encoding, stored = compress(raw, "auto", give_up_above=8192)
            if encoding == "zlib":
                assert stored == reference  # the same stream, just not abandoned
            fits = encoding == "zlib" and len(stored) <= 8192
            assert fits == (reference_encoding == "zlib" and len(reference) <= 8192), (size, alphabet)
