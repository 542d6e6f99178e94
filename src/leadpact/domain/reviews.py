"""The review calendar of the pact (`reviews:`): when the next weekly, monthly and quarterly reviews meet.

The weekly review meets on its weekday at its local time. The monthly review meets on its day of the month
(the last day when the month is shorter). The quarterly review is the monthly review of a quarterly month.
A monthly or quarterly review whose day is not a business day moves to the next business day (the first of
January is a holiday nearly everywhere). Pure: `today` and the business-day test come in as arguments.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS: tuple[str, ...] = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

IsBusinessDay = Callable[[date], bool]
#: How far a review may move to find a business day (a calendar with none is a pact error long before).
_MOST_DAYS_CLOSED = 60


@dataclass(frozen=True)
class ReviewDates:
    """The next meeting of each review, on or after the day asked about."""

    weekly: date
    monthly: date
    quarterly: date


def _next_business(day: date, is_business_day: IsBusinessDay | None) -> date:
    if is_business_day is None:
        return day
    for offset in range(_MOST_DAYS_CLOSED):
        candidate = day + timedelta(days=offset)
        if is_business_day(candidate):
            return candidate
    return day


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_weekly(today: date, weekday: int) -> date:
    """The next day (today included) that falls on `weekday` (0 = Monday)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def next_monthly(
    today: date,
    day: int,
    months: Sequence[int] = tuple(range(1, 13)),
    is_business_day: IsBusinessDay | None = None,
) -> date:
    """The next review (today included) held on `day` of one of `months` (1..12), moved to a business day."""
    wanted = sorted(set(months))
    if not wanted:
        raise ValueError("no review month")
    year = today.year
    for _ in range(3):
        for month in wanted:
            held = _next_business(_month_day(year, month, day), is_business_day)
            if held >= today:
                return held
        year += 1
    raise ValueError("no review date within two years")  # unreachable with any month given


def review_dates(
    today: date,
    *,
    weekly_day: int,
    monthly_day: int,
    quarterly_months: Sequence[str],
    is_business_day: IsBusinessDay | None = None,
) -> ReviewDates:
    """The next weekly, monthly and quarterly review dates on or after `today`."""
    quarters = [MONTHS.index(m) + 1 for m in quarterly_months]
    return ReviewDates(
        weekly=next_weekly(today, weekly_day),
        monthly=next_monthly(today, monthly_day, is_business_day=is_business_day),
        quarterly=next_monthly(today, monthly_day, quarters, is_business_day),
    )
