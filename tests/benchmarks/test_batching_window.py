"""The batching-window model: realized batch sizes and added latency follow from its definition."""

from __future__ import annotations

import pytest
from benchmarks.batching_window import MAX_BATCH, POLL_CYCLE_SECONDS, cost_at, simulate


def test_a_flood_of_messages_fills_every_batch_and_waits_almost_nothing() -> None:
    result = simulate(rate=10_000.0, window=5, messages=5_000)
    assert result["mean_batch"] == pytest.approx(MAX_BATCH)
    assert result["mean_added_latency_s"] < 0.01


def test_a_trickle_without_a_window_gets_one_message_per_batch() -> None:
    result = simulate(rate=0.01, window=0, messages=2_000)
    assert result["mean_batch"] == pytest.approx(1.0, abs=0.01)
    assert result["mean_added_latency_s"] <= POLL_CYCLE_SECONDS


def test_a_window_raises_the_batch_size_and_never_holds_a_message_longer_than_itself() -> None:
    without = simulate(rate=1.0, window=0, messages=5_000)
    with_window = simulate(rate=1.0, window=5, messages=5_000)
    assert with_window["mean_batch"] > 2 * without["mean_batch"]
    assert without["mean_added_latency_s"] < with_window["mean_added_latency_s"] <= 5


def test_cost_is_interpolated_in_one_over_batch_size_between_measured_points() -> None:
    measured = {"1": 14.0, "10": 5.0}
    assert cost_at(1, measured) == 14.0 and cost_at(10, measured) == 5.0
    # 1/2 lies 5/9 of the way from 1/1 to 1/10
    assert cost_at(2, measured) == pytest.approx(14.0 - 9.0 * (0.5 / 0.9))
    assert cost_at(20, measured) == 5.0  # never extrapolated below the largest measured batch
