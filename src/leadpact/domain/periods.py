"""Periods (DESIGN.md §1): a month, an ISO week, a quarter, a year or a range of days.

A period is a run of whole local days in the pact's time zone; its bounds are the local
midnights that open its first day and close its last, held as aware UTC instants, [start, end).
Pure: no system clock, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PeriodKind = Literal["month", "week", "quarter", "year", "range"]

ACCEPTED_FORMS = "2026-03 (month), 2026-W10 (ISO week), 2026-Q1, 2026 (year) or 2026-03-01..2026-03-15"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-[Ww](\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """Whole local days ``first_day..last_day`` (inclusive) = instants ``[start, end)`` in UTC.

    ``tz`` is the IANA zone the days are local to; ``previous`` and ``months_in`` need it.
    """

    label: str
    start: datetime
    end: datetime
    kind: PeriodKind
    first_day: date
    last_day: date
    tz: str

    def contains(self, instant: datetime) -> bool:
        """Whether an aware instant falls in [start, end)."""
        return self.start <= _aware(instant) < self.end

    @property
    def days(self) -> int:
        """The number of local days in the period."""
        return (self.last_day - self.first_day).days + 1


def zone(tz: str) -> ZoneInfo:
    """The IANA zone, or ValueError naming it."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r} (write an IANA name like America/New_York)") from exc


def local_midnight(day: date, tz: str) -> datetime:
    """The instant (UTC) at which ``day`` begins in ``tz``.

    ``fold=0`` is the right reading at both DST edges: where a transition skips midnight the
    pre-transition offset lands on the transition itself (the day's first real instant), and where
    midnight happens twice it picks the earlier one.
    """
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


def local_date(instant: datetime, tz: str) -> date:
    """The local calendar day of an aware instant in ``tz``."""
    return _aware(instant).astimezone(zone(tz)).date()


def make_period(
    kind: PeriodKind, first_day: date, last_day: date, tz: str, label: str | None = None
) -> Period:
    """A period over local days ``first_day..last_day`` (inclusive)."""
    if last_day < first_day:
        raise ValueError(f"a period ends on or after it starts: {first_day}..{last_day}")
    return Period(
        label=label if label is not None else _label(kind, first_day, last_day),
        start=local_midnight(first_day, tz),
        end=local_midnight(last_day + timedelta(days=1), tz),
        kind=kind,
        first_day=first_day,
        last_day=last_day,
        tz=tz,
    )


def parse_period(text: str, tz: str) -> Period:
    """Parse a period written as DESIGN.md §1 says; ValueError names the accepted forms."""
    zone(tz)
    raw = text.strip()
    try:
        if m := _MONTH.match(raw):
            return month_period(int(m.group(1)), int(m.group(2)), tz)
        if m := _WEEK.match(raw):
            return week_period(int(m.group(1)), int(m.group(2)), tz)
        if m := _QUARTER.match(raw):
            return quarter_period(int(m.group(1)), int(m.group(2)), tz)
        if m := _YEAR.match(raw):
            return year_period(int(m.group(1)), tz)
        if m := _RANGE.match(raw):
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            if last < first:
                raise ValueError(f"the range ends before it starts ({last} < {first})")
            return make_period("range", first, last, tz)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a period: {exc}; write {ACCEPTED_FORMS}") from exc
    raise ValueError(f"{text!r} is not a period; write {ACCEPTED_FORMS}")


def month_period(year: int, month: int, tz: str) -> Period:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 01..12")
    first = date(year, month, 1)
    return make_period("month", first, _next_month(first) - timedelta(days=1), tz)


def week_period(year: int, week: int, tz: str) -> Period:
    """ISO week ``week`` of ISO year ``year``, Monday to Sunday."""
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{year} has no ISO week {week}") from exc
    return make_period("week", monday, monday + timedelta(days=6), tz)


def quarter_period(year: int, quarter: int, tz: str) -> Period:
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter {quarter} is not 1..4")
    first = date(year, 3 * (quarter - 1) + 1, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return make_period("quarter", first, last - timedelta(days=1), tz)


def year_period(year: int, tz: str) -> Period:
    return make_period("year", date(year, 1, 1), date(year, 12, 31), tz)


def period_containing(kind: PeriodKind, instant: datetime, tz: str) -> Period:
    """The month, week, quarter or year of ``tz`` that holds the aware ``instant``."""
    return period_of_day(kind, local_date(instant, tz), tz)


def period_of_day(kind: PeriodKind, day: date, tz: str) -> Period:
    """The month, week, quarter or year that holds the local ``day`` (a range has no such)."""
    if kind == "month":
        return month_period(day.year, day.month, tz)
    if kind == "week":
        iso = day.isocalendar()
        return week_period(iso.year, iso.week, tz)
    if kind == "quarter":
        return quarter_period(day.year, (day.month - 1) // 3 + 1, tz)
    if kind == "year":
        return year_period(day.year, tz)
    raise ValueError("a range is not a calendar period; name month, week, quarter or year")


def previous(period: Period) -> Period:
    """The period before: the previous month, week, quarter or year; for a range, the range of
    the same number of days that ends the day before it starts."""
    if period.kind == "range":
        last = period.first_day - timedelta(days=1)
        return make_period("range", last - timedelta(days=period.days - 1), last, period.tz)
    return period_of_day(period.kind, period.first_day - timedelta(days=1), period.tz)


def ending_with(period: Period, count: int) -> list[Period]:
    """`count` periods of `period`'s kind ending with it (at least it), oldest first."""
    out = [period]
    while len(out) < count:
        out.append(previous(out[-1]))
    return out[::-1]


def closed_before(kind: PeriodKind, now: datetime, tz: str, count: int) -> list[Period]:
    """The last `count` weeks, months, quarters or years closed at `now`, oldest first."""
    return ending_with(previous(period_containing(kind, now, tz)), count)


def following(period: Period) -> Period:
    """The period after, as ``previous`` reads backwards."""
    if period.kind == "range":
        first = period.last_day + timedelta(days=1)
        return make_period("range", first, first + timedelta(days=period.days - 1), period.tz)
    return period_of_day(period.kind, period.last_day + timedelta(days=1), period.tz)


def days_of(period: Period) -> Iterator[date]:
    """Every local day of the period, in order."""
    day = period.first_day
    while day <= period.last_day:
        yield day
        day += timedelta(days=1)


def months_in(period: Period) -> list[Period]:
    """The calendar months the period touches, whole (a week across a month edge gives two)."""
    months: list[Period] = []
    first = period.first_day.replace(day=1)
    while first <= period.last_day:
        months.append(month_period(first.year, first.month, period.tz))
        first = _next_month(first)
    return months


def month_slices(period: Period) -> list[tuple[Period, date, date]]:
    """Per month the period touches: (the whole month, the first and last day of the overlap)."""
    return [
        (month, max(month.first_day, period.first_day), min(month.last_day, period.last_day))
        for month in months_in(period)
    ]


def is_closed(period: Period, as_of: datetime) -> bool:
    """Whether the period is over at ``as_of`` (its end is not after ``as_of``)."""
    return _aware(as_of) >= period.end


def has_started(period: Period, as_of: datetime) -> bool:
    return _aware(as_of) >= period.start


def _next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def _label(kind: PeriodKind, first: date, last: date) -> str:
    if kind == "month":
        return f"{first.year:04d}-{first.month:02d}"
    if kind == "week":
        iso = first.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    if kind == "quarter":
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    if kind == "year":
        return f"{first.year:04d}"
    return f"{first.isoformat()}..{last.isoformat()}"


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant.isoformat()} has no UTC offset; instants are aware")
    return instant
