"""Clock benchmarks: deadlines per second on the business calendar, scalar and vectorised.

    python bench/clocks.py [--n 1000000] [--sample 20000] [--pandas 20000] [--seed 1]

N start instants (microsecond precision) spread over 2026 in America/New_York (both DST changes, the US
holidays, the observed July 4th), Monday-Friday 09:00-17:00. For ``add_business`` 5m and 4h and
``add_business_days`` 1bd it prints the scalar and vectorised rates, the disagreements between them (all
N) and with an independent day-walking reference built on zoneinfo and the holidays package (a sample),
then the speed-up over pandas ``CustomBusinessHour`` on whole-hour offsets. Figures only; nothing here
is asserted by the tests.
"""

from __future__ import annotations

import argparse
import time as clock
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.table import Table

from leadpact.domain.calendar.business import BusinessCalendar
from leadpact.domain.calendar.spec import CalendarSpec, parse_hours
from leadpact.domain.calendar.vec import add_business_days_vec, add_business_vec

TZ = "America/New_York"
ZONE = ZoneInfo(TZ)
OPEN, CLOSE = time(9), time(17)
YEAR = 2026
console = Console()


def make_calendar() -> BusinessCalendar:
    return BusinessCalendar(CalendarSpec(TZ, parse_hours({"mon-fri": "09:00-17:00"}), country="US"))


def spread_starts(n: int, seed: int) -> npt.NDArray[np.datetime64]:
    """N instants over the year, microsecond precision; a tenth on exact openings and closes."""
    rng = np.random.default_rng(seed)
    lo = np.datetime64(f"{YEAR}-01-01T05:00", "us").astype(np.int64)
    hi = np.datetime64(f"{YEAR + 1}-01-01T05:00", "us").astype(np.int64)
    us = rng.integers(lo, hi, n)
    edges = rng.integers(0, n, n // 10)
    days = [date(YEAR, 1, 1) + timedelta(days=int(k)) for k in rng.integers(0, 365, edges.size)]
    walls = [OPEN if k % 2 else CLOSE for k in range(edges.size)]
    us[edges] = [
        np.datetime64(datetime.combine(d, w, ZONE).astimezone(UTC).replace(tzinfo=None), "us").astype(
            np.int64
        )
        for d, w in zip(days, walls, strict=True)
    ]
    return us.astype("datetime64[us]")


class DayWalk:
    """An independent reference: walks local days, windows from zoneinfo, closed days from holidays."""

    def __init__(self) -> None:
        self.closed = {
            d for y in (YEAR - 1, YEAR, YEAR + 1, YEAR + 2) for d in holidays.country_holidays("US", years=y)
        }

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        if day.weekday() >= 5 or day in self.closed:
            return None
        return datetime.combine(day, OPEN, ZONE).astimezone(UTC), datetime.combine(
            day, CLOSE, ZONE
        ).astimezone(UTC)

    def add(self, t: datetime, delta: timedelta) -> datetime:
        day, left = t.astimezone(ZONE).date(), delta
        for _ in range(400):
            w = self.window(day)
            if w is not None and max(w[0], t) < w[1]:
                s = max(w[0], t)
                if s + left <= w[1]:
                    return s + left
                left -= w[1] - s
                t = w[1]
            day += timedelta(days=1)
        raise RuntimeError("no answer within 400 days")

    def add_days(self, t: datetime, n: int) -> datetime:
        s = self.add(t, timedelta(0))
        wall = s.astimezone(ZONE)
        day = wall.date()
        while n:
            day += timedelta(days=1)
            n -= self.window(day) is not None
        w = self.window(day)
        assert w is not None
        at = datetime.combine(day, wall.time(), ZONE).astimezone(UTC)
        return min(max(at, w[0]), w[1])


def rate(n: int, seconds: float) -> str:
    per = n / seconds
    return f"{per / 1e6:,.2f}M/s" if per >= 1e6 else f"{per / 1e3:,.0f}k/s"


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = clock.perf_counter()
    out = fn()
    return out, clock.perf_counter() - start


def to_py(values: npt.NDArray[np.datetime64]) -> list[datetime]:
    return [v.replace(tzinfo=UTC) for v in values.astype(datetime)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--pandas", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    cal = make_calendar()
    starts = spread_starts(args.n, args.seed)
    py_starts = to_py(starts)
    add_business_vec(cal, starts[:1], timedelta(minutes=5))  # build the 2026 tables outside the timings
    add_business_vec(cal, starts, timedelta(hours=4))
    ref = DayWalk()
    sample = np.random.default_rng(args.seed + 1).choice(args.n, min(args.sample, args.n), replace=False)

    table = Table(title=f"business calendar clocks: {args.n:,} starts over {YEAR} ({TZ}, mon-fri 09-17, US)")
    for column in ("clock", "scalar", "vectorised", "scalar ≠ vectorised", f"≠ reference ({sample.size:,})"):
        table.add_column(column, justify="right")
    for label, amount in (("5m", timedelta(minutes=5)), ("4h", timedelta(hours=4)), ("1bd", 1)):
        scalar_fn: Callable[[datetime], datetime]
        reference_fn: Callable[[datetime], datetime]
        vector_fn: Callable[[], object]
        if isinstance(amount, timedelta):
            scalar_fn = partial(cal.add_business, delta=amount)
            vector_fn = partial(add_business_vec, cal, starts, amount)
            reference_fn = partial(ref.add, delta=amount)
        else:
            scalar_fn = partial(cal.add_business_days, n=amount)
            vector_fn = partial(add_business_days_vec, cal, starts, amount)
            reference_fn = partial(ref.add_days, n=amount)
        scalar_out, scalar_s = timed(lambda: [scalar_fn(t) for t in py_starts])  # noqa: B023
        vec_out, vec_s = min((timed(vector_fn) for _ in range(3)), key=lambda pair: pair[1])
        assert isinstance(scalar_out, list) and isinstance(vec_out, np.ndarray)
        disagree = sum(a != b for a, b in zip(scalar_out, to_py(vec_out), strict=True))
        wrong = sum(reference_fn(py_starts[k]) != scalar_out[k] for k in sample)
        table.add_row(label, rate(args.n, scalar_s), rate(args.n, vec_s), str(disagree), str(wrong))
    console.print(table)
    pandas_comparison(cal, starts, args.pandas, args.seed)


def pandas_comparison(
    cal: BusinessCalendar, starts: npt.NDArray[np.datetime64], size: int, seed: int
) -> None:
    import pandas as pd
    from pandas.tseries.offsets import CustomBusinessDay, CustomBusinessHour

    closed = [
        d for d in (date(YEAR - 1, 1, 1) + timedelta(days=k) for k in range(3 * 366)) if cal.is_holiday(d)
    ]
    sub = starts[np.random.default_rng(seed + 2).choice(starts.size, min(size, starts.size), replace=False)]
    # pandas works in local wall time: naive New York times in, naive New York times out
    local = pd.DatetimeIndex(sub).tz_localize("UTC").tz_convert(TZ).tz_localize(None)
    previous_day = CustomBusinessDay(1, holidays=closed)
    py_sub = to_py(sub)
    table = Table(title=f"vs pandas CustomBusinessHour ({sub.size:,} starts, whole-hour offsets)")
    columns = ("offset", "pandas", "ours scalar", "ours vec", "speed-up scalar", "speed-up vec", "≠ pandas")
    for column in columns:
        table.add_column(column, justify="right")
    for hours in (1, 4, 8):
        delta = timedelta(hours=hours)
        offset = CustomBusinessHour(n=hours, start="09:00", end="17:00", holidays=closed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Non-vectorized DateOffset": that is the point
            theirs, pandas_s = timed(partial(local.__add__, offset))
        assert isinstance(theirs, pd.DatetimeIndex)
        # pandas rolls a result exactly on the close to the next opening: map 09:00 back to the previous close
        rolled = (theirs.hour == 9) & (theirs.minute == 0) & (theirs.second == 0) & (theirs.microsecond == 0)
        values = theirs.values.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values[rolled] = ((theirs[rolled].normalize() - previous_day) + pd.Timedelta(hours=17)).values
        theirs_utc = pd.DatetimeIndex(values).tz_localize(TZ).tz_convert("UTC").tz_localize(None)
        runs = [timed(partial(add_business_vec, cal, sub, delta)) for _ in range(5)]
        ours, vec_s = min(runs, key=lambda run: run[1])
        scalar = partial(cal.add_business, delta=delta)
        _, scalar_s = timed(partial(list, map(scalar, py_sub)))
        assert isinstance(ours, np.ndarray)
        disagree = int((theirs_utc.values.astype("datetime64[us]") != ours).sum())
        table.add_row(f"{hours}h", rate(sub.size, pandas_s), rate(sub.size, scalar_s), rate(sub.size, vec_s),
                      f"{pandas_s / scalar_s:,.0f}×", f"{pandas_s / vec_s:,.0f}×", str(disagree))  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    main()
