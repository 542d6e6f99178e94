"""The review calendar: the next weekly, monthly and quarterly review dates (domain/reviews.py)."""

from __future__ import annotations

from datetime import date

from leadpact.domain.reviews import next_monthly, next_weekly, review_dates


def _weekdays_but(*closed: date):  # type: ignore[no-untyped-def]
    return lambda d: d.weekday() < 5 and d not in closed


def test_the_quarterly_review_moves_off_new_years_day_to_the_next_business_day() -> None:
    dates = review_dates(
        date(2026, 11, 24),
        weekly_day=0,
        monthly_day=1,
        quarterly_months=["jan", "apr", "jul", "oct"],
        is_business_day=_weekdays_but(date(2027, 1, 1)),
    )
    assert dates.quarterly == date(2027, 1, 4)  # Friday 1 January is a holiday; the weekend follows
    assert dates.monthly == date(2026, 12, 1)
    assert dates.weekly == date(2026, 11, 30)


def test_a_review_due_today_is_today() -> None:
    assert next_weekly(date(2026, 11, 30), 0) == date(2026, 11, 30)
    assert next_monthly(date(2026, 10, 1), 1, [1, 4, 7, 10]) == date(2026, 10, 1)


def test_a_day_past_the_month_end_is_the_months_last_day() -> None:
    assert next_monthly(date(2027, 2, 2), 31) == date(2027, 2, 28)
    assert next_monthly(date(2028, 2, 2), 31, [2]) == date(2028, 2, 29)


def test_the_next_quarter_month_may_be_next_year() -> None:
    assert next_monthly(date(2026, 10, 2), 1, [1, 4, 7, 10]) == date(2027, 1, 1)
    assert next_monthly(date(2026, 3, 15), 10, [3]) == date(2027, 3, 10)
