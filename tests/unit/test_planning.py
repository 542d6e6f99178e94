"""The revenue-to-lead waterfall (DESIGN.md §5), exact, with the seed's own numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadpact.domain.periods import parse_period
from leadpact.domain.planning import (
    PlanInputs,
    elapsed_share,
    exact,
    mql_target,
    pace,
    sensitivity,
    source_mix,
    waterfall,
)

NY = "America/New_York"
SEED = {
    "revenue": 2_000_000,
    "marketing_share": 0.5,
    "close": 0.25,
    "avg_deal": 25_000,
    "sql_to_opp": 0.5,
    "mql_to_sql": 0.3,
}
SHARES = {"demo_request": 0.2, "content": 0.35, "webinar": 0.25, "event": 0.2}
SOURCE_RATES = {"demo_request": 0.5, "content": 0.1, "webinar": 0.2, "event": 0.175}
MONTH = Fraction(3200, 9)  # the seed's month target, exact


def seed(**changes: object) -> PlanInputs:
    return PlanInputs.of(**{**SEED, **changes})  # type: ignore[arg-type]


def weekdays(holidays: frozenset[date] = frozenset()) -> Callable[[date, date], int]:
    """Business days in [start, end): Monday to Friday, less the holidays."""

    def count(start: date, end: date) -> int:
        days = (start + timedelta(n) for n in range((end - start).days))
        return sum(1 for d in days if d.weekday() < 5 and d not in holidays)

    return count


# --- the waterfall --------------------------------------------------------------------------


def test_the_seed_waterfall_holds_exactly() -> None:
    plan = waterfall(seed())
    assert plan.revenue == 2_000_000
    assert plan.marketing_revenue == 1_000_000
    assert plan.pipeline == 4_000_000
    assert plan.opportunities == 160
    assert plan.sqls == 320
    assert plan.mqls == Fraction(3200, 3)
    assert plan.month_target == MONTH
    assert plan.mqls_per_quarter == 1067
    assert plan.mqls_per_month == 356


def test_rates_are_read_as_written_not_as_binary_floats() -> None:
    inputs = seed()
    assert inputs.mql_to_sql == Fraction(3, 10)
    assert inputs.mql_to_sql != Fraction(0.3)
    assert exact(0.175) == Fraction(7, 40)
    assert exact("30%") == Fraction(3, 10)
    assert exact("2,000,000") == 2_000_000
    assert exact(Decimal("0.3")) == Fraction(3, 10)
    assert exact("1/3") == Fraction(1, 3)


@pytest.mark.parametrize("bad", ["abc", "", float("nan"), True, "1/0"])
def test_a_value_that_is_no_number_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        exact(bad)  # type: ignore[arg-type]


def test_revenue_per_month_is_three_months_to_the_quarter() -> None:
    plan = waterfall(seed(revenue=1_000_000, per="month"))
    assert plan.revenue == 3_000_000
    assert plan.opportunities == 240
    assert plan.sqls == 480
    assert plan.mqls == 1600
    assert plan.month_target == Fraction(1600, 3)
    assert (plan.mqls_per_quarter, plan.mqls_per_month) == (1600, 534)


def test_revenue_per_year_is_four_quarters() -> None:
    plan = waterfall(seed(revenue=8_000_000, per="year"))
    assert plan.revenue == 2_000_000
    assert plan.mqls == Fraction(3200, 3)


def test_every_rate_can_be_overridden_as_history_would() -> None:
    inputs = seed()
    assert waterfall(inputs, {"mql_to_sql": "0.32"}).mqls == 1000
    assert waterfall(inputs, {"close": 0.2}).pipeline == 5_000_000
    assert waterfall(inputs, {"avg_deal": 20_000}).opportunities == 200
    assert waterfall(inputs, {"sql_to_opp": Fraction(2, 5)}).sqls == 400
    assert waterfall(inputs, {"marketing_share": "60%"}).marketing_revenue == 1_200_000
    assert waterfall(inputs, {}).mqls == Fraction(3200, 3)


def test_an_unknown_or_impossible_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rate"):
        waterfall(seed(), {"win_rate": 0.3})
    with pytest.raises(ValueError, match="close"):
        seed(close=1.5)
    with pytest.raises(ValueError, match="mql_to_sql"):
        seed(mql_to_sql=0)
    with pytest.raises(ValueError, match="avg_deal"):
        seed(avg_deal=-1)
    with pytest.raises(ValueError, match="revenue"):
        seed(revenue=-5)
    with pytest.raises(ValueError, match="per"):
        seed(per="week")


def test_a_zero_marketing_share_needs_no_mqls() -> None:
    plan = waterfall(seed(marketing_share=0))
    assert plan.mqls == 0
    assert plan.mqls_per_month == 0


@given(
    revenue=st.integers(0, 10**9),
    share=st.fractions(0, 1),
    close=st.fractions(Fraction(1, 1000), 1),
    deal=st.integers(1, 10**6),
    s2o=st.fractions(Fraction(1, 1000), 1),
    m2s=st.fractions(Fraction(1, 1000), 1),
)
def test_the_waterfall_multiplies_back_to_marketing_revenue(
    revenue: int, share: Fraction, close: Fraction, deal: int, s2o: Fraction, m2s: Fraction
) -> None:
    plan = waterfall(
        PlanInputs.of(
            revenue=revenue, marketing_share=share, close=close, avg_deal=deal, sql_to_opp=s2o, mql_to_sql=m2s
        )
    )
    assert plan.mqls * m2s * s2o * deal * close == revenue * share
    assert plan.mqls_per_quarter >= plan.mqls > plan.mqls_per_quarter - 1
    assert plan.mqls_per_month >= plan.month_target


# --- the source mix -------------------------------------------------------------------------


def test_the_default_mix_needs_sqls_over_the_blended_source_rate() -> None:
    mix = source_mix(waterfall(seed()), SHARES, SOURCE_RATES)
    assert mix is not None
    # 0.2×0.5 + 0.35×0.1 + 0.25×0.2 + 0.2×0.175 = 0.1 + 0.035 + 0.05 + 0.035 = 0.22
    assert mix.blended_rate == Fraction(22, 100)
    assert mix.mqls == Fraction(16000, 11)  # 320 ÷ 0.22 = 1454.5454...
    assert mix.pact_rate == Fraction(3, 10)
    assert mix.pact_mqls == Fraction(3200, 3)
    assert mix.difference == Fraction(12800, 33)  # 387.87... more MQLs a quarter
    assert mix.share_total == 1
    lines = {line.source: line for line in mix.lines}
    assert lines["demo_request"].mqls == Fraction(3200, 11)
    assert lines["demo_request"].sqls == Fraction(1600, 11)
    assert lines["content"].mqls == Fraction(5600, 11)
    assert lines["content"].sqls == Fraction(560, 11)
    assert lines["webinar"].mqls == Fraction(4000, 11)
    assert lines["webinar"].sqls == Fraction(800, 11)
    assert lines["event"].mqls == Fraction(3200, 11)
    assert lines["event"].sqls == Fraction(560, 11)
    assert sum((line.sqls for line in mix.lines), Fraction(0)) == 320
    assert all(line.rate_from == "source_rates" for line in mix.lines)


def test_a_source_without_a_rate_takes_the_pacts_blended_rate() -> None:
    mix = source_mix(waterfall(seed()), {"content": 0.5, "partner": 0.5}, {"content": 0.1, "event": 0.2})
    assert mix is not None
    lines = {line.source: line for line in mix.lines}
    assert lines["partner"].rate == Fraction(3, 10)
    assert lines["partner"].rate_from == "mql_to_sql"
    assert mix.blended_rate == Fraction(1, 5)
    assert mix.mqls == 1600
    assert mix.unplanned_rates == ("event",)


def test_shares_that_do_not_sum_to_one_are_normalised() -> None:
    mix = source_mix(waterfall(seed()), {"a": 0.3, "b": 0.3}, {"a": 0.2, "b": 0.4})
    assert mix is not None
    assert mix.share_total == Fraction(3, 5)
    assert mix.blended_rate == Fraction(3, 10)
    assert mix.mqls == Fraction(3200, 3)
    assert sum((line.mqls for line in mix.lines), Fraction(0)) == mix.mqls
    assert mix.difference == 0


def test_no_planned_mix_gives_no_breakdown() -> None:
    assert source_mix(waterfall(seed()), {}, SOURCE_RATES) is None
    with pytest.raises(ValueError, match="rate of 0"):
        source_mix(waterfall(seed()), {"a": 1}, {"a": 0})


# --- sensitivity ----------------------------------------------------------------------------


def test_sensitivity_moves_each_rate_ten_percent_each_way() -> None:
    rows = {row.name: row for row in sensitivity(seed())}
    assert list(rows) == ["marketing_share", "close", "avg_deal", "sql_to_opp", "mql_to_sql"]
    close = rows["close"]
    assert (close.low, close.high) == (Fraction(9, 40), Fraction(11, 40))
    assert close.mqls_low == Fraction(32000, 27)  # 1066.67 ÷ 0.9
    assert close.mqls_high == Fraction(32000, 33)  # 1066.67 ÷ 1.1
    assert close.elasticity == Fraction(-100, 99)
    share = rows["marketing_share"]
    assert (share.mqls_low, share.mqls_high) == (Fraction(960), Fraction(3520, 3))
    assert share.elasticity == 1
    for name in ("avg_deal", "sql_to_opp", "mql_to_sql"):
        assert rows[name].elasticity == Fraction(-100, 99)


def test_a_rate_of_one_is_not_moved_above_one() -> None:
    rows = {row.name: row for row in sensitivity(seed(close=1))}
    assert rows["close"].high == 1
    assert rows["close"].mqls_high == rows["close"].mqls
    # (mqls_high - mqls_low) / mqls = 1 - 10/9 over a span of (1 - 0.9) / 1
    assert rows["close"].elasticity == (1 - Fraction(10, 9)) / Fraction(1, 10)


# --- targets by period ----------------------------------------------------------------------


def test_a_month_target_is_a_third_of_the_quarter_exactly() -> None:
    plan = waterfall(seed())
    assert mql_target(parse_period("2026-03", NY), plan, weekdays()) == MONTH
    assert mql_target(parse_period("2026-02", NY), plan, weekdays()) == MONTH
    assert mql_target(parse_period("2026-Q1", NY), plan, weekdays()) == Fraction(3200, 3)
    assert mql_target(parse_period("2026", NY), plan, weekdays()) == Fraction(12800, 3)


def test_a_week_inside_a_month_is_its_share_of_the_months_business_days() -> None:
    # March 2026 has 22 weekdays; W11 is 9..15 March, 5 of them.
    target = mql_target(parse_period("2026-W11", NY), waterfall(seed()), weekdays())
    assert target == 5 * MONTH / 22


def test_a_week_across_a_month_edge_takes_each_months_rate_for_its_days() -> None:
    # W14 = Mon 30 March .. Sun 5 April. March has 22 weekdays (30, 31 in the week), April 22 (1, 2, 3).
    week = parse_period("2026-W14", NY)
    plan = waterfall(seed())
    assert mql_target(week, plan, weekdays()) == 2 * (MONTH / 22) + 3 * (MONTH / 22)
    assert mql_target(week, plan, weekdays()) == Fraction(8000, 99)
    # A holiday on 31 March: March has 21 business days, one of them in the week.
    holiday = weekdays(frozenset({date(2026, 3, 31)}))
    assert mql_target(week, plan, holiday) == 1 * (MONTH / 21) + 3 * (MONTH / 22)


def test_a_range_of_days_and_a_range_of_whole_months() -> None:
    plan = waterfall(seed())
    half = parse_period("2026-03-01..2026-03-15", NY)  # weekdays 2..6 and 9..13: 10
    assert mql_target(half, plan, weekdays()) == 10 * MONTH / 22
    # 15..28 February: 10 of February's 20 weekdays; then March and April whole.
    spread = parse_period("2026-02-15..2026-04-30", NY)
    assert mql_target(spread, plan, weekdays()) == MONTH / 2 + 2 * MONTH


def test_a_weekend_has_no_target() -> None:
    weekend = parse_period("2026-03-07..2026-03-08", NY)
    assert mql_target(weekend, waterfall(seed()), weekdays()) == 0


# --- elapsed share and pace -----------------------------------------------------------------


def wall(a: datetime, b: datetime) -> timedelta:
    return max(b - a, timedelta(0))


def test_elapsed_share_of_a_period() -> None:
    day = parse_period("2026-01-05..2026-01-05", NY)  # 24 wall hours
    assert elapsed_share(day, datetime(2026, 1, 5, 11, tzinfo=UTC), wall) == Fraction(6, 24)
    assert elapsed_share(day, datetime(2026, 1, 5, 4, tzinfo=UTC), wall) == 0
    assert elapsed_share(day, datetime(2026, 1, 6, 5, tzinfo=UTC), wall) == 1
    assert elapsed_share(day, datetime(2027, 1, 1, tzinfo=UTC), lambda a, b: timedelta(0)) == 1


def test_an_open_period_without_business_time_has_no_elapsed_share() -> None:
    day = parse_period("2026-01-05..2026-01-05", NY)
    nothing = elapsed_share(day, datetime(2026, 1, 5, 12, tzinfo=UTC), lambda a, b: timedelta(0))
    assert nothing is None
    assert pace(3, 10, nothing) == pace(3, 10, None)
    assert pace(3, 10, None).mql_pace is None and pace(3, 10, None).projected is None


def test_pace_and_projection() -> None:
    closed = pace(341, MONTH, 1)
    assert closed.mql_pace == pytest.approx(341 / (3200 / 9))
    assert closed.mql_pace == float(Fraction(341 * 9, 3200))
    assert closed.projected == 341
    half = pace(150, MONTH, Fraction(1, 2))
    assert half.mql_pace == float(Fraction(150) / (MONTH / 2))
    assert half.projected == 300


def test_pace_has_null_where_a_denominator_is_zero() -> None:
    not_started = pace(0, MONTH, 0)
    assert not_started.mql_pace is None and not_started.projected is None
    no_target = pace(5, 0, Fraction(1, 2))
    assert no_target.mql_pace is None
    assert no_target.projected == 10
