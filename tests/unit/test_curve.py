"""The response curve's statistics: Wilson intervals (against SciPy), buckets, the 5-vs-30 ratio."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from leadpact.domain.curve import BUCKETS, NO_TOUCH, Ratio, bucket_of, curve_of, wilson


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_is_scipys(kn: tuple[int, int]) -> None:
    k, n = kn
    expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson(k, n)
    assert low == pytest.approx(expected.low, abs=1e-9) and high == pytest.approx(expected.high, abs=1e-9)


def test_no_trials_has_no_interval() -> None:
    assert wilson(0, 0) == (None, None)


def test_each_response_falls_in_the_first_bucket_whose_bound_holds_it() -> None:
    minutes = np.asarray([0.0, 5.0, 5.01, 30.0, 30.5, 60.0, 61.0, 1440.0, 1441.0, math.nan])
    assert bucket_of(minutes).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 5]
    assert len(BUCKETS) == 5


def test_the_ratio_and_its_katz_interval_by_hand() -> None:
    # 40 of 100 within 5 minutes against 10 of 100 after 30: 4×; se = sqrt(1/40 - 1/100 + 1/10 - 1/100)
    r = Ratio((40, 100), (10, 100))
    assert r.value == pytest.approx(4.0)
    se = math.sqrt(1 / 40 - 1 / 100 + 1 / 10 - 1 / 100)
    low, high = r.interval()
    assert low == pytest.approx(4 * math.exp(-1.959963984540054 * se))
    assert high == pytest.approx(4 * math.exp(1.959963984540054 * se))
    assert r.enough and r.note() is None


def test_a_small_sample_is_called_too_small_and_no_sql_after_30_has_no_finite_ratio() -> None:
    small = Ratio((3, 10), (1, 12)).to_json()
    assert small["ratio"] == pytest.approx(3.6) and not small["enough"]
    assert "too small" in small["note"]
    none = Ratio((5, 40), (0, 40)).to_json()
    assert none["ratio"] is None and none["low"] is None and "no finite value" in none["note"]


def test_curve_counts_every_response_once_with_its_outcome() -> None:
    minutes = np.asarray([1.0, 2.0, 10.0, 45.0, 120.0, 3000.0, math.nan])
    reached = np.asarray([True, False, True, False, True, False, False])
    c = curve_of(minutes, reached)
    got = [(b["label"], b["handoffs"], b["sqls"]) for b in c["buckets"]]
    assert got == [
        ("≤5m", 2, 1), ("5–30m", 1, 1), ("30m–1h", 1, 0), ("1–24h", 1, 1), (">24h", 1, 0), (NO_TOUCH, 1, 0),
    ]  # fmt: skip
    r = c["ratio"]
    assert (r["within_5m"], r["after_30m"]) == ({"handoffs": 2, "sqls": 1}, {"handoffs": 3, "sqls": 1})
    assert r["ratio"] == pytest.approx(0.5 / (1 / 3))
