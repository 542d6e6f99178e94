"""Attribution's extra views, hand-computed: asset influence, first-, last- and linear activity credit."""

from __future__ import annotations

import math
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadpact.domain.metrics.attribution import (
    activities_before,
    attribution,
    customer_instant,
    row_credit,
    split_exactly,
    won_amount,
)
from leadpact.domain.metrics.facts import Activity, HandoffFacts

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def facts(lead_id: str, **values: Any) -> HandoffFacts:
    base: dict[str, Any] = {f.name: None for f in fields(HandoffFacts)}
    base.update(lead_id=lead_id, n=1, kind="mql", touches=0, flags="[]", mql_at=T0)
    base.update(values)
    return HandoffFacts(**base)


def act(at: datetime, campaign: str | None = None, asset: str | None = None, **kw: Any) -> Activity:
    return Activity(at, kw.pop("kind", "page_view"), asset, campaign, **kw)


# Two opportunities: A with three activities before its opportunity (one of them exactly at it) and one
# after; B with none.
A = facts("A", source="webinar", opportunity_at=day(5), amount=30_000.0)
B = facts("B", source="content", opportunity_at=day(6), amount=10_000.0)
ACTIVITIES = {
    "A": [
        act(day(1), "spring-webinar", "/webinar/spring"),
        act(day(2), "demo-ads", "/demo"),
        act(day(5), "spring-webinar"),  # at the opportunity instant: it counts
        act(day(7), "late", "/late"),  # after it: it does not
    ]
}


def test_two_opportunities_with_three_and_no_activities() -> None:
    view = attribution([A, B], ACTIVITIES, AS_OF)
    assert view["count"] == 2 and view["total"] == 40_000.0
    assert view["assets"] == {
        "/demo": {"count": 1, "amount": 30_000.0},
        "/webinar/spring": {"count": 1, "amount": 30_000.0},
    }
    assert view["first_touch"]["campaign"] == {"spring-webinar": 30_000.0, "(none)": 10_000.0}
    assert view["last_touch"]["campaign"] == {"spring-webinar": 30_000.0, "(none)": 10_000.0}
    linear = view["linear"]["campaign"]
    assert linear == {"spring-webinar": 20_000.0, "(none)": 10_000.0, "demo-ads": 10_000.0}
    assert list(linear) == ["spring-webinar", "(none)", "demo-ads"]  # by amount, then by name
    for model in ("first_touch", "last_touch", "linear"):
        # the lead's source, for every activity; the lead with no activity goes to "(none)"
        assert view[model]["source"] == {"webinar": 30_000.0, "(none)": 10_000.0}


def test_last_touch_is_the_last_activity_before_the_opportunity() -> None:
    acts = [act(day(1), "first"), act(day(3), "last"), act(day(9), "after")]
    view = attribution([A], {"A": acts}, AS_OF)
    assert view["first_touch"]["campaign"] == {"first": 30_000.0}
    assert view["last_touch"]["campaign"] == {"last": 30_000.0}
    assert view["linear"]["campaign"] == {"first": 15_000.0, "last": 15_000.0}


def test_every_asset_a_lead_touched_gets_the_whole_opportunity() -> None:
    c = facts("C", opportunity_at=day(4), amount=5_000.0)
    acts = {
        "A": [act(day(1), asset="/pricing"), act(day(2), asset="/pricing"), act(day(3), asset="/demo")],
        "C": [act(day(1), asset="/pricing")],
    }
    view = attribution([A, c], acts, AS_OF)
    assert view["assets"] == {
        "/pricing": {"count": 2, "amount": 35_000.0},  # once per opportunity, however many visits
        "/demo": {"count": 1, "amount": 30_000.0},
    }


def test_ties_in_time_share_the_first_and_the_last_place() -> None:
    acts = [act(day(1), "c1"), act(day(1), "c2"), act(day(2), "c3"), act(day(3), "c4"), act(day(3), "c4")]
    view = attribution([A], {"A": acts}, AS_OF)
    assert view["first_touch"]["campaign"] == {"c1": 15_000.0, "c2": 15_000.0}
    assert view["last_touch"]["campaign"] == {"c4": 30_000.0}  # both last ones are c4
    assert view["linear"]["campaign"] == {"c4": 12_000.0, "c1": 6_000.0, "c2": 6_000.0, "c3": 6_000.0}
    # the order the activities come in does not matter
    assert attribution([A], {"A": list(reversed(acts))}, AS_OF) == view


def test_activities_without_a_campaign_and_an_activitys_own_source() -> None:
    acts = [act(day(1), None), act(day(2), "c1", source="event")]
    view = attribution([A], {"A": acts}, AS_OF)
    assert view["first_touch"]["campaign"] == {"(none)": 30_000.0}
    assert view["first_touch"]["source"] == {"webinar": 30_000.0}  # the lead's
    assert view["last_touch"]["source"] == {"event": 30_000.0}  # the activity's own
    assert view["linear"]["source"] == {"event": 15_000.0, "webinar": 15_000.0}


def test_won_revenue_by_customer_instant_counts_activities_up_to_the_win() -> None:
    won = facts("A", source="webinar", opportunity_at=day(5), customer_at=day(8), amount=36_000.0)
    view = attribution([won], ACTIVITIES, AS_OF, instant=customer_instant)
    assert view["count"] == 1 and view["total"] == 36_000.0
    assert view["last_touch"]["campaign"] == {"late": 36_000.0}  # day 7, before the win on day 8
    assert view["linear"]["campaign"] == {"spring-webinar": 18_000.0, "demo-ads": 9_000.0, "late": 9_000.0}
    assert set(view["assets"]) == {"/webinar/spring", "/demo", "/late"}


def test_won_revenue_credits_the_won_amount() -> None:
    """A deal opened at 36,000 and won at 40,000: revenue attribution credits 40,000, as revenue counts it."""
    won = facts("A", source="webinar", opportunity_at=day(5), customer_at=day(8), amount=36_000.0)
    won = replace(won, won_amount=40_000.0)
    view = attribution([won], ACTIVITIES, AS_OF, instant=customer_instant, amount=won_amount)
    assert view["total"] == 40_000.0 and view["last_touch"]["campaign"] == {"late": 40_000.0}
    assert view["linear"]["campaign"] == {"spring-webinar": 20_000.0, "demo-ads": 10_000.0, "late": 10_000.0}
    assert attribution([won], ACTIVITIES, AS_OF, instant=customer_instant)["total"] == 36_000.0


def test_rows_after_as_of_and_missing_amounts() -> None:
    later = facts("L", opportunity_at=day(10), amount=99.0)
    unknown = facts("U", opportunity_at=day(1), amount=None)
    view = attribution([later, unknown], {"U": [act(day(0), "c1", "/x")]}, as_of=day(5))
    assert view["count"] == 1 and view["total"] == 0.0  # L's opportunity is after as_of
    assert view["assets"] == {"/x": {"count": 1, "amount": 0.0}}
    assert view["linear"]["campaign"] == {"c1": 0.0}


def test_nothing_to_attribute() -> None:
    view = attribution([], {}, AS_OF)
    assert view == {
        "count": 0,
        "total": 0.0,
        "assets": {},
        "first_touch": {"campaign": {}, "source": {}},
        "last_touch": {"campaign": {}, "source": {}},
        "linear": {"campaign": {}, "source": {}},
    }


def test_activities_before_is_inclusive_and_stable() -> None:
    a, b, c = act(day(1), "x"), act(day(1), "y"), act(day(2), "z")
    assert activities_before([c, a, b], day(1)) == [a, b]
    assert activities_before([c, b, a], day(2)) == [b, a, c]


# --- the credits of one opportunity sum to its amount exactly --------------------------------


def test_a_three_way_split_sums_to_the_amount_exactly() -> None:
    amount = 100_000.0
    acts = [act(day(1), "a"), act(day(2), "b"), act(day(3), "c")]
    credit = row_credit(facts("A", amount=amount), acts, "linear", "campaign")
    assert set(credit) == {"a", "b", "c"}
    assert all(math.isclose(v, amount / 3, rel_tol=0, abs_tol=math.ulp(amount)) for v in credit.values())
    assert sum(credit.values()) == amount
    assert sum(reversed(list(credit.values()))) == amount


@pytest.mark.parametrize("amount", [0.1, 0.3, 1.0, 7.77, 12_345.67, 1e6 / 3, 2_500_000.01, -42.5, 0.0])
@pytest.mark.parametrize("n", [1, 2, 3, 6, 7, 10, 11])
def test_even_splits_sum_exactly(amount: float, n: int) -> None:
    parts = split_exactly(amount, {f"k{i}": 1 for i in range(n)})
    values = list(parts.values())
    assert sum(values) == amount and sum(sorted(values)) == amount and sum(reversed(values)) == amount


@given(
    amount=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    weights=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12),
    order=st.randoms(use_true_random=False),
)
def test_any_split_sums_exactly_in_any_order(amount: float, weights: list[int], order: Any) -> None:
    parts = split_exactly(amount, {f"k{i}": w for i, w in enumerate(weights)})
    values = list(parts.values())
    order.shuffle(values)
    assert sum(values) == amount
    total = sum(weights)
    ulp = math.ulp(amount)
    for i, w in enumerate(weights):
        assert abs(parts[f"k{i}"] - amount * w / total) <= 3 * ulp  # the ideal share, to an ulp or so


@given(
    amount=st.floats(min_value=0, max_value=1e9, allow_nan=False),
    n=st.integers(min_value=0, max_value=8),
    model=st.sampled_from(["first_touch", "last_touch", "linear"]),
    dimension=st.sampled_from(["campaign", "source"]),
)
def test_one_opportunitys_credits_sum_to_its_amount(
    amount: float, n: int, model: Any, dimension: Any
) -> None:
    acts = [act(day(i // 2), f"c{i % 3}", source=f"s{i % 2}") for i in range(n)]
    credit = row_credit(facts("A", amount=amount, source="webinar"), acts, model, dimension)
    assert sum(credit.values()) == amount
    view = attribution([facts("A", amount=amount, opportunity_at=day(9))], {"A": acts}, AS_OF)
    assert sum(view[model][dimension].values()) == amount


def test_split_refuses_what_it_cannot_split() -> None:
    with pytest.raises(ValueError):
        split_exactly(1.0, {})
    with pytest.raises(ValueError):
        split_exactly(1.0, {"a": 0})
    with pytest.raises(ValueError):
        split_exactly(math.inf, {"a": 1})
