"""DynamoDB item sizes and request units by AWS's published rules.

moto reports a fixed ConsumedCapacity whatever the item size, so the units are computed here
from the items the requests actually carried (request parameters for writes, replies for reads).
"""

from __future__ import annotations

import base64
import math
from typing import Any

from .metering import AwsCall
from .prices import DYNAMODB_READ_UNIT_BYTES, DYNAMODB_WRITE_UNIT_BYTES


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0") or "0"
    return min(21, math.ceil(len(digits.rstrip("0") or "0") / 2) + 1)


def _binary_size(value: Any) -> int:
    if isinstance(value, bytes | bytearray):
        return len(value)
    return len(base64.b64decode(value))


def attribute_value_size(value: dict[str, Any]) -> int:
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return _binary_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    if kind == "BS":
        return sum(_binary_size(b) for b in inner)
    if kind == "L":
        return 3 + sum(1 + attribute_value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + attribute_value_size(v) for name, v in inner.items())
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + attribute_value_size(value) for name, value in item.items())


def write_units(item_bytes: int) -> int:
    return max(1, math.ceil(item_bytes / DYNAMODB_WRITE_UNIT_BYTES))


def read_units(item_bytes: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(item_bytes / DYNAMODB_READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


def units_of(call: AwsCall) -> tuple[float, float]:
    """(write units, read units) one DynamoDB request consumed, failed conditional writes included."""
    params = call.params
    if call.operation == "PutItem":
        return float(write_units(item_size(params["Item"]))), 0.0
    if call.operation == "BatchWriteItem":
        total = 0
        for requests in params["RequestItems"].values():
            for request in requests:
                if "PutRequest" in request:
                    total += write_units(item_size(request["PutRequest"]["Item"]))
                else:  # a delete is billed by the size of the deleted item; unknown here, at least 1
                    total += 1
        return float(total), 0.0
    if call.operation in ("DeleteItem", "UpdateItem"):
        attributes = call.parsed.get("Attributes") or params.get("Key", {})
        return float(write_units(item_size(attributes))), 0.0
    if call.operation == "GetItem":
        found = call.parsed.get("Item") or {}
        return 0.0, read_units(item_size(found), consistent=bool(params.get("ConsistentRead")))
    if call.operation == "BatchGetItem":
        reads = 0.0
        for table, items in (call.parsed.get("Responses") or {}).items():
            consistent = bool(params["RequestItems"].get(table, {}).get("ConsistentRead"))
            reads += sum(read_units(item_size(item), consistent=consistent) for item in items)
        return 0.0, reads
    if call.operation in ("Query", "Scan"):
        total_bytes = sum(item_size(item) for item in call.parsed.get("Items") or [])
        return 0.0, read_units(total_bytes, consistent=bool(params.get("ConsistentRead")))
    return 0.0, 0.0
