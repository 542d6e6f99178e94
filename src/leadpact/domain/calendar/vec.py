"""The clocks of :class:`~leadpact.domain.calendar.business.BusinessCalendar` over numpy arrays (same
answers, by construction).

Inputs and outputs are ``datetime64[us]`` holding UTC (naive numpy datetimes meaning UTC); other units are
converted; ``NaT`` gives ``NaT``. The calendar's cached tables (every open interval of the covered local
years in UTC microseconds, with the cumulative business time at each opening) become sorted int64 arrays,
and ``searchsorted`` answers every input at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from leadpact.domain.calendar.business import BusinessCalendar
from leadpact.domain.calendar.timeline import CLOSED_LIMIT_US, DAY_US, US, Timeline

I64 = npt.NDArray[np.int64]
Instants = npt.NDArray[np.datetime64]
Deltas = npt.NDArray[np.timedelta64]
_NAT = np.iinfo(np.int64).min

__all__ = ["add_business_days_vec", "add_business_vec", "business_between_vec"]


@dataclass(frozen=True)
class _Sorted:
    """``np.searchsorted(values, q, side)`` for in-range queries in O(1): a table per 2**shift bucket gives
    the count at the bucket's start, then at most ``steps`` single steps (random queries into a binary
    search are ~40 ns each; this is a few)."""

    pad: I64  # the values, then int64 max
    base: int
    shift: int
    table: I64 | None  # None: plain searchsorted
    steps: int
    right: bool

    @staticmethod
    def build(values: I64, lo: int, hi: int, right: bool) -> _Sorted:
        side: Literal["left", "right"] = "right" if right else "left"
        pad = np.append(values, np.iinfo(np.int64).max).astype(np.int64)
        for shift in range(32, 19, -2):
            size = ((hi - lo) >> shift) + 1
            if size > 1 << 22:
                break
            starts = lo + (np.arange(size, dtype=np.int64) << shift)
            table = np.searchsorted(values, starts, side=side).astype(np.int64)
            ends = np.searchsorted(values, starts + (1 << shift), side=side)
            steps = int((ends - table).max()) if size else 0
            if steps <= 2:
                return _Sorted(pad, lo, shift, table, steps, right)
        return _Sorted(pad, lo, 0, None, 0, right)

    def find(self, q: I64) -> I64:
        if self.table is None:
            return np.searchsorted(self.pad[:-1], q, side="right" if self.right else "left").astype(np.int64)
        i: I64 = self.table[(q - self.base) >> self.shift]
        for _ in range(self.steps):
            i = i + (self.pad[i] <= q if self.right else self.pad[i] < q)
        return i


@dataclass(frozen=True)
class _Arrays:
    open_index: _Sorted  # searchsorted(opens, u, "right") over the covered span
    end_index: _Sorted  # searchsorted(cum_end, target, "left") over (0, total]
    bd_rank: I64  # by ordinal - ord_lo: searchsorted(bdays, ordinal, "left")
    opens: I64
    closes: I64
    lens: I64
    cum: I64
    cum_end: I64
    iday: I64  # local date ordinal of each interval
    bdays: I64
    bd_first: I64
    bd_last: I64
    day_start: I64  # by ordinal - ord_lo, one more than the days
    p_start: I64  # the day pieces of constant UTC offset, flat, in time order
    p_end: I64
    p_off: I64
    p_first: I64  # by ordinal - ord_lo: index of the day's first piece, and its last
    p_last: I64
    max_pieces: int


def _arrays(tl: Timeline) -> _Arrays:
    vec = tl.vec
    if isinstance(vec, _Arrays):
        return vec

    def a(values: list[int]) -> I64:
        return np.asarray(values, dtype=np.int64)

    flat = [piece for day in tl.pieces for piece in day]
    counts = a([len(day) for day in tl.pieces])
    first = np.concatenate([np.zeros(1, np.int64), np.cumsum(counts)[:-1]]).astype(np.int64)
    opens, closes = a(tl.opens), a(tl.closes)
    cum_end = a(tl.cum_end)
    bdays = a(tl.bdays)
    arrays = _Arrays(
        open_index=_Sorted.build(opens, tl.lo, tl.hi, right=True),
        end_index=_Sorted.build(cum_end, 0, int(cum_end[-1]) if cum_end.size else 0, right=False),
        bd_rank=np.searchsorted(bdays, np.arange(tl.ord_lo, tl.ord_lo + len(tl.pieces))).astype(np.int64),
        opens=opens,
        closes=closes,
        lens=closes - opens,
        cum=a(tl.cum),
        cum_end=cum_end,
        iday=a(tl.iday),
        bdays=bdays,
        bd_first=a(tl.bd_first),
        bd_last=a(tl.bd_last),
        day_start=a(tl.day_start),
        p_start=a([p[0] for p in flat]),
        p_end=a([p[1] for p in flat]),
        p_off=a([p[2] for p in flat]),
        p_first=first,
        p_last=first + counts - 1,
        max_pieces=int(counts.max()) if counts.size else 0,
    )
    tl.vec = arrays
    return arrays


def _as_us(values: npt.ArrayLike) -> tuple[I64, npt.NDArray[np.bool_]]:
    """int64 UTC microseconds (NaT replaced by a valid instant) and the NaT mask."""
    array = np.asarray(values)
    if array.dtype.kind != "M":
        raise TypeError(f"expected datetime64 values (UTC), got {array.dtype}")
    us = array.astype("datetime64[us]").view(np.int64)
    nat = us == _NAT
    if nat.any():
        fill = us[~nat][0] if not nat.all() else 0
        us = np.where(nat, fill, us)
    return us, nat


def _out(us: I64, nat: npt.NDArray[np.bool_]) -> Instants:
    return np.where(nat, _NAT, us).view("datetime64[us]") if nat.any() else us.view("datetime64[us]")


def _cum(a: _Arrays, u: I64) -> I64:
    """Business microseconds before each instant (the same origin as the scalar tables)."""
    i = np.maximum(a.open_index.find(u) - 1, 0)
    inside: I64 = np.minimum(np.maximum(u - a.opens[i], 0), a.lens[i])
    return a.cum[i] + inside


def _check_paths(cal: BusinessCalendar, tl: Timeline, a: _Arrays, u: I64, i: I64, j: I64) -> None:
    """:meth:`BusinessCalendar._check_path` for every input (only when the tables hold a long closure)."""
    inside = (i >= 0) & (u < a.closes[np.maximum(i, 0)])
    k = np.where(inside, i, i + 1)
    far = ~inside & (k <= j) & (a.opens[np.minimum(k, a.opens.size - 1)] - u > CLOSED_LIMIT_US)
    if far.any():
        raise cal.closed_too_long(int(u[far][0]))
    for g in tl.gaps:
        if ((k < g) & (g <= j)).any():
            raise cal.closed_too_long(tl.closes[g - 1])


def _next_open(cal: BusinessCalendar, u: I64) -> tuple[Timeline, _Arrays, I64, I64]:
    """(snapshot, arrays, interval index, instant): each instant if open, else the next opening."""
    tl = cal.cover(int(u.min()), int(u.max()))
    while True:
        a = _arrays(tl)
        i = a.open_index.find(u) - 1
        inside = (i >= 0) & (u < a.closes[np.maximum(i, 0)])
        k = np.where(inside, i, i + 1)
        if k.size == 0 or int(k.max()) < a.opens.size:
            if tl.gaps:
                _check_paths(cal, tl, a, u, i, k)
            return tl, a, k, np.where(inside, u, a.opens[np.minimum(k, a.opens.size - 1)])
        tl = cal.grow(tl, max(int(u.max()), tl.closes[-1] if tl.closes else int(u.max())))


def add_business_vec(cal: BusinessCalendar, starts: npt.ArrayLike, delta: timedelta) -> Instants:
    """:meth:`BusinessCalendar.add_business` over an array of UTC instants."""
    d = delta // US
    if d < 0:
        raise ValueError(f"add_business: negative delta {delta}")
    u, nat = _as_us(starts)
    if u.size == 0:
        return _out(u, nat)
    if d == 0:
        return _out(_next_open(cal, u)[3], nat)
    tl = cal.cover(int(u.min()), int(u.max()))
    while True:
        a = _arrays(tl)
        target = _cum(a, u) + d
        if a.cum_end.size and int(target.max()) <= int(a.cum_end[-1]):
            j = a.end_index.find(target)
            if tl.gaps:
                _check_paths(cal, tl, a, u, a.open_index.find(u) - 1, j)
            return _out(a.opens[j] + (target - a.cum[j]), nat)
        tl = cal.grow(tl, max(int(u.max()), tl.closes[-1] if tl.closes else int(u.max())))


def add_business_days_vec(cal: BusinessCalendar, starts: npt.ArrayLike, n: int) -> Instants:
    """:meth:`BusinessCalendar.add_business_days` over an array of UTC instants."""
    if n < 0:
        raise ValueError(f"add_business_days: negative count {n}")
    u, nat = _as_us(starts)
    if u.size == 0:
        return _out(u, nat)
    tl, a, k, s = _next_open(cal, u)
    if n == 0:
        return _out(s, nat)
    o = a.iday[k]
    while True:
        r = a.bd_rank[o - tl.ord_lo] + n
        if int(r.max()) < a.bdays.size:
            break
        tl = cal.grow(tl, max(int(s.max()), tl.closes[-1]))
        a = _arrays(tl)
    o2 = a.bdays[r]
    if tl.gaps:
        _check_paths(cal, tl, a, s, a.open_index.find(s) - 1, np.searchsorted(a.iday, o2).astype(np.int64))
    # the wall time of s: the piece of constant offset of its day that holds it
    p = a.p_first[o - tl.ord_lo]
    for _ in range(a.max_pieces - 1):
        p = p + (a.p_end[p] <= s)
    wall = s + a.p_off[p] + (o2 - o) * DAY_US  # the same wall time on the target day
    day = o2 - tl.ord_lo
    q = a.p_first[day]
    last = a.p_last[day]
    for _ in range(a.max_pieces - 1):  # the first piece of the day whose wall range reaches past `wall`
        q = q + ((a.p_end[q] + a.p_off[q] <= wall) & (q < last))
    found = a.p_end[q] + a.p_off[q] > wall
    at = np.where(found, np.maximum(wall - a.p_off[q], a.p_start[q]), a.day_start[day + 1])
    return _out(np.clip(at, a.bd_first[r], a.bd_last[r]), nat)


def business_between_vec(cal: BusinessCalendar, a: npt.ArrayLike, b: npt.ArrayLike) -> Deltas:
    """:meth:`BusinessCalendar.business_between` elementwise, as ``timedelta64[us]``."""
    ua, nat_a = _as_us(a)
    ub, nat_b = _as_us(b)
    ua, ub = np.broadcast_arrays(ua, ub)
    nat = np.broadcast_to(nat_a, ua.shape) | np.broadcast_to(nat_b, ub.shape)
    if ua.size == 0:
        return np.zeros(ua.shape, "timedelta64[us]")
    tl = cal.cover(int(min(ua.min(), ub.min())), int(max(ua.max(), ub.max())))
    arrays = _arrays(tl)
    elapsed = np.where(ub > ua, _cum(arrays, ub) - _cum(arrays, ua), 0).astype(np.int64)
    return np.where(nat, _NAT, elapsed).view("timedelta64[us]")
