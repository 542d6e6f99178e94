"""The tables a business calendar answers from: every open interval of whole local years in UTC
microseconds, with the business time before each, the business days, and each local day's pieces of
constant UTC offset. A :class:`Timeline` is an immutable snapshot (readers never lock); the vectorised
twin (:mod:`leadpact.domain.calendar.vec`) keeps its numpy form in ``Timeline.vec``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from leadpact.domain.calendar.spec import END_OF_DAY

US = timedelta(microseconds=1)
DAY_US = 86_400_000_000
EPOCH_ORD = date(1970, 1, 1).toordinal()
CLOSED_LIMIT_US = 3 * 366 * DAY_US  # longest closed stretch searched before giving up


def tod_us(t: time) -> int:
    """Microseconds since local midnight of a wall time (END_OF_DAY: the whole day)."""
    if t == END_OF_DAY:
        return DAY_US
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def resolve_in(pieces: tuple[tuple[int, int, int], ...], day_end: int, wall: int) -> int:
    """The instant of wall time ``wall`` (microseconds, wall-clock epoch) on a day cut into pieces of constant
    UTC offset: the first piece whose wall range reaches past it (fold=0); inside a gap, the jump."""
    for start, end, off in pieces:
        if end + off > wall:
            at = wall - off
            return at if at > start else start
    return day_end


# -- the tables ---------------------------------------------------------------------------------------------


class Timeline:
    """An immutable snapshot of every open interval over whole local years [year_lo, year_hi)."""

    __slots__ = (
        "year_lo", "year_hi", "ord_lo", "lo", "hi", "opens", "closes", "cum", "cum_end", "iday",
        "bdays", "bd_first", "bd_last", "day_start", "pieces", "gaps", "vec",
    )  # fmt: skip

    def __init__(self, year_lo: int, year_hi: int, days: list[Day], day_end: int) -> None:
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
        self.vec: object | None = None  # numpy tables, built by calendar.vec on first use
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
        self.gaps = [j for j, o in enumerate(self.opens) if o - edges[j] > CLOSED_LIMIT_US]


@dataclass(frozen=True)
class Day:
    ordinal: int
    start: int  # UTC microseconds of the local midnight
    pieces: tuple[tuple[int, int, int], ...]  # (start, end, utc offset) covering the day, UTC microseconds
    windows: tuple[tuple[int, int], ...]  # open intervals, UTC microseconds, sorted, merged, non-empty


# -- the calendar -------------------------------------------------------------------------------------
