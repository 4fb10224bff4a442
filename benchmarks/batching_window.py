"""What a batching window buys: the realized batch size and the latency it adds, per arrival rate.

A model, not a measurement: messages arrive as a Poisson process; a batch opens at the first message
after the previous batch closed and closes when it holds ``max_batch`` messages or when the window
(``maximum_batching_window``) has passed since it opened. Without a window a batch holds what arrives
within one poll cycle, ``POLL_CYCLE_SECONDS`` (an assumption: the real figure depends on the
enrichment's duration and on how many pollers Pipes runs, which only a deployed pipe can tell; more
pollers split the arrivals and make batches smaller). The cost per message at the realized mean batch
size is interpolated linearly in 1 / batch size between the measured realized batch sizes (per-batch
charges, Lambda requests, S3 PUT/GET, receives and deletes, scale that way).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

REALIZED_BATCH_SIZES = (1, 3, 10)
"""The realized batch sizes the cost runs measure (runner.py)."""
POLL_CYCLE_SECONDS = 0.2
RATES_PER_SECOND = (0.1, 1.0, 10.0, 100.0)
WINDOWS_SECONDS = (0, 1, 5, 20)
MAX_BATCH = 10
_MESSAGES = 20_000
_SEED = 20261205


def simulate(
    rate: float, window: float, max_batch: int = MAX_BATCH, messages: int = _MESSAGES
) -> dict[str, float]:
    """Mean realized batch size and mean added latency (seconds from arrival to the batch's close)."""
    rng = random.Random(_SEED)
    arrivals: list[float] = []
    now = 0.0
    for _ in range(messages):
        now += rng.expovariate(rate)
        arrivals.append(now)
    open_for = window if window > 0 else POLL_CYCLE_SECONDS
    batches = 0
    waited = 0.0
    index = 0
    while index < len(arrivals):
        opened = arrivals[index]
        members = [opened]
        index += 1
        while index < len(arrivals) and len(members) < max_batch and arrivals[index] <= opened + open_for:
            members.append(arrivals[index])
            index += 1
        closed = members[-1] if len(members) == max_batch else opened + open_for
        waited += sum(closed - arrival for arrival in members)
        batches += 1
    return {"mean_batch": len(arrivals) / batches, "mean_added_latency_s": waited / len(arrivals)}


def cost_at(batch: float, measured: dict[str, float]) -> float:
    """USD per million at a mean batch size, linear in 1 / batch between the measured sizes."""
    points = sorted((1 / int(size), cost) for size, cost in measured.items())
    x = 1 / batch
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[0][1] if x < points[0][0] else points[-1][1]


def tradeoff(realized: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Every rate and window: realized batch, added latency and cost per payload size."""
    measured = {
        label: {size: row["total_usd_per_million"] for size, row in sizes.items()}
        for label, sizes in realized.items()
    }
    rows = []
    for rate in RATES_PER_SECOND:
        for window in WINDOWS_SECONDS:
            row: dict[str, Any] = {
                "rate_per_second": rate,
                "window_seconds": window,
                **simulate(rate, window),
            }
            row["usd_per_million"] = {
                label: cost_at(row["mean_batch"], costs) for label, costs in measured.items()
            }
            rows.append(row)
    return {"poll_cycle_seconds": POLL_CYCLE_SECONDS, "max_batch": MAX_BATCH, "rows": rows}
