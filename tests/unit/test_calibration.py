"""Calibration's arithmetic: Cohen's kappa against scikit-learn, the stratified seeded sample, the bands."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from leadpact.domain.calibration import (
    Candidate,
    allocate,
    band_of,
    cohen_kappa,
    drift_finding,
    score_bands,
    stratified_sample,
    verdict,
)

pairs = st.lists(
    st.tuples(st.sampled_from(["yes", "no"]), st.sampled_from(["yes", "no"])), min_size=1, max_size=40
)


@settings(max_examples=80, deadline=None)
@given(pairs)
def test_kappa_is_scikit_learns(items: list[tuple[str, str]]) -> None:
    a, b = [x for x, _ in items], [y for _, y in items]
    assume(len(set(a)) > 1 or len(set(b)) > 1)  # one word from both raters: kappa is 0/0 (sklearn: nan)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_kappa_when_both_always_say_the_same_word() -> None:
    assert cohen_kappa(["yes"] * 4, ["yes"] * 4) == 1.0 and cohen_kappa([], []) is None


def test_verdict_words() -> None:
    assert [verdict(w) for w in ("yes", " Good ", "N", "bad")] == ["yes", "yes", "no", "no"]
    with pytest.raises(ValueError, match="not a verdict"):
        verdict("maybe")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, 9), st.integers(0, 30), min_size=1, max_size=8), st.integers(0, 60))
def test_allocation_spreads_the_size_in_proportion_and_never_overfills(
    sizes: dict[int, int], total: int
) -> None:
    got = allocate(sizes, total)
    assert sum(got.values()) == min(total, sum(sizes.values()))
    assert all(0 <= got[k] <= sizes[k] for k in sizes)
    if total >= sum(1 for v in sizes.values() if v):
        assert all(got[k] >= 1 for k, v in sizes.items() if v)


def test_the_sample_is_stratified_and_the_same_seed_draws_the_same_sheet() -> None:
    pool = [
        Candidate(f"L{i:03d}", 1, float(i), "accepted" if i % 3 else "rejected") for i in range(100)
    ]  # scores 0..99: four bands, two outcome groups
    bands = score_bands([c.score for c in pool])
    assert (
        len(bands) == 4 and band_of(0.0, bands) == bands[0].label and band_of(99.0, bands) == bands[-1].label
    )
    one = stratified_sample(pool, bands, 24, seed=5)
    assert one == stratified_sample(pool, bands, 24, seed=5) and one != stratified_sample(
        pool, bands, 24, seed=6
    )
    assert len(one) == 24
    strata = {(band_of(c.score, bands), c.outcome) for c in one}
    assert len(strata) == 8  # every (band, outcome) stratum is represented


def test_drift_is_named_when_a_higher_band_converts_no_better() -> None:
    fine = [{"band": "B1", "sql_rate": 0.1}, {"band": "B2", "sql_rate": 0.2}]
    assert drift_finding(fine) is None
    worse = [*fine, {"band": "B3", "sql_rate": 0.15}]
    assert "B3" in (drift_finding(worse) or "")
