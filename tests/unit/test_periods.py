"""Periods: every form of DESIGN.md §1, bounds at local midnight in the pact's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadpact.domain.periods import (
    days_of,
    following,
    is_closed,
    local_midnight,
    month_slices,
    months_in,
    parse_period,
    period_containing,
    previous,
)

NY = "America/New_York"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_month_across_the_spring_dst_change_is_bounded_at_local_midnights() -> None:
    march = parse_period("2026-03", NY)
    assert march.kind == "month"
    assert march.label == "2026-03"
    assert march.start == utc(2026, 3, 1, 5)  # EST, -05:00
    assert march.end == utc(2026, 4, 1, 4)  # EDT, -04:00
    assert (march.first_day, march.last_day) == (date(2026, 3, 1), date(2026, 3, 31))
    assert march.end - march.start == timedelta(days=31) - timedelta(hours=1)


def test_a_month_across_the_autumn_dst_change_has_one_hour_more() -> None:
    november = parse_period("2026-11", NY)
    assert november.start == utc(2026, 11, 1, 4)
    assert november.end == utc(2026, 12, 1, 5)
    assert november.end - november.start == timedelta(days=30, hours=1)


def test_bounds_are_aware_utc() -> None:
    period = parse_period("2026-03", "Europe/Berlin")
    assert period.start.tzinfo is UTC and period.end.tzinfo is UTC
    assert period.start == utc(2026, 2, 28, 23)


def test_an_iso_week_starts_on_monday() -> None:
    week = parse_period("2026-W10", NY)
    assert week.kind == "week"
    assert (week.first_day, week.last_day) == (date(2026, 3, 2), date(2026, 3, 8))
    # DST starts on Sunday 8 March 2026 at 02:00, inside this week.
    assert week.start == utc(2026, 3, 2, 5)
    assert week.end == utc(2026, 3, 9, 4)


def test_iso_week_one_of_2026_starts_in_december_2025() -> None:
    week = parse_period("2026-W01", NY)
    assert week.first_day == date(2025, 12, 29)
    assert week.last_day == date(2026, 1, 4)
    assert week.label == "2026-W01"


def test_a_week_written_short_or_in_lower_case_gets_the_canonical_label() -> None:
    assert parse_period("2026-w1", NY).label == "2026-W01"
    assert parse_period("2026-q2", NY).label == "2026-Q2"


def test_a_week_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="no ISO week 53"):
        parse_period("2025-W53", NY)
    assert parse_period("2026-W53", NY).last_day == date(2027, 1, 3)
    assert parse_period("2020-W53", NY).first_day == date(2020, 12, 28)


def test_quarters() -> None:
    q1 = parse_period("2026-Q1", NY)
    assert (q1.kind, q1.first_day, q1.last_day) == ("quarter", date(2026, 1, 1), date(2026, 3, 31))
    q4 = parse_period("2026-Q4", NY)
    assert (q4.first_day, q4.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert q4.end == utc(2027, 1, 1, 5)


def test_a_year() -> None:
    year = parse_period("2026", NY)
    assert (year.kind, year.label) == ("year", "2026")
    assert (year.first_day, year.last_day) == (date(2026, 1, 1), date(2026, 12, 31))
    assert year.start == utc(2026, 1, 1, 5)
    assert year.end == utc(2027, 1, 1, 5)


def test_a_range_includes_both_of_its_dates() -> None:
    rng = parse_period("2026-03-01..2026-03-15", NY)
    assert rng.kind == "range"
    assert rng.label == "2026-03-01..2026-03-15"
    assert (rng.first_day, rng.last_day) == (date(2026, 3, 1), date(2026, 3, 15))
    assert rng.start == utc(2026, 3, 1, 5)
    assert rng.end == utc(2026, 3, 16, 4)
    assert rng.days == 15


def test_a_one_day_range() -> None:
    rng = parse_period(" 2026-03-08..2026-03-08 ", NY)
    assert rng.end - rng.start == timedelta(hours=23)


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-Q5",
        "26-03",
        "March",
        "",
        "2026-03-15..2026-03-01",
        "2026-02-30..2026-03-01",
    ],
)
def test_a_bad_period_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_period(text, NY)
    message = str(info.value)
    for form in ("2026-03", "2026-W10", "2026-Q1", "2026-03-01..2026-03-15"):
        assert form in message


def test_an_unknown_time_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_period("2026-03", "Mars/Olympus")


def test_the_period_containing_an_instant_is_found_in_local_time() -> None:
    # 1 March 03:00 UTC is still 28 February in New York.
    instant = utc(2026, 3, 1, 3)
    assert period_containing("month", instant, NY).label == "2026-02"
    assert period_containing("month", instant, "UTC").label == "2026-03"
    assert period_containing("quarter", instant, NY).label == "2026-Q1"
    assert period_containing("week", instant, NY).label == "2026-W09"
    assert period_containing("year", utc(2026, 1, 1, 4), NY).label == "2025"
    with pytest.raises(ValueError):
        period_containing("range", instant, NY)


def test_the_week_of_a_late_december_day_belongs_to_the_next_iso_year() -> None:
    assert period_containing("week", utc(2025, 12, 30, 12), NY).label == "2026-W01"


def test_previous_and_following() -> None:
    assert previous(parse_period("2026-03", NY)).label == "2026-02"
    assert previous(parse_period("2026-01", NY)).label == "2025-12"
    assert previous(parse_period("2026-W01", NY)).label == "2025-W52"
    assert previous(parse_period("2026-Q1", NY)).label == "2025-Q4"
    assert previous(parse_period("2026", NY)).label == "2025"
    assert previous(parse_period("2026-03-01..2026-03-15", NY)).label == "2026-02-14..2026-02-28"
    assert following(parse_period("2026-12", NY)).label == "2027-01"
    assert following(parse_period("2026-03-01..2026-03-15", NY)).label == "2026-03-16..2026-03-30"


def test_months_in_a_week_across_a_month_edge() -> None:
    week = parse_period("2026-W14", NY)  # Mon 30 March .. Sun 5 April
    assert [m.label for m in months_in(week)] == ["2026-03", "2026-04"]
    assert [(a, b) for _, a, b in month_slices(week)] == [
        (date(2026, 3, 30), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 5)),
    ]
    assert [m.label for m in months_in(parse_period("2026-Q2", NY))] == ["2026-04", "2026-05", "2026-06"]


def test_days_of_a_period() -> None:
    assert list(days_of(parse_period("2026-W14", NY))) == [date(2026, 3, 30) + timedelta(d) for d in range(7)]
    assert len(list(days_of(parse_period("2028", NY)))) == 366


def test_a_period_is_closed_from_its_end_on() -> None:
    march = parse_period("2026-03", NY)
    assert not is_closed(march, utc(2026, 4, 1, 3, 59))
    assert is_closed(march, utc(2026, 4, 1, 4))
    assert march.contains(utc(2026, 3, 1, 5))
    assert not march.contains(utc(2026, 4, 1, 4))
    with pytest.raises(ValueError):
        is_closed(march, datetime(2026, 4, 2))


def test_a_midnight_that_dst_skips_starts_the_day_at_the_transition() -> None:
    # America/Santiago springs forward at 00:00 local: 2026-09-06 begins at 01:00 -03:00.
    start = local_midnight(date(2026, 9, 6), "America/Santiago")
    assert start == utc(2026, 9, 6, 4)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_every_day_is_in_exactly_the_periods_that_hold_it(day: date) -> None:
    instant = local_midnight(day, NY) + timedelta(hours=12)
    for kind in ("month", "week", "quarter", "year"):
        period = period_containing(kind, instant, NY)
        assert period.first_day <= day <= period.last_day
        assert period.contains(instant)
        assert parse_period(period.label, NY) == period
        assert previous(period).end == period.start
        assert following(period).start == period.end
