"""Business calendars: working windows per weekday, holidays, deadlines in business time (DESIGN.md §6).

Pure domain code: no I/O, never the system clock. Every datetime in and out is timezone-aware; every
output is UTC. The numpy forms of the clocks live in :mod:`leadpact.domain.calendar_vec`.

Definitions (the contract the clocks and metrics rely on):

* A window ``(open, close)`` is the half-open local wall-time range ``[open, close)`` of one local day.
  ``24:00`` (end of day) is written ``END_OF_DAY`` (``time.max``): the window runs to the next local
  midnight. Windows of one day that touch (``09:00-12:00,12:00-17:00``) are one open interval.
* Local times resolve with zoneinfo. An ambiguous wall time (clocks going back) is its first occurrence
  (``fold=0``); a wall time that does not exist (clocks going forward) is the instant the clocks jump,
  i.e. the first instant whose wall time is at or after it. So ``09:00-17:00`` stays ``09:00-17:00``
  local across DST; a window ``01:30-03:00`` lasts 30 minutes on the spring-forward night (02:00 ->
  03:00) and 2.5 hours on the fall-back night (01:30 EDT to 03:00 EST); a window lying wholly inside
  the skipped hour is empty that day. Each local day is assumed to hold at most one UTC-offset change.
* The closed days are the country's public holidays (the ``holidays`` package, including the
  "(observed)" days it lists, e.g. Friday 2026-07-03 for Independence Day), minus ``exclude`` (names
  matched case-insensitively; excluding "Independence Day" also excludes its observed day; a name the
  package never gives the country in 1990-2060 is a CalendarError with a did-you-mean), plus
  ``dates``. A half day truncates that day's windows at its close; a holiday or listed date wins over
  a half day.
* A business day is a local day with at least one non-empty window left after holidays and half days.
* Business time started outside the windows starts at the next opening; a deadline that lands exactly
  on a close stays there. ``bd``: the same local wall time on the Nth next business day, counted from
  the next opening when started outside the windows, clamped into that day's ``[first opening, last
  close]`` (before the first opening -> the opening; after the last close -> the close; inside a break
  it stays where it is).
* Every search is bounded: a search (next opening, deadline) that would cross more than 3 x 366 days
  without an opening raises :class:`CalendarError`, whatever was cached before.
"""

from __future__ import annotations

import difflib
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from leadpact.domain.timeutil import EPOCH, FLOAT_EXACT_US, from_us, to_us

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = time.max  # stands for 24:00: a window closing at END_OF_DAY runs to the next local midnight
Window = tuple[time, time]

_US = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_EPOCH = EPOCH
_EPOCH_ORD = date(1970, 1, 1).toordinal()
_CLOSED_LIMIT_US = 3 * 366 * _DAY_US  # longest closed stretch searched before giving up
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_OBSERVED = re.compile(r"\s*\([^()]*\bobserved\b[^()]*\)\s*$", re.IGNORECASE)
_fromtimestamp = datetime.fromtimestamp


class CalendarError(ValueError):
    """A calendar that cannot work: no working time, unknown zone/country/holiday, no opening in 3 years."""


class HoursError(ValueError):
    """Bad ``hours``; ``errors`` holds every problem found, each naming its key."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = tuple(errors)


# -- parsing ------------------------------------------------------------------------------------------


def _fmt(t: time) -> str:
    return "24:00" if t == END_OF_DAY else t.strftime("%H:%M")


def _parse_days(key: str) -> list[int]:
    days: list[int] = []
    for item in key.split(","):
        ends = [part.strip().lower() for part in item.split("-")]
        if len(ends) > 2 or not ends[0]:
            raise ValueError(f'"{item.strip()}" is not a weekday or range like mon-fri')
        for end in ends:
            if end not in WEEKDAYS:
                raise ValueError(f'unknown weekday "{end}" (expected mon..sun)')
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        days.extend((first + k) % 7 for k in range((last - first) % 7 + 1))  # ranges may wrap: sun-thu
    return days


def _parse_time(text: str, is_close: bool) -> time:
    match = _TIME.match(text.strip())
    if match is None:
        raise ValueError
    hour, minute = int(match.group(1)), int(match.group(2))
    if is_close and (hour, minute) == (24, 0):
        return END_OF_DAY
    if hour > 23 or minute > 59:
        raise ValueError
    return time(hour, minute)


def _check_windows(windows: Iterable[Window]) -> tuple[tuple[Window, ...], list[str]]:
    ordered = sorted(windows)
    problems = [f"window {_fmt(a)}-{_fmt(b)} does not open before it closes" for a, b in ordered if a >= b]
    for (a1, b1), (a2, b2) in zip(ordered, ordered[1:], strict=False):
        if a2 < b1:
            problems.append(f"windows {_fmt(a1)}-{_fmt(b1)} and {_fmt(a2)}-{_fmt(b2)} overlap")
    return tuple(ordered), problems


def parse_hours(hours: Mapping[str, str]) -> dict[int, tuple[Window, ...]]:
    """``{"mon-fri": "09:00-17:00", "sat": "10:00-12:00,13:00-15:00"}`` -> windows per weekday (0 = Monday).

    Keys: ``mon``..``sun`` (any case), ranges ``mon-fri`` (a range may wrap: ``sun-thu``) and lists
    ``sat,sun``. Values: ``HH:MM-HH:MM`` windows separated by commas, ``[open, close)``, ``24:00`` for
    the end of the day, or ``closed``. Every weekday is in the result (``()`` when closed). Raises
    :class:`HoursError` (a ValueError) listing every bad key/value with what was expected.
    """
    result: dict[int, tuple[Window, ...]] = {day: () for day in range(7)}
    seen: dict[int, str] = {}
    errors: list[str] = []
    for key, value in hours.items():
        try:
            days = _parse_days(str(key))
        except ValueError as exc:
            errors.append(f"{key}: {exc}")
            continue
        for day in days:
            if day in seen:
                errors.append(f"{key}: {WEEKDAYS[day]} is already given by {seen[day]}")
            seen[day] = str(key)
        windows: list[Window] = []
        text = value.strip() if isinstance(value, str) else None
        if text is None or not text:
            errors.append(f'{key}: {value!r} is not hours like "09:00-17:00" (or "closed")')
            continue
        if text.lower() != "closed":
            for part in text.split(","):
                try:
                    open_text, close_text = part.split("-")
                    windows.append((_parse_time(open_text, False), _parse_time(close_text, True)))
                except ValueError:
                    errors.append(
                        f'{key}: "{part.strip()}" is not a window like 09:00-17:00 '
                        '(several: "09:00-12:00,13:00-17:00"; 24:00 ends the day)'
                    )
        checked, problems = _check_windows(windows)
        errors.extend(f"{key}: {problem}" for problem in problems)
        for day in days:
            result[day] = checked
    if errors:
        raise HoursError(errors)
    return result


# -- the spec -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HalfDay:
    date: date
    close: time


@dataclass(frozen=True)
class CalendarSpec:
    timezone: str  # IANA name
    hours: Mapping[int, tuple[Window, ...]]  # weekday (0 = Monday) -> windows, as parse_hours returns
    country: str | None = None
    subdivision: str | None = None
    exclude: tuple[str, ...] = ()  # holiday names to ignore (the holidays package's names, any case)
    dates: tuple[date, ...] = ()  # extra closed dates
    half_days: tuple[HalfDay, ...] = ()  # the day closes at `close`


def _holiday_base(country: str, subdivision: str | None, years: Iterable[int]) -> Any:
    return holidays.country_holidays(country, subdiv=subdivision, years=list(years))


def _base_name(name: str) -> str:
    return _OBSERVED.sub("", name).strip().casefold()


@lru_cache(maxsize=64)
def _holiday_names(country: str, subdivision: str | None) -> dict[str, str]:
    """casefolded -> spelled, the names the package gives this country over 1990-2060 (for checks)."""
    names: dict[str, str] = {}
    base = _holiday_base(country, subdivision, range(1990, 2061))
    for day in base:
        for name in base.get_list(day):
            names.setdefault(name.casefold(), name)
            names.setdefault(_base_name(name), _OBSERVED.sub("", name).strip())
    return names


def _tod_us(t: time) -> int:
    if t == END_OF_DAY:
        return _DAY_US
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _to_us(t: datetime) -> int:
    if t.tzinfo is None:
        raise ValueError(f"{t!r} is naive: the calendar takes timezone-aware datetimes")
    return to_us(t)


_to_dt = from_us


def _resolve_in(pieces: tuple[tuple[int, int, int], ...], day_end: int, wall: int) -> int:
    """The instant of wall time ``wall`` (microseconds, wall-clock epoch) on a day cut into pieces of constant
    UTC offset: the first piece whose wall range reaches past it (fold=0); inside a gap, the jump."""
    for start, end, off in pieces:
        if end + off > wall:
            at = wall - off
            return at if at > start else start
    return day_end


# -- the tables ---------------------------------------------------------------------------------------------


class _Timeline:
    """An immutable snapshot of every open interval over whole local years [year_lo, year_hi)."""

    __slots__ = (
        "year_lo", "year_hi", "ord_lo", "lo", "hi", "opens", "closes", "cum", "cum_end", "iday",
        "bdays", "bd_first", "bd_last", "day_start", "pieces", "gaps", "vec",
    )  # fmt: skip

    def __init__(self, year_lo: int, year_hi: int, days: list[_Day], day_end: int) -> None:
        self.year_lo, self.year_hi = year_lo, year_hi
        self.ord_lo = days[0].ordinal if days else 0
        self.lo = days[0].start if days else 0
        self.hi = day_end if days else 0
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.cum: list[int] = []  # business microseconds before each opening (0 at the first)
        self.cum_end: list[int] = []  # ... and at each close
        self.iday: list[int] = []  # local date ordinal of each interval
        self.bdays: list[int] = []  # ordinals of the business days, with their first opening and last close
        self.bd_first: list[int] = []
        self.bd_last: list[int] = []
        self.day_start: list[int] = [day.start for day in days] + ([day_end] if days else [])
        self.pieces = [day.pieces for day in days]
        self.vec: object | None = None  # numpy tables, built by calendar_vec on first use
        total = 0
        for day in days:
            if day.windows:
                self.bdays.append(day.ordinal)
                self.bd_first.append(day.windows[0][0])
                self.bd_last.append(day.windows[-1][1])
            for open_us, close_us in day.windows:
                self.opens.append(open_us)
                self.closes.append(close_us)
                self.iday.append(day.ordinal)
                self.cum.append(total)
                total += close_us - open_us
                self.cum_end.append(total)
        # interval indices after a closed stretch longer than the search limit (0: the span starts closed)
        edges = [self.lo, *self.closes]
        self.gaps = [j for j, o in enumerate(self.opens) if o - edges[j] > _CLOSED_LIMIT_US]


@dataclass(frozen=True)
class _Day:
    ordinal: int
    start: int  # UTC microseconds of the local midnight
    pieces: tuple[tuple[int, int, int], ...]  # (start, end, utc offset) covering the day, UTC microseconds
    windows: tuple[tuple[int, int], ...]  # open intervals, UTC microseconds, sorted, merged, non-empty


# -- the calendar -------------------------------------------------------------------------------------


class BusinessCalendar:
    """Working windows in a time zone, with holidays; all answers in UTC. Tables are built lazily per local
    year and cached (thread-safe: readers use an immutable snapshot)."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        try:
            self._zone = ZoneInfo(spec.timezone)
        except Exception:  # ZoneInfoNotFoundError, ValueError for malformed keys, TypeError
            raise CalendarError(
                f'timezone: unknown time zone "{spec.timezone}" (expected an IANA name like America/New_York)'
            ) from None
        self._week: list[tuple[tuple[int, int], ...]] = []
        for day in range(7):
            windows = tuple(spec.hours.get(day, ()))
            checked, problems = _check_windows(windows)
            if problems:
                raise CalendarError(f"hours: {WEEKDAYS[day]}: {problems[0]}")
            self._week.append(tuple((_tod_us(a), _tod_us(b)) for a, b in checked))
        if extra := sorted(set(spec.hours) - set(range(7))):
            raise CalendarError(f"hours: unknown weekday {extra[0]} (expected 0 = Monday .. 6 = Sunday)")
        if not any(self._week):
            raise CalendarError("hours: the calendar has no working time (no weekday has a window)")
        self._country = spec.country.strip().upper() if spec.country is not None else None
        self._check_holidays(spec)
        self._exclude = frozenset(name.casefold() for name in spec.exclude)
        self._dates_by_year: dict[int, set[int]] = {}
        for closed_day in spec.dates:
            self._dates_by_year.setdefault(closed_day.year, set()).add(closed_day.toordinal())
        self._half: dict[int, int] = {}
        for half in spec.half_days:
            if half.date.toordinal() in self._half:
                raise CalendarError(f"holidays.half_days: {half.date.isoformat()} is given twice")
            self._half[half.date.toordinal()] = _tod_us(half.close)
        self._closed_years: dict[int, frozenset[int]] = {}
        self._years: dict[int, list[_Day]] = {}
        self._lock = threading.Lock()
        self._tl = _Timeline(0, 0, [], 0)

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.spec.timezone!r}, country={self.spec.country!r})"

    def _check_holidays(self, spec: CalendarSpec) -> None:
        if spec.country is None:
            if spec.subdivision is not None or spec.exclude:
                raise CalendarError("holidays: subdivision and exclude need a country")
            return
        supported = holidays.list_supported_countries()
        if self._country not in supported:
            raise CalendarError(
                f'holidays.country: unknown country "{spec.country}" '
                "(expected a code the holidays package knows, like US, GB, DE)"
            )
        try:
            _holiday_base(self._country, spec.subdivision, [])
        except NotImplementedError:
            some = ", ".join(supported[self._country][:12])
            raise CalendarError(
                f'holidays.subdivision: {self._country} has no subdivision "{spec.subdivision}" '
                f"(expected one of {some}{', ...' if len(supported[self._country]) > 12 else ''})"
            ) from None
        known = _holiday_names(self._country, spec.subdivision) if spec.exclude else {}
        for name in spec.exclude:
            if name.casefold() not in known:
                close = difflib.get_close_matches(name.casefold(), list(known), n=1)
                hint = f' (did you mean "{known[close[0]]}"?)' if close else ""
                raise CalendarError(f'holidays.exclude: "{name}" is not a holiday of {self._country}{hint}')

    # -- holidays ---------------------------------------------------------------------------------------

    def _closed(self, year: int) -> frozenset[int]:
        closed = self._closed_years.get(year)
        if closed is None:
            found = set(self._dates_by_year.get(year, ()))
            if self._country is not None:
                base = _holiday_base(self._country, self.spec.subdivision, range(year - 1, year + 2))
                for day in base:
                    if day.year == year and any(
                        name.casefold() not in self._exclude and _base_name(name) not in self._exclude
                        for name in base.get_list(day)
                    ):
                        found.add(day.toordinal())
            closed = self._closed_years[year] = frozenset(found)
        return closed

    def is_holiday(self, day: date) -> bool:
        """A public holiday (not excluded) or a listed date; weekends and half days are not holidays."""
        return day.toordinal() in self._closed(day.year)

    # -- building -------------------------------------------------------------------------------------

    def _wall(self, u: int) -> datetime:
        return (_EPOCH + timedelta(0, 0, u)).astimezone(self._zone)

    def _offset(self, u: int) -> int:
        offset = self._wall(u).utcoffset()
        assert offset is not None
        return offset // _US

    def _midnight(self, day: date) -> int:
        """UTC microseconds of the local midnight starting ``day`` (fold=0; inside a gap: the jump)."""
        naive = datetime.combine(day, time())
        u = _to_us(naive.replace(tzinfo=self._zone))
        if self._wall(u).replace(tzinfo=None) == naive:
            return u
        lo, hi = sorted((u, _to_us(naive.replace(tzinfo=self._zone, fold=1))))
        while lo < hi:  # the first instant whose wall time is at or after midnight
            mid = (lo + hi) // 2
            if self._wall(mid).replace(tzinfo=None) >= naive:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def _build_year(self, year: int) -> list[_Day]:
        days: list[_Day] = []
        closed = self._closed(year)
        first, last = date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()
        starts = [self._midnight(date.fromordinal(o)) for o in range(first, last + 1)]
        for o in range(first, last):
            start, end = starts[o - first], starts[o - first + 1]
            if end <= start:  # a skipped date (Samoa, 2011-12-30): no time at all
                days.append(_Day(o, start, (), ()))
                continue
            off_a, off_b = self._offset(start), self._offset(end - 1)
            pieces: tuple[tuple[int, int, int], ...] = ((start, end, off_a),)
            if off_a != off_b:
                lo, hi = start + 1, end - 1
                while lo < hi:  # the instant the offset changes
                    mid = (lo + hi) // 2
                    lo, hi = (lo, mid) if self._offset(mid) == off_b else (mid + 1, hi)
                pieces = ((start, lo, off_a), (lo, end, off_b))
            windows: list[tuple[int, int]] = []
            if o not in closed:
                wall0 = (o - _EPOCH_ORD) * _DAY_US
                cut = self._half.get(o, _DAY_US)
                for open_tod, close_tod in self._week[(o + 6) % 7]:
                    close_tod = min(close_tod, cut)
                    if open_tod >= close_tod:
                        continue
                    a = _resolve_in(pieces, end, wall0 + open_tod)
                    b = _resolve_in(pieces, end, wall0 + close_tod)
                    if a >= b:
                        continue
                    if windows and windows[-1][1] >= a:
                        windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
                    else:
                        windows.append((a, b))
            days.append(_Day(o, start, pieces, tuple(windows)))
        return days

    def _rebuild(self, year_lo: int, year_hi: int) -> _Timeline:
        with self._lock:
            tl = self._tl
            if tl.year_lo <= year_lo and year_hi <= tl.year_hi and tl.year_hi > tl.year_lo:
                return tl
            if tl.year_hi > tl.year_lo:
                year_lo, year_hi = min(year_lo, tl.year_lo), max(year_hi, tl.year_hi)
            if not 1 < year_lo <= year_hi < 9999:
                raise CalendarError(f"calendar: the years {year_lo}..{year_hi - 1} are out of range")
            days: list[_Day] = []
            for year in range(year_lo, year_hi):
                if year not in self._years:
                    self._years[year] = self._build_year(year)
                days.extend(self._years[year])
            day_end = self._midnight(date(year_hi, 1, 1))
            self._tl = _Timeline(year_lo, year_hi, days, day_end)
            return self._tl

    def _cover(self, lo: int, hi: int) -> _Timeline:
        """A snapshot whose span holds the instants lo..hi (UTC microseconds)."""
        tl = self._tl
        if tl.lo <= lo and hi < tl.hi:
            return tl
        year_lo = self._wall(lo).year
        year_hi = self._wall(hi).year + 1
        if tl.year_hi > tl.year_lo:
            year_lo, year_hi = min(year_lo, tl.year_lo), max(year_hi, tl.year_hi)
        return self._rebuild(year_lo, year_hi)

    def _closed_too_long(self, since: int) -> CalendarError:
        return CalendarError(
            f"calendar: no working time for more than 3 years after {self._wall(since).date().isoformat()} "
            "(check hours, holidays and dates)"
        )

    def _grow(self, tl: _Timeline, since: int) -> _Timeline:
        """One more year ahead; CalendarError when nothing opens within 3 years after ``since``."""
        if tl.hi - since > _CLOSED_LIMIT_US and (not tl.closes or tl.closes[-1] <= since):
            raise self._closed_too_long(since)
        return self._rebuild(tl.year_lo, tl.year_hi + 1)

    def _check_path(self, tl: _Timeline, u: int, i: int, j: int) -> None:
        """A search from ``u`` (in or after interval ``i``) to interval ``j`` may not cross a closed stretch
        longer than 3 years (only called when the tables hold one)."""
        inside = i >= 0 and u < tl.closes[i]
        k = i if inside else i + 1
        if not inside and k <= j and tl.opens[k] - u > _CLOSED_LIMIT_US:
            raise self._closed_too_long(u)
        for g in tl.gaps:
            if k < g <= j:
                raise self._closed_too_long(tl.closes[g - 1])

    # -- answers ---------------------------------------------------------------------------------------

    def windows_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """That local day's open intervals (touching windows merged) as aware UTC datetimes."""
        o = day.toordinal()
        tl = self._tl
        if not (tl.year_lo <= day.year < tl.year_hi):
            tl = self._rebuild(day.year, day.year + 1)
        a, b = bisect_left(tl.iday, o), bisect_right(tl.iday, o)
        return [(_to_dt(tl.opens[k]), _to_dt(tl.closes[k])) for k in range(a, b)]

    def is_open(self, t: datetime) -> bool:
        """Inside a window: exactly at an opening is open, exactly at a close is closed."""
        u = _to_us(t)
        tl = self._tl
        if not tl.lo <= u < tl.hi:
            tl = self._cover(u, u)
        i = bisect_right(tl.opens, u) - 1
        return i >= 0 and u < tl.closes[i]

    def _next_open_us(self, u: int) -> tuple[_Timeline, int, int]:
        """(snapshot, interval index, instant): ``u`` if open, else the next opening."""
        tl = self._tl
        if not tl.lo <= u < tl.hi:
            tl = self._cover(u, u)
        while True:
            i = bisect_right(tl.opens, u) - 1
            if i >= 0 and u < tl.closes[i]:
                return tl, i, u
            if i + 1 < len(tl.opens):
                if tl.gaps:
                    self._check_path(tl, u, i, i + 1)
                return tl, i + 1, tl.opens[i + 1]
            tl = self._grow(tl, max(u, tl.closes[-1] if tl.closes else u))

    def next_open(self, t: datetime) -> datetime:
        """``t`` (in UTC) if open, else the next opening."""
        return _to_dt(self._next_open_us(_to_us(t))[2])

    def add_business(self, t: datetime, delta: timedelta) -> datetime:
        """``t`` plus ``delta`` of business time (delta >= 0). Started outside the windows, the count starts
        at the next opening; a result exactly on a close stays there (16:00 + 1h = 17:00 the same day). A
        zero delta gives ``next_open(t)``."""
        d = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        if d <= 0:
            if d < 0:
                raise ValueError(f"add_business: negative delta {delta}")
            return self.next_open(t)
        try:
            x = t - _EPOCH
        except TypeError:
            raise ValueError(f"{t!r} is naive: the calendar takes timezone-aware datetimes") from None
        u = (x.days * 86_400 + x.seconds) * 1_000_000 + x.microseconds
        tl = self._tl
        if not tl.lo <= u < tl.hi:
            tl = self._cover(u, u)
        while True:
            opens = tl.opens
            i = bisect_right(opens, u) - 1
            if i >= 0:
                close = tl.closes[i]
                target = tl.cum[i] + (u if u < close else close) - opens[i] + d
            else:
                target = d
            cum_end = tl.cum_end
            if cum_end and target <= cum_end[-1]:
                j = bisect_left(cum_end, target)
                if tl.gaps and j > i:
                    self._check_path(tl, u, i, j)
                r = opens[j] + target - tl.cum[j]
                if 0 <= r < FLOAT_EXACT_US:
                    return _fromtimestamp(r / 1e6, UTC)
                return _EPOCH + timedelta(0, 0, r)
            tl = self._grow(tl, max(u, tl.closes[-1] if tl.closes else u))

    def add_business_days(self, t: datetime, n: int) -> datetime:
        """``n`` business days (``bd``) after ``t``: the same local wall time on the Nth next business day,
        counted from ``next_open(t)``, clamped into that day's [first opening, last close]. n = 0 gives
        ``next_open(t)``."""
        if n < 0:
            raise ValueError(f"add_business_days: negative count {n}")
        tl, k, s = self._next_open_us(_to_us(t))
        if n == 0:
            return _to_dt(s)
        o = tl.iday[k]
        while True:
            bdays = tl.bdays
            r = bisect_left(bdays, o) + n
            if r < len(bdays):
                break
            tl = self._grow(tl, max(s, tl.closes[-1]))
        ord_lo = tl.ord_lo
        wall = s
        for start, end, off in tl.pieces[o - ord_lo]:
            if start <= s < end:
                wall = s + off
                break
        o2 = bdays[r]
        if tl.gaps:
            self._check_path(tl, s, bisect_right(tl.opens, s) - 1, bisect_left(tl.iday, o2))
        at = _resolve_in(tl.pieces[o2 - ord_lo], tl.day_start[o2 - ord_lo + 1], wall + (o2 - o) * _DAY_US)
        first, last = tl.bd_first[r], tl.bd_last[r]
        at = first if at < first else last if at > last else at
        if 0 <= at < FLOAT_EXACT_US:
            return _fromtimestamp(at / 1e6, UTC)
        return _EPOCH + timedelta(0, 0, at)

    def business_between(self, a: datetime, b: datetime) -> timedelta:
        """Business time elapsed in [a, b); zero when b <= a."""
        ua, ub = _to_us(a), _to_us(b)
        if ub <= ua:
            return timedelta(0)
        tl = self._tl
        if not (tl.lo <= ua and ub < tl.hi):
            tl = self._cover(ua, ub)
        opens, closes, cum = tl.opens, tl.closes, tl.cum
        i = bisect_right(opens, ub) - 1
        if i < 0:
            return timedelta(0)
        close = closes[i]
        elapsed = cum[i] + (ub if ub < close else close) - opens[i]
        i = bisect_right(opens, ua) - 1
        if i >= 0:
            close = closes[i]
            elapsed -= cum[i] + (ua if ua < close else close) - opens[i]
        return timedelta(0, 0, elapsed)

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in [start, end) (local dates); zero when end <= start."""
        if end <= start:
            return 0
        tl = self._tl
        if not (tl.year_lo <= start.year and end.year < tl.year_hi):
            tl = self._rebuild(start.year, end.year + 1)
        return bisect_left(tl.bdays, end.toordinal()) - bisect_left(tl.bdays, start.toordinal())
