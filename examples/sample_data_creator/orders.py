"""Realistic, varied sample orders for the claim-check example: the sample-data creator's generator.

Each order is a JSON document with a unique ``orderId`` and a size drawn log-uniformly between a few
KB and about 900 KB (SQS takes up to 1 MiB). Sizes come from line items (text that compresses well)
and, for some orders, a scanned-document attachment (base64 that does not), so both the DynamoDB
and the S3 side of the store are exercised. Bodies are compact UTF-8 JSON with non-ASCII text,
so a byte-exact round trip is a real test. The same seed gives the same orders.

Importable without AWS; run it as a script to write JSON Lines for ``--messages-from``::

    python examples/sample_data_creator/orders.py --count 20 > orders.jsonl
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import random
import sys
from collections.abc import Iterator
from typing import Any

MIN_BYTES = 2_000
MAX_BYTES = 900_000
_FIRST_NAMES = ["Ana", "Björn", "Chloé", "Dmitri", "Eşref", "Fatima", "Grace", "Hiroshi", "Íñigo", "Jana"]
_LAST_NAMES = [
    "Álvarez",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Horváth",
    "Ito",
    "Jovanović",
]
_CITIES = ["Zürich", "São Paulo", "Kraków", "Montréal", "Reykjavík", "Málaga", "Tōkyō", "Oslo"]
_PRODUCTS = ["espresso beans", "pour-over kettle", "ceramic mug", "burr grinder", "paper filters", "scale"]
_CHANNELS = ["web", "mobile", "store", "partner-api"]
_TIERS = ["standard", "gold", "platinum"]


def _target_size(rng: random.Random, index: int, count: int) -> int:
    # The first and last orders pin both ends of the range, so even a short run shows both.
    if count > 1 and index == 0:
        return MIN_BYTES + rng.randrange(2_000)
    if count > 1 and index == count - 1:
        return MAX_BYTES - rng.randrange(20_000)
    return int(math.exp(rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES))))


def _line_item(rng: random.Random, number: int) -> dict[str, Any]:
    product = rng.choice(_PRODUCTS)
    return {
        "line": number,
        "sku": f"SKU-{rng.randrange(10**6):06d}",
        "name": product.title(),
        "quantity": rng.randint(1, 12),
        "unitPrice": round(rng.uniform(2, 250), 2),
        "currency": "EUR",
        "description": f"{product} — lot {rng.randrange(10**4)}, roasted/packed in {rng.choice(_CITIES)}",
    }


def _encoded_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def make_order(rng: random.Random, index: int, count: int, seed: int) -> str:
    """One order as a compact JSON body of about its drawn size (never above ``MAX_BYTES``)."""
    target = _target_size(rng, index, count)
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    order: dict[str, Any] = {
        "orderId": f"ord-{seed}-{index:06d}-{rng.getrandbits(32):08x}",
        "type": "order.created",
        "channel": rng.choice(_CHANNELS),
        "createdAt": f"2026-11-{1 + index % 28:02d}T{index % 24:02d}:{rng.randrange(60):02d}:00Z",
        "customer": {
            "id": f"cus-{rng.randrange(10**6):06d}",
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{index}@example.com",
            "tier": rng.choice(_TIERS),
            "address": {"city": rng.choice(_CITIES), "postcode": f"{rng.randrange(10**5):05d}"},
        },
        "items": [],
        "attachments": [],
    }
    # About a third of the orders carry a scanned document: incompressible, like a real one.
    if rng.random() < 0.35 and target > 20_000:
        scan_bytes = int(target * 0.6 * 3 / 4)
        order["attachments"].append(
            {
                "kind": "scanned-invoice",
                "contentType": "image/png",
                "data": base64.b64encode(rng.randbytes(scan_bytes)).decode("ascii"),
            }
        )
    # The encoded size grows by exactly one item's encoding (plus a comma) per line: no re-encoding.
    size = _encoded_size(order)
    while size < target:
        line = _line_item(rng, len(order["items"]) + 1)
        line_size = _encoded_size(line) + (1 if order["items"] else 0)
        if size + line_size > MAX_BYTES:
            break
        order["items"].append(line)
        size += line_size
    body = json.dumps(order, separators=(",", ":"), ensure_ascii=False)
    return body


def generate_orders(count: int, seed: int = 7) -> Iterator[str]:
    """``count`` order bodies (compact JSON strings), the same ones for the same seed."""
    rng = random.Random(seed)
    for index in range(count):
        yield make_order(rng, index, count, seed)


def main(argv: list[str] | None = None) -> int:
    """Write ``--count`` orders as JSON Lines to standard output."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for body in generate_orders(args.count, args.seed):
        sys.stdout.write(body + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
