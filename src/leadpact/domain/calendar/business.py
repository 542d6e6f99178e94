"""The business calendar: working windows in a time zone with its closed days, and the answers the clocks
and metrics rely on (DESIGN.md §6): is open, next opening, business time added or elapsed, business days.

* Business time started outside the windows starts at the next opening; a deadline that lands exactly
  on a close stays there. ``bd``: the same local wall time on the Nth next business day, counted from
  the next opening when started outside the windows, clamped into that day's ``[first opening, last
  close]`` (before the first opening -> the opening; after the last close -> the close; inside a break
  it stays where it is).
* Every search is bounded: a search (next opening, deadline) that would cross more than 3 x 366 days
  without an opening raises :class:`CalendarError`, whatever was cached before.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadpact.domain.calendar.closed_days import ClosedDays
from leadpact.domain.calendar.spec import WEEKDAYS, CalendarError, CalendarSpec, check_windows
from leadpact.domain.calendar.timeline import (
    CLOSED_LIMIT_US,
    DAY_US,
    EPOCH_ORD,
    US,
    Day,
    Timeline,
    resolve_in,
    tod_us,
)
from leadpact.domain.timeutil import EPOCH, FLOAT_EXACT_US, from_us, to_us

_fromtimestamp = datetime.fromtimestamp


def _to_us(t: datetime) -> int:
    if t.tzinfo is None:
        raise ValueError(f"{t!r} is naive: the calendar takes timezone-aware datetimes")
    return to_us(t)


_to_dt = from_us


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
            checked, problems = check_windows(windows)
            if problems:
                raise CalendarError(f"hours: {WEEKDAYS[day]}: {problems[0]}")
            self._week.append(tuple((tod_us(a), tod_us(b)) for a, b in checked))
        if extra := sorted(set(spec.hours) - set(range(7))):
            raise CalendarError(f"hours: unknown weekday {extra[0]} (expected 0 = Monday .. 6 = Sunday)")
        if not any(self._week):
            raise CalendarError("hours: the calendar has no working time (no weekday has a window)")
        self._closed_days = ClosedDays(spec)
        self._half: dict[int, int] = {}
        for half in spec.half_days:
            if half.date.toordinal() in self._half:
                raise CalendarError(f"holidays.half_days: {half.date.isoformat()} is given twice")
            self._half[half.date.toordinal()] = tod_us(half.close)
        self._years: dict[int, list[Day]] = {}
        self._lock = threading.Lock()
        self._tl = Timeline(0, 0, [], 0)

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.spec.timezone!r}, country={self.spec.country!r})"

    def is_holiday(self, day: date) -> bool:
        """A public holiday (not excluded) or a listed date; weekends and half days are not holidays."""
        return self._closed_days.is_holiday(day)

    # -- building -------------------------------------------------------------------------------------

    def _wall(self, u: int) -> datetime:
        return (EPOCH + timedelta(0, 0, u)).astimezone(self._zone)

    def _offset(self, u: int) -> int:
        offset = self._wall(u).utcoffset()
        assert offset is not None
        return offset // US

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

    def _build_year(self, year: int) -> list[Day]:
        days: list[Day] = []
        closed = self._closed_days.of_year(year)
        first, last = date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()
        starts = [self._midnight(date.fromordinal(o)) for o in range(first, last + 1)]
        for o in range(first, last):
            start, end = starts[o - first], starts[o - first + 1]
            if end <= start:  # a skipped date (Samoa, 2011-12-30): no time at all
                days.append(Day(o, start, (), ()))
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
                wall0 = (o - EPOCH_ORD) * DAY_US
                cut = self._half.get(o, DAY_US)
                for open_tod, close_tod in self._week[(o + 6) % 7]:
                    close_tod = min(close_tod, cut)
                    if open_tod >= close_tod:
                        continue
                    a = resolve_in(pieces, end, wall0 + open_tod)
                    b = resolve_in(pieces, end, wall0 + close_tod)
                    if a >= b:
                        continue
                    if windows and windows[-1][1] >= a:
                        windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
                    else:
                        windows.append((a, b))
            days.append(Day(o, start, pieces, tuple(windows)))
        return days

    def _rebuild(self, year_lo: int, year_hi: int) -> Timeline:
        with self._lock:
            tl = self._tl
            if tl.year_lo <= year_lo and year_hi <= tl.year_hi and tl.year_hi > tl.year_lo:
                return tl
            if tl.year_hi > tl.year_lo:
                year_lo, year_hi = min(year_lo, tl.year_lo), max(year_hi, tl.year_hi)
            if not 1 < year_lo <= year_hi < 9999:
                raise CalendarError(f"calendar: the years {year_lo}..{year_hi - 1} are out of range")
            days: list[Day] = []
            for year in range(year_lo, year_hi):
                if year not in self._years:
                    self._years[year] = self._build_year(year)
                days.extend(self._years[year])
            day_end = self._midnight(date(year_hi, 1, 1))
            self._tl = Timeline(year_lo, year_hi, days, day_end)
            return self._tl

    def cover(self, lo: int, hi: int) -> Timeline:
        """A snapshot whose span holds the instants lo..hi (UTC microseconds)."""
        tl = self._tl
        if tl.lo <= lo and hi < tl.hi:
            return tl
        year_lo = self._wall(lo).year
        year_hi = self._wall(hi).year + 1
        if tl.year_hi > tl.year_lo:
            year_lo, year_hi = min(year_lo, tl.year_lo), max(year_hi, tl.year_hi)
        return self._rebuild(year_lo, year_hi)

    def closed_too_long(self, since: int) -> CalendarError:
        """The error of a search that found no working time for more than 3 years after ``since``."""
        return CalendarError(
            f"calendar: no working time for more than 3 years after {self._wall(since).date().isoformat()} "
            "(check hours, holidays and dates)"
        )

    def grow(self, tl: Timeline, since: int) -> Timeline:
        """One more year ahead; CalendarError when nothing opens within 3 years after ``since``."""
        if tl.hi - since > CLOSED_LIMIT_US and (not tl.closes or tl.closes[-1] <= since):
            raise self.closed_too_long(since)
        return self._rebuild(tl.year_lo, tl.year_hi + 1)

    def _check_path(self, tl: Timeline, u: int, i: int, j: int) -> None:
        """A search from ``u`` (in or after interval ``i``) to interval ``j`` may not cross a closed stretch
        longer than 3 years (only called when the tables hold one)."""
        inside = i >= 0 and u < tl.closes[i]
        k = i if inside else i + 1
        if not inside and k <= j and tl.opens[k] - u > CLOSED_LIMIT_US:
            raise self.closed_too_long(u)
        for g in tl.gaps:
            if k < g <= j:
                raise self.closed_too_long(tl.closes[g - 1])

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
            tl = self.cover(u, u)
        i = bisect_right(tl.opens, u) - 1
        return i >= 0 and u < tl.closes[i]

    def _next_open_us(self, u: int) -> tuple[Timeline, int, int]:
        """(snapshot, interval index, instant): ``u`` if open, else the next opening."""
        tl = self._tl
        if not tl.lo <= u < tl.hi:
            tl = self.cover(u, u)
        while True:
            i = bisect_right(tl.opens, u) - 1
            if i >= 0 and u < tl.closes[i]:
                return tl, i, u
            if i + 1 < len(tl.opens):
                if tl.gaps:
                    self._check_path(tl, u, i, i + 1)
                return tl, i + 1, tl.opens[i + 1]
            tl = self.grow(tl, max(u, tl.closes[-1] if tl.closes else u))

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
            x = t - EPOCH
        except TypeError:
            raise ValueError(f"{t!r} is naive: the calendar takes timezone-aware datetimes") from None
        u = (x.days * 86_400 + x.seconds) * 1_000_000 + x.microseconds
        tl = self._tl
        if not tl.lo <= u < tl.hi:
            tl = self.cover(u, u)
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
                return EPOCH + timedelta(0, 0, r)
            tl = self.grow(tl, max(u, tl.closes[-1] if tl.closes else u))

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
            tl = self.grow(tl, max(s, tl.closes[-1]))
        ord_lo = tl.ord_lo
        wall = s
        for start, end, off in tl.pieces[o - ord_lo]:
            if start <= s < end:
                wall = s + off
                break
        o2 = bdays[r]
        if tl.gaps:
            self._check_path(tl, s, bisect_right(tl.opens, s) - 1, bisect_left(tl.iday, o2))
        at = resolve_in(tl.pieces[o2 - ord_lo], tl.day_start[o2 - ord_lo + 1], wall + (o2 - o) * DAY_US)
        first, last = tl.bd_first[r], tl.bd_last[r]
        at = first if at < first else last if at > last else at
        if 0 <= at < FLOAT_EXACT_US:
            return _fromtimestamp(at / 1e6, UTC)
        return EPOCH + timedelta(0, 0, at)

    def business_between(self, a: datetime, b: datetime) -> timedelta:
        """Business time elapsed in [a, b); zero when b <= a."""
        ua, ub = _to_us(a), _to_us(b)
        if ub <= ua:
            return timedelta(0)
        tl = self._tl
        if not (tl.lo <= ua and ub < tl.hi):
            tl = self.cover(ua, ub)
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
