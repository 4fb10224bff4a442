"""Deterministic test payloads: realistic JSON orders of a given size, and incompressible data.

The sample's split handler keys its DynamoDB item by the body's ``id``, so every payload is a JSON
object with a unique top-level ``id``: the baseline gets bodies it can carry, as in the sample.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass

KIB = 1024

_WORDS = [
    "order",
    "shipment",
    "customer",
    "invoice",
    "warehouse",
    "pallet",
    "express",
    "standard",
    "priority",
    "returned",
    "delivered",
    "pending",
    "paid",
    "refunded",
    "discount",
    "coupon",
    "voucher",
    "gift",
    "wrapped",
    "fragile",
    "heavy",
    "small",
    "large",
    "medium",
    "blue",
    "red",
    "green",
    "black",
    "white",
    "cotton",
    "wool",
    "leather",
    "steel",
    "wooden",
    "plastic",
    "glass",
    "berlin",
    "paris",
    "madrid",
    "lisbon",
    "dublin",
    "vienna",
    "prague",
    "warsaw",
    "oslo",
    "helsinki",
    "stockholm",
    "copenhagen",
]


@dataclass(frozen=True)
class PayloadSpec:
    """A payload kind and size; ``label`` is the key used in results.json and the report."""

    label: str
    size_bytes: int
    compressible: bool = True


def _line_item(rng: random.Random, index: int) -> dict[str, object]:
    return {
        "line": index,
        "sku": f"SKU-{rng.randrange(10**8):08d}",
        "name": " ".join(rng.choice(_WORDS) for _ in range(3)),
        "description": " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(8, 24))),
        "quantity": rng.randrange(1, 20),
        "unitPrice": round(rng.uniform(0.5, 500.0), 2),
        "tags": [rng.choice(_WORDS) for _ in range(rng.randrange(1, 5))],
        "gift": rng.random() < 0.1,
    }


def _pad_to(document: dict[str, object], size_bytes: int, field: str, filler: str) -> str:
    """Fill ``field`` so that the compact JSON text is exactly ``size_bytes`` long (ASCII only)."""
    document[field] = ""
    missing = size_bytes - len(json.dumps(document, separators=(",", ":")))
    if missing < 0:
        raise ValueError(f"payload skeleton is already larger than {size_bytes} bytes")
    document[field] = (filler * (missing // max(len(filler), 1) + 1))[:missing]
    text = json.dumps(document, separators=(",", ":"))
    assert len(text) == size_bytes, (len(text), size_bytes)
    return text


def json_order(size_bytes: int, message_index: int) -> str:
    """A realistic order document of exactly ``size_bytes`` UTF-8 bytes with a unique ``id``."""
    rng = random.Random(size_bytes * 1_000_003 + message_index)
    document: dict[str, object] = {
        "id": f"order-{size_bytes}-{message_index:06d}",
        "type": "OrderPlaced",
        "source": "shop.orders",
        "customer": {
            "id": f"c-{rng.randrange(10**6):06d}",
            "name": " ".join(rng.choice(_WORDS).title() for _ in range(2)),
            "city": rng.choice(_WORDS),
        },
        "items": [],
        "note": "",
    }
    items: list[dict[str, object]] = []
    document["items"] = items
    reserve = 64  # room left for the padding field
    # Track the length incrementally: re-serialising the whole document per item is quadratic.
    length = len(json.dumps(document, separators=(",", ":")))
    while True:
        candidate = _line_item(rng, len(items))
        added = len(json.dumps(candidate, separators=(",", ":"))) + (1 if items else 0)
        if length + added > size_bytes - reserve:
            break
        items.append(candidate)
        length += added
    filler = " ".join(rng.choice(_WORDS) for _ in range(40)) + " "
    return _pad_to(document, size_bytes, "note", filler)


def incompressible(size_bytes: int, message_index: int) -> str:
    """A JSON object whose bulk is base64 of random bytes: zlib cannot shrink it much."""
    rng = random.Random(7_777_777 + size_bytes + message_index)
    document: dict[str, object] = {"id": f"blob-{size_bytes}-{message_index:06d}", "blob": ""}
    raw = rng.randbytes(size_bytes)  # more than enough random text after base64
    filler = base64.b64encode(raw).decode("ascii")
    return _pad_to(document, size_bytes, "blob", filler)


def make_payload(spec: PayloadSpec, message_index: int) -> str:
    if spec.compressible:
        return json_order(spec.size_bytes, message_index)
    return incompressible(spec.size_bytes, message_index)


FULL_SPECS = (
    *(PayloadSpec(f"{kib} KB", kib * KIB) for kib in (1, 16, 100, 200, 350, 900)),
    PayloadSpec("200 KB random", 200 * KIB, compressible=False),
)
QUICK_SPECS = (
    PayloadSpec("1 KB", 1 * KIB),
    PayloadSpec("16 KB", 16 * KIB),
    PayloadSpec("16 KB random", 16 * KIB, compressible=False),
)
