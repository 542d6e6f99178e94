"""Business calendars (DESIGN.md §6): hand-computed cases pinned to 2026 weeks in America/New_York, a
brute-force minute-stepping reference, and scalar == vectorised == reference properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadpact.domain.calendar.business import BusinessCalendar
from leadpact.domain.calendar.spec import (
    END_OF_DAY,
    WEEKDAYS,
    CalendarError,
    CalendarSpec,
    HalfDay,
    HoursError,
    parse_hours,
)
from leadpact.domain.calendar.vec import add_business_days_vec, add_business_vec, business_between_vec

NY = ZoneInfo("America/New_York")
H, M = timedelta(hours=1), timedelta(minutes=1)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A New York wall time (fold=0), aware."""
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def calendar(
    hours: dict[str, str] | None = None,
    tz: str = "America/New_York",
    country: str | None = "US",
    **kw: object,
) -> BusinessCalendar:
    spec = CalendarSpec(tz, parse_hours(hours or {"mon-fri": "09:00-17:00"}), country=country, **kw)  # type: ignore[arg-type]
    return BusinessCalendar(spec)


US = calendar()


def add(cal: BusinessCalendar, t: datetime, delta: timedelta) -> datetime:
    """add_business, checked against the vectorised form and business_between on the way."""
    out = cal.add_business(t, delta)
    assert out.tzinfo is UTC
    vec = add_business_vec(cal, np.array([t.astimezone(UTC).replace(tzinfo=None)], "datetime64[us]"), delta)
    assert vec[0] == np.datetime64(out.replace(tzinfo=None), "us")
    if delta:
        assert cal.business_between(t, out) == delta
    return out


def bd(cal: BusinessCalendar, t: datetime, n: int) -> datetime:
    out = cal.add_business_days(t, n)
    vec = add_business_days_vec(cal, np.array([t.astimezone(UTC).replace(tzinfo=None)], "datetime64[us]"), n)
    assert vec[0] == np.datetime64(out.replace(tzinfo=None), "us")
    return out


# -- parse_hours ------------------------------------------------------------------------------------------


def test_parse_hours_ranges_lists_and_several_windows() -> None:
    hours = parse_hours({"mon-thu": "09:00-12:00,13:00-17:00", "FRI": "09:00-15:00", "sat,sun": "closed"})
    assert hours[0] == hours[3] == ((time(9), time(12)), (time(13), time(17)))
    assert hours[4] == ((time(9), time(15)),)
    assert hours[5] == hours[6] == ()
    assert set(hours) == set(range(7))


def test_parse_hours_wrapping_range_and_end_of_day() -> None:
    hours = parse_hours({"sun-thu": "08:00-24:00"})
    assert [WEEKDAYS[d] for d, w in hours.items() if w] == ["mon", "tue", "wed", "thu", "sun"]
    assert hours[6] == ((time(8), END_OF_DAY),)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"mon-fry": "09:00-17:00"}, 'mon-fry: unknown weekday "fry" (expected mon..sun)'),
        ({"mon": "9-17"}, 'mon: "9-17" is not a window like 09:00-17:00'),
        ({"mon": "09:00-25:00"}, 'mon: "09:00-25:00" is not a window'),
        ({"mon": "17:00-09:00"}, "mon: window 17:00-09:00 does not open before it closes"),
        ({"mon": "09:00-09:00"}, "mon: window 09:00-09:00 does not open before it closes"),
        ({"tue": "09:00-12:00,11:00-17:00"}, "tue: windows 09:00-12:00 and 11:00-17:00 overlap"),
        ({"mon-fri": "09:00-17:00", "fri": "10:00-12:00"}, "fri: fri is already given by mon-fri"),
        ({"mon": ""}, "mon: '' is not hours like \"09:00-17:00\""),
    ],
)
def test_parse_hours_errors_name_the_key_and_what_was_expected(hours: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_hours(hours)


def test_parse_hours_reports_every_error_at_once() -> None:
    with pytest.raises(HoursError) as info:
        parse_hours({"mon": "17:00-09:00", "xyz": "09:00-17:00", "tue": "nine to five"})
    assert len(info.value.errors) == 3


# -- construction ---------------------------------------------------------------------------------------


def test_a_calendar_with_no_working_time_is_an_error() -> None:
    with pytest.raises(CalendarError, match="no working time"):
        calendar({"mon-sun": "closed"})
    with pytest.raises(CalendarError, match="no working time"):
        BusinessCalendar(CalendarSpec("UTC", {}))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"tz": "America/Nowhere"}, 'unknown time zone "America/Nowhere"'),
        ({"tz": "../etc/passwd"}, "unknown time zone"),
        ({"country": "XX"}, 'unknown country "XX"'),
        ({"subdivision": "ZZ"}, 'US has no subdivision "ZZ"'),
        ({"exclude": ("Colombus Day",)}, 'did you mean "Columbus Day"'),
        ({"country": None, "exclude": ("Columbus Day",)}, "need a country"),
        (
            {"half_days": (HalfDay(date(2026, 12, 24), time(13)), HalfDay(date(2026, 12, 24), time(12)))},
            "twice",
        ),
    ],
)
def test_bad_zone_country_subdivision_or_holiday_name(kw: dict[str, object], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        calendar(**kw)  # type: ignore[arg-type]


def test_bad_windows_in_a_hand_built_spec() -> None:
    with pytest.raises(CalendarError, match="overlap"):
        BusinessCalendar(CalendarSpec("UTC", {0: ((time(9), time(12)), (time(11), time(13)))}))
    with pytest.raises(CalendarError, match="unknown weekday 7"):
        BusinessCalendar(CalendarSpec("UTC", {7: ((time(9), time(12)),)}))


def test_naive_datetimes_and_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        US.is_open(datetime(2026, 3, 2, 10))
    with pytest.raises(ValueError, match="naive"):
        US.add_business(datetime(2026, 3, 2, 10), H)
    with pytest.raises(ValueError, match="negative"):
        US.add_business(ny(2026, 3, 2, 10), -H)
    with pytest.raises(ValueError, match="negative"):
        US.add_business_days(ny(2026, 3, 2, 10), -1)


# -- holidays ----------------------------------------------------------------------------------------------


def test_the_holidays_of_2026() -> None:
    assert US.is_holiday(date(2026, 11, 26))  # Thanksgiving
    assert not US.is_holiday(date(2026, 11, 27))  # the federal list has no day after Thanksgiving
    assert calendar(subdivision="CA").is_holiday(date(2026, 11, 27))  # California's does
    assert US.is_holiday(date(2026, 7, 3))  # Independence Day (observed): July 4 is a Saturday
    assert US.is_holiday(date(2026, 7, 4))
    assert US.windows_on(date(2026, 7, 3)) == []
    assert US.is_holiday(date(2027, 12, 31))  # New Year's Day 2028 (a Saturday), observed in 2027
    assert not US.is_holiday(date(2026, 3, 7))  # a weekend is not a holiday


def test_exclude_listed_dates_and_half_days() -> None:
    assert US.is_holiday(date(2026, 10, 12))
    no_columbus = calendar(exclude=("columbus day",))
    assert not no_columbus.is_holiday(date(2026, 10, 12))
    assert add(US, ny(2026, 10, 9, 16), 2 * H) == ny(2026, 10, 13, 10)
    assert add(no_columbus, ny(2026, 10, 9, 16), 2 * H) == ny(2026, 10, 12, 10)
    # excluding a holiday excludes its observed day too
    assert not calendar(exclude=("Independence Day",)).is_holiday(date(2026, 7, 3))

    eve = calendar(dates=(date(2026, 12, 24),))
    assert eve.is_holiday(date(2026, 12, 24))
    assert add(eve, ny(2026, 12, 23, 16), 2 * H) == ny(2026, 12, 28, 10)  # the 25th is Christmas

    half = calendar(half_days=(HalfDay(date(2026, 12, 24), time(13)),))
    assert not half.is_holiday(date(2026, 12, 24))
    assert half.windows_on(date(2026, 12, 24)) == [(utc(2026, 12, 24, 14), utc(2026, 12, 24, 18))]
    assert add(half, ny(2026, 12, 24, 12, 30), H) == ny(2026, 12, 28, 9, 30)
    assert not half.is_open(ny(2026, 12, 24, 13))


# -- add_business --------------------------------------------------------------------------------------------


def test_spring_forward_weekend() -> None:
    # Friday 16:00 EST + 2h business -> Monday 10:00 EDT (the clocks went forward on Sunday 2026-03-08)
    start = ny(2026, 3, 6, 16)
    assert start == utc(2026, 3, 6, 21)
    assert add(US, start, 2 * H) == utc(2026, 3, 9, 14) == ny(2026, 3, 9, 10)
    assert US.windows_on(date(2026, 3, 6)) == [(utc(2026, 3, 6, 14), utc(2026, 3, 6, 22))]
    assert US.windows_on(date(2026, 3, 9)) == [(utc(2026, 3, 9, 13), utc(2026, 3, 9, 21))]
    assert US.business_between(start, ny(2026, 3, 9, 10)) == 2 * H


def test_fall_back_weekend() -> None:
    start = ny(2026, 10, 30, 16)
    assert start == utc(2026, 10, 30, 20)
    assert add(US, start, 2 * H) == utc(2026, 11, 2, 15) == ny(2026, 11, 2, 10)
    assert US.windows_on(date(2026, 11, 2)) == [(utc(2026, 11, 2, 14), utc(2026, 11, 2, 22))]


def test_thanksgiving_and_july_fourth() -> None:
    assert add(US, ny(2026, 11, 25, 16), 2 * H) == ny(2026, 11, 27, 10)
    assert add(calendar(subdivision="CA"), ny(2026, 11, 25, 16), 2 * H) == ny(2026, 11, 30, 10)
    assert add(US, ny(2026, 7, 2, 16, 30), H) == ny(2026, 7, 6, 9, 30) == utc(2026, 7, 6, 13, 30)


def test_handoffs_at_the_edges_of_the_windows() -> None:
    assert add(US, ny(2026, 3, 13, 16, 58), 5 * M) == ny(2026, 3, 16, 9, 3)  # Friday late
    assert add(US, ny(2026, 3, 10, 8, 59), 5 * M) == ny(2026, 3, 10, 9, 5)  # before opening
    assert add(US, ny(2026, 3, 15, 12), 5 * M) == ny(2026, 3, 16, 9, 5)  # on a Sunday
    assert add(US, ny(2026, 3, 10, 16), H) == ny(2026, 3, 10, 17)  # lands on the close: stays there
    close = ny(2026, 3, 10, 17)
    assert not US.is_open(close)
    assert US.is_open(close - timedelta(microseconds=1))
    assert add(US, close, H) == ny(2026, 3, 11, 10)
    assert US.next_open(close) == ny(2026, 3, 11, 9)
    opening = ny(2026, 3, 10, 9)
    assert US.is_open(opening)
    assert not US.is_open(opening - timedelta(microseconds=1))
    assert US.next_open(opening) == opening
    assert add(US, opening, H) == ny(2026, 3, 10, 10)
    assert add(US, ny(2026, 3, 7, 12), timedelta(0)) == ny(2026, 3, 9, 9)  # zero: the next opening
    assert add(US, ny(2026, 3, 10, 12), timedelta(0)) == ny(2026, 3, 10, 12)


def test_a_lunch_break() -> None:
    lunch = calendar({"mon-fri": "09:00-12:00,13:00-17:00"})
    assert add(lunch, ny(2026, 3, 10, 11, 30), H) == ny(2026, 3, 10, 13, 30)
    assert add(lunch, ny(2026, 3, 10, 11), H) == ny(2026, 3, 10, 12)  # on the close before lunch
    assert not lunch.is_open(ny(2026, 3, 10, 12, 15))
    assert add(lunch, ny(2026, 3, 10, 12, 15), 30 * M) == ny(2026, 3, 10, 13, 30)
    assert lunch.business_between(ny(2026, 3, 10), ny(2026, 3, 11)) == 7 * H


def test_touching_windows_are_one_interval() -> None:
    cal = calendar({"mon-fri": "09:00-12:00,12:00-17:00"})
    assert cal.windows_on(date(2026, 3, 10)) == [(ny(2026, 3, 10, 9), ny(2026, 3, 10, 17))]
    assert add(cal, ny(2026, 3, 10, 11), H) == ny(2026, 3, 10, 12)


def test_business_between() -> None:
    assert US.business_between(ny(2026, 7, 2, 12), ny(2026, 7, 6, 12)) == 8 * H  # holiday + weekend
    assert US.business_between(ny(2026, 10, 30, 12), ny(2026, 11, 2, 12)) == 8 * H  # DST ends
    assert US.business_between(ny(2026, 3, 2), ny(2026, 3, 9)) == 40 * H
    assert US.business_between(ny(2026, 3, 1), ny(2026, 4, 1)) == 22 * 8 * H
    assert US.business_between(ny(2026, 3, 9, 12), ny(2026, 3, 2, 12)) == timedelta(0)
    assert US.business_between(ny(2026, 3, 7), ny(2026, 3, 8, 23)) == timedelta(0)


def test_business_days_between() -> None:
    assert US.business_days_between(date(2026, 3, 1), date(2026, 4, 1)) == 22
    assert US.business_days_between(date(2026, 11, 1), date(2026, 12, 1)) == 19  # Veterans Day, Thanksgiving
    assert US.business_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert US.business_days_between(date(2026, 4, 1), date(2026, 3, 1)) == 0
    assert US.business_days_between(date(2026, 1, 1), date(2027, 1, 1)) == 261 - 11


# -- add_business_days -------------------------------------------------------------------------------------


def test_business_days() -> None:
    assert bd(US, ny(2026, 3, 2, 10), 2) == ny(2026, 3, 4, 10)
    assert bd(US, ny(2026, 3, 7, 12), 1) == ny(2026, 3, 10, 9)  # Saturday: counted from Monday 09:00
    assert bd(US, ny(2026, 3, 6, 18), 1) == ny(2026, 3, 10, 9)  # Friday evening: the same
    assert bd(US, ny(2026, 3, 6, 10), 1) == ny(2026, 3, 9, 10) == utc(2026, 3, 9, 14)  # same wall time, EDT
    assert bd(US, ny(2026, 3, 2, 8), 1) == ny(2026, 3, 3, 9)  # before opening: from the opening
    assert bd(US, ny(2026, 3, 2, 17), 1) == ny(2026, 3, 4, 9)  # exactly at close is after hours
    assert bd(US, ny(2026, 11, 25, 10), 1) == ny(2026, 11, 27, 10)  # over Thanksgiving
    assert bd(US, ny(2026, 7, 2, 16), 1) == ny(2026, 7, 6, 16)  # over the observed July 4th
    assert bd(US, ny(2026, 3, 7, 12), 0) == ny(2026, 3, 9, 9)  # zero: the next opening


def test_business_days_clamp_to_a_half_day_and_to_a_later_opening() -> None:
    half = calendar(half_days=(HalfDay(date(2026, 12, 24), time(13)),))
    assert bd(half, ny(2026, 12, 23, 16, 30), 1) == ny(2026, 12, 24, 13) == utc(2026, 12, 24, 18)
    assert bd(half, ny(2026, 12, 23, 10), 1) == ny(2026, 12, 24, 10)
    late_friday = calendar({"mon-thu": "08:00-17:00", "fri": "10:00-17:00"})
    assert bd(late_friday, ny(2026, 3, 12, 8, 30), 1) == ny(2026, 3, 13, 10)  # before Friday's opening
    lunch = calendar({"mon": "09:00-17:00", "tue": "09:00-12:00,13:00-17:00"})
    assert bd(lunch, ny(2026, 3, 9, 12, 30), 1) == ny(2026, 3, 10, 12, 30)  # a break keeps the wall time


# -- DST edge windows (documented behaviour) -----------------------------------------------------------------


def test_windows_in_the_dst_hours() -> None:
    always = calendar({"mon-sun": "00:00-24:00"}, country=None)
    assert [b - a for a, b in always.windows_on(date(2026, 3, 8))] == [23 * H]
    assert [b - a for a, b in always.windows_on(date(2026, 11, 1))] == [25 * H]
    assert always.business_days_between(date(2026, 3, 1), date(2026, 4, 1)) == 31
    night = calendar({"mon-fri": "09:00-17:00", "sun": "01:30-03:00"}, country=None)
    # spring forward: 02:00 EST -> 03:00 EDT; the window runs 01:30 EST to the jump (30 minutes)
    assert night.windows_on(date(2026, 3, 8)) == [(utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7))]
    # fall back: 01:30 is ambiguous, its first occurrence (EDT, fold=0) opens; 03:00 EST closes (2.5 hours)
    assert night.windows_on(date(2026, 11, 1)) == [(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 8))]
    gap = calendar({"mon-fri": "09:00-17:00", "sun": "02:00-02:30"}, country=None)
    assert gap.windows_on(date(2026, 3, 8)) == []  # the window does not exist that night
    assert gap.windows_on(date(2026, 3, 15)) == [(utc(2026, 3, 15, 6), utc(2026, 3, 15, 6, 30))]


def test_a_calendar_closed_for_more_than_three_years_raises_instead_of_looping() -> None:
    closed = tuple(date(2027, 1, 1) + timedelta(days=k) for k in range(4 * 365 + 1))
    cal = calendar(dates=closed)
    late = ny(2026, 12, 31, 18)
    starts = np.array([late.astimezone(UTC).replace(tzinfo=None)], "datetime64[us]")
    for _ in range(2):  # the same answer whatever the cached span
        with pytest.raises(CalendarError, match="more than 3 years"):
            cal.next_open(late)
        with pytest.raises(CalendarError, match="more than 3 years"):
            cal.add_business(late, H)
        with pytest.raises(CalendarError, match="more than 3 years"):
            cal.add_business_days(late, 1)
        with pytest.raises(CalendarError, match="more than 3 years"):
            add_business_vec(cal, starts, H)
        with pytest.raises(CalendarError, match="more than 3 years"):
            add_business_days_vec(cal, starts, 1)
        assert cal.business_days_between(date(2026, 1, 1), date(2032, 1, 1)) > 0
    # three closed years are fine
    three = calendar(dates=tuple(date(2027, 1, 1) + timedelta(days=k) for k in range(365 + 366 + 365)))
    assert three.next_open(late) == ny(2030, 1, 2, 9)


# -- the brute-force reference ---------------------------------------------------------------------------


class Reference:
    """Openness straight from local wall time and the holiday set, minute by minute (no tables)."""

    def __init__(self, tz: str, hours: dict[int, list[tuple[int, int]]], *, exclude: tuple[str, ...] = (),
                 dates: tuple[date, ...] = (), half_days: dict[date, int] | None = None) -> None:  # fmt: skip
        self.zone = ZoneInfo(tz)
        self.hours = hours  # weekday -> [(open minute, close minute)], 1440 = 24:00
        self.closed = set(dates)
        for year in (2025, 2026, 2027):
            for day, name in holidays.country_holidays("US", years=year).items():
                if not any(name.lower().startswith(x.lower()) for x in exclude):
                    self.closed.add(day)
        self.half = half_days or {}

    @lru_cache(maxsize=4096)  # noqa: B019 - a handful of test objects
    def windows(self, day: date) -> list[tuple[int, int]]:
        if day in self.closed:
            return []
        cut = self.half.get(day, 1440)
        return [(a, min(b, cut)) for a, b in self.hours.get(day.weekday(), []) if a < min(b, cut)]

    def is_open(self, u: datetime) -> bool:
        wall = u.astimezone(self.zone)
        minute = wall.hour * 60 + wall.minute
        return any(a <= minute < b for a, b in self.windows(wall.date()))

    def add(self, t: datetime, minutes: int) -> datetime:
        u = t.astimezone(UTC)
        for _ in range(60 * 24 * 40):
            if self.is_open(u):
                if minutes == 0:
                    return u
                minutes -= 1
                if minutes == 0:
                    return u + M
            u += M
        raise AssertionError("no answer within 40 days")

    def resolve(self, day: date, minute: int) -> datetime:
        """fold=0 for an ambiguous wall time; a wall time in a gap is the instant of the jump."""
        if minute == 1440:
            day, minute = day + timedelta(days=1), 0
        naive = datetime.combine(day, time(minute // 60, minute % 60))
        u = naive.replace(tzinfo=self.zone).astimezone(UTC)
        if u.astimezone(self.zone).replace(tzinfo=None) == naive:
            return u
        u = naive.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        while u.astimezone(self.zone).replace(tzinfo=None) < naive:
            u += M
        return u

    def add_days(self, t: datetime, n: int) -> datetime:
        s = self.add(t, 0)
        if n == 0:
            return s
        wall = s.astimezone(self.zone)
        day = wall.date()
        while n:
            day += timedelta(days=1)
            n -= bool(self.windows(day))
        windows = self.windows(day)
        first, last = self.resolve(day, windows[0][0]), self.resolve(day, windows[-1][1])
        return min(max(self.resolve(day, wall.hour * 60 + wall.minute), first), last)


REF_US = Reference("America/New_York", {d: [(540, 1020)] for d in range(5)})
# weekday windows with a break, a short Friday, and Sundays around the clock change hours
ODD_HOURS = {
    "mon-thu": "08:00-12:00,13:00-18:00",
    "fri": "08:00-15:00",
    "sun": "00:00-01:00,02:30-10:00,22:00-24:00",
}
ODD_HALF = {date(2026, 11, 27): 13 * 60, date(2026, 3, 6): 10 * 60, date(2026, 7, 2): 12 * 60 + 30}
ODD = calendar(
    ODD_HOURS,
    exclude=("Columbus Day",),
    dates=(date(2026, 12, 24), date(2026, 3, 9)),
    half_days=tuple(HalfDay(d, time(m // 60, m % 60)) for d, m in ODD_HALF.items()),
)
REF_ODD = Reference(
    "America/New_York",
    {
        **{d: [(480, 720), (780, 1080)] for d in range(4)},
        4: [(480, 900)],
        6: [(0, 60), (150, 600), (1320, 1440)],
    },
    exclude=("Columbus Day",),
    dates=(date(2026, 12, 24), date(2026, 3, 9)),
    half_days=ODD_HALF,
)
CASES = [(US, REF_US), (ODD, REF_ODD)]

_SPECIAL_DAYS = [
    date(2026, m, d) + timedelta(days=k)
    for m, d in ((3, 5), (10, 29), (11, 24), (7, 1), (12, 22), (1, 16), (3, 7))
    for k in range(7)
]
_SPECIAL_TIMES = [time(h, m) for h, m in ((0, 0), (1, 0), (2, 30), (3, 0), (8, 0), (9, 0), (10, 0), (12, 0),
                                          (13, 0), (15, 0), (17, 0), (18, 0), (22, 0))]  # fmt: skip
SPECIAL = sorted(
    {datetime.combine(d, t, tzinfo=NY).astimezone(UTC) for d in _SPECIAL_DAYS for t in _SPECIAL_TIMES}
)
YEAR_MINUTES = 365 * 24 * 60

starts = st.one_of(
    st.integers(0, YEAR_MINUTES - 1).map(lambda m: utc(2026, 1, 1) + m * M),
    st.tuples(st.sampled_from(SPECIAL), st.integers(-3, 3)).map(lambda p: p[0] + p[1] * M),
)


def as64(t: datetime) -> np.ndarray:
    return np.array([t.astimezone(UTC).replace(tzinfo=None)], "datetime64[us]")


def from64(value: np.datetime64) -> datetime:
    return value.astype(datetime).replace(tzinfo=UTC)  # type: ignore[no-any-return]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CASES), starts, st.one_of(st.integers(0, 10), st.integers(0, 1200)))
def test_add_business_matches_the_reference(
    case: tuple[BusinessCalendar, Reference], t: datetime, m: int
) -> None:
    cal, ref = case
    out = cal.add_business(t, m * M)
    assert out == ref.add(t, m)
    assert from64(add_business_vec(cal, as64(t), m * M)[0]) == out
    if m:
        assert cal.business_between(t, out) == m * M
        assert business_between_vec(cal, as64(t), as64(out))[0].astype(timedelta) == m * M
    assert cal.is_open(t) == ref.is_open(t)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CASES), starts, st.integers(0, 6))
def test_add_business_days_matches_the_reference(
    case: tuple[BusinessCalendar, Reference], t: datetime, n: int
) -> None:
    cal, ref = case
    out = cal.add_business_days(t, n)
    assert out == ref.add_days(t, n)
    assert from64(add_business_days_vec(cal, as64(t), n)[0]) == out


@pytest.mark.parametrize("case", CASES, ids=["us", "odd"])
def test_scalar_and_vectorised_agree_in_bulk(case: tuple[BusinessCalendar, Reference]) -> None:
    cal, _ = case
    rng = np.random.default_rng(7)
    lo = np.datetime64("2025-12-20T00:00", "us").astype(np.int64)
    hi = np.datetime64("2027-01-10T00:00", "us").astype(np.int64)
    us = rng.integers(lo, hi, 4000)
    us[:1000] -= us[:1000] % 60_000_000  # whole minutes too, and exact openings and closes
    us[1000:1300] = [np.datetime64(s.replace(tzinfo=None), "us").astype(np.int64) for s in SPECIAL[:300]]
    arr = us.astype("datetime64[us]")
    py = [from64(x) for x in arr]
    for delta in (5 * M, 4 * H, timedelta(hours=13, microseconds=7), timedelta(0)):
        assert [cal.add_business(t, delta) for t in py] == [
            from64(x) for x in add_business_vec(cal, arr, delta)
        ]
    for n in (0, 1, 2, 5):
        assert [cal.add_business_days(t, n) for t in py] == [
            from64(x) for x in add_business_days_vec(cal, arr, n)
        ]
    other = arr[::-1]
    vec = business_between_vec(cal, arr, other)
    assert [cal.business_between(a, b) for a, b in zip(py, py[::-1], strict=True)] == list(
        vec.astype(timedelta)
    )


def test_vectorised_forms_take_any_unit_and_keep_nat() -> None:
    arr = np.array(["2026-03-06T21:00", "NaT", "2026-03-06T21:58"], "datetime64[m]")
    out = add_business_vec(US, arr, 2 * H)
    assert out.dtype == np.dtype("datetime64[us]")
    assert out[0] == np.datetime64("2026-03-09T14:00", "us") and np.isnat(out[1])
    assert np.isnat(add_business_days_vec(US, arr, 1)[1])
    between = business_between_vec(US, arr, arr + np.timedelta64(3, "D"))
    assert between.dtype == np.dtype("timedelta64[us]") and np.isnat(between[1])
    assert add_business_vec(US, np.array([], "datetime64[us]"), H).size == 0
    with pytest.raises(TypeError):
        add_business_vec(US, np.array([1, 2]), H)


@pytest.mark.parametrize("tz", ["America/Santiago", "Australia/Lord_Howe", "Europe/London", "Asia/Kolkata"])
def test_other_zones_midnights_and_agreement(tz: str) -> None:
    """Santiago changes clocks at midnight, Lord Howe by 30 minutes: the tables follow zoneinfo."""
    always = calendar({"mon-sun": "00:00-24:00"}, tz=tz, country=None)
    ref = Reference(tz, {})
    day = date(2026, 1, 1)
    while day.year == 2026:
        [(a, b)] = always.windows_on(day)
        assert (a, b) == (ref.resolve(day, 0), ref.resolve(day + timedelta(days=1), 0))
        day += timedelta(days=1)
    cal = calendar({"mon-fri": "00:30-12:00,12:30-23:30", "sat": "02:00-03:00"}, tz=tz, country=None)
    rng = np.random.default_rng(3)
    lo = np.datetime64("2026-01-01T00:00", "us").astype(np.int64)
    arr = rng.integers(lo, lo + 365 * 86_400_000_000, 3000).astype("datetime64[us]")
    py = [from64(x) for x in arr]
    for n in (1, 3):
        assert [cal.add_business_days(t, n) for t in py] == [
            from64(x) for x in add_business_days_vec(cal, arr, n)
        ]
    assert [cal.add_business(t, 7 * H) for t in py] == [from64(x) for x in add_business_vec(cal, arr, 7 * H)]


def test_answers_do_not_depend_on_what_was_asked_before() -> None:
    fresh = calendar()
    late = ny(2031, 6, 1, 12)
    assert fresh.add_business(late, H) == US.add_business(late, H)
    assert fresh.add_business(ny(2019, 6, 3, 12), H) == ny(2019, 6, 3, 13)  # extends backwards
    assert fresh.business_between(ny(2019, 6, 3, 12), late) == US.business_between(ny(2019, 6, 3, 12), late)


def test_a_skipped_date_has_no_time() -> None:
    """Samoa skipped 2011-12-30 (UTC-10 -> UTC+14): a 24/7 calendar goes from the 29th to the 31st."""
    apia = ZoneInfo("Pacific/Apia")
    cal = calendar({"mon-sun": "00:00-24:00"}, tz="Pacific/Apia", country=None)
    assert cal.windows_on(date(2011, 12, 30)) == []
    assert cal.windows_on(date(2011, 12, 29))[0][1] == cal.windows_on(date(2011, 12, 31))[0][0]
    assert bd(cal, datetime(2011, 12, 29, 20, tzinfo=apia), 1) == datetime(2011, 12, 31, 20, tzinfo=apia)
    assert cal.business_days_between(date(2011, 12, 29), date(2012, 1, 1)) == 2
