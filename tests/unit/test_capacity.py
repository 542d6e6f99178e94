"""Erlang C against pyworkforce and a published table value; handle time from touches; the week's hours."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyworkforce.queuing import ErlangC

from leadpact.domain.capacity import (
    Model,
    backtest_error,
    erlang_c,
    handle_minutes,
    hour_of_week,
    per_hour,
    predict,
    productive,
    reps_needed,
    service_level,
)


@settings(max_examples=80, deadline=None)
@given(
    arrivals=st.floats(0.5, 200),
    aht=st.floats(1, 30),
    target=st.floats(0.5, 60),
    extra=st.integers(1, 15),
)
def test_erlang_c_and_service_level_are_pyworkforces(
    arrivals: float, aht: float, target: float, extra: int
) -> None:
    traffic = arrivals * aht / 60
    servers = int(traffic) + extra  # pyworkforce's formula holds only where the servers keep up
    theirs = ErlangC(transactions=arrivals, aht=aht, asa=target, interval=60)
    assert erlang_c(servers, traffic) == pytest.approx(
        theirs.waiting_probability(servers), rel=1e-9, abs=1e-12
    )
    assert service_level(servers, arrivals, aht, target) == pytest.approx(
        theirs.service_level(servers), abs=1e-9
    )


def test_erlang_c_matches_the_published_table() -> None:
    # 10 erlangs on 11 agents: probability of waiting 0.6821 (the standard Erlang C table)
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)


def test_edges_no_arrivals_no_servers_and_overload() -> None:
    assert service_level(0, 0.0, 10, 5) == 1.0 and erlang_c(3, 0.0) == 0.0
    assert service_level(0, 2.0, 10, 5) == 0.0
    assert service_level(1, 12.0, 10, 5) == 0.0 and erlang_c(2, 2.0) == 1.0
    assert reps_needed(0.0, 10, 5, 0.9, 0.3) == 0


def test_reps_needed_is_the_fewest_that_reach_the_goal_after_shrinkage() -> None:
    needed = reps_needed(30.0, 8.0, 5.0, 0.9, 0.25)
    assert service_level(productive(needed, 0.25), 30.0, 8.0, 5.0) >= 0.9
    assert service_level(productive(needed - 1, 0.25), 30.0, 8.0, 5.0) < 0.9
    assert reps_needed(60.0, 8.0, 5.0, 0.9, 0.25) > needed


def test_handle_time_is_the_median_back_to_back_gap_of_a_rep() -> None:
    minute = 60_000_000
    reps = np.asarray([0, 0, 0, 1, 1, 0], dtype=np.int64)
    at = np.asarray([0, 10, 30, 5, 500, 200], dtype=np.int64) * minute
    # rep 0: gaps 10, 20 (the 170 to the next is not back to back); rep 1: 495 is not
    assert handle_minutes(reps, at) == pytest.approx(15.0)
    assert handle_minutes(np.asarray([0], dtype=np.int64), np.asarray([0], dtype=np.int64)) is None


def test_hours_of_the_week_are_local() -> None:
    monday_9_ny = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)  # 09:30 EST
    sunday_late = datetime(2026, 3, 9, 3, 59, tzinfo=UTC)  # Sunday 23:59 EDT (after the change)
    assert hour_of_week([monday_9_ny, sunday_late], "America/New_York").tolist() == [9, 167]
    assert per_hour(np.asarray([9, 9, 10], dtype=np.int64), 2.0)[9] == 1.0


def test_the_week_prediction_weights_hours_by_their_arrivals() -> None:
    arrivals = [0.0] * 168
    arrivals[9], arrivals[20] = 3.0, 1.0
    reps = [0] * 168
    reps[9] = 5
    out = predict(arrivals, reps, [5.0] * 168, Model(10.0, 0.0), 0.9)
    level = service_level(5, 3.0, 10.0, 5.0)
    assert out["predicted_compliance"] == pytest.approx(3 * level / 4)
    assert (
        out["by_hour"][20]["predicted_compliance"] == 0.0
        and out["by_hour"][0]["predicted_compliance"] is None
    )
    assert out["by_hour"][20]["reps_needed"] >= 1


def test_backtest_error_over_the_weeks_with_both_numbers() -> None:
    got = backtest_error([(0.9, 0.8), (0.5, 0.7), (None, 0.5), (0.4, None)])
    assert got["weeks"] == 2
    assert got["mean_absolute_error"] == pytest.approx(0.15) and got["bias"] == pytest.approx(-0.05)
