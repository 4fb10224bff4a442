"""Large-order consumer Lambda: the target of a retrieval pipe, so it receives restored orders.

Like every Lambda target of a pipe, it gets the whole batch as one JSON array of payloads.
"""

from __future__ import annotations

from typing import Any


def order_total(order: dict[str, Any]) -> float:
    """Sum of quantity x unit price over the order's lines, in the order's currency."""
    return round(sum(line["quantity"] * line["unitPrice"] for line in order.get("items", [])), 2)


def handler(event: list[Any], context: Any) -> dict[str, Any]:
    """Price each order of the batch; plain-text payloads are counted, not priced."""
    priced = [
        {"orderId": payload.get("orderId"), "total": order_total(payload)}
        for payload in event
        if isinstance(payload, dict)
    ]
    print({"orders": priced, "other_payloads": len(event) - len(priced)})
    return {"priced": priced}
