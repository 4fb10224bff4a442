"""The sample-data generator: unique, varied, realistic orders, the same for the same seed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "sample_data_creator"))
from orders import MAX_BYTES, generate_orders


def test_orders_have_unique_ids_and_span_a_few_kb_to_about_900_kb() -> None:
    bodies = list(generate_orders(12, seed=3))
    ids = {json.loads(body)["orderId"] for body in bodies}
    sizes = [len(body.encode("utf-8")) for body in bodies]
    assert len(ids) == 12
    assert min(sizes) < 5_000 and 850_000 < max(sizes) <= MAX_BYTES


def test_bodies_are_compact_utf8_json_so_a_byte_exact_round_trip_is_checkable() -> None:
    for body in generate_orders(5, seed=4):
        assert json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False) == body


def test_the_same_seed_gives_the_same_orders_and_another_seed_others() -> None:
    assert list(generate_orders(3, seed=5)) == list(generate_orders(3, seed=5))
    assert list(generate_orders(3, seed=5)) != list(generate_orders(3, seed=6))
