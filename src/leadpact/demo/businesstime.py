"""Business time for the demo generator: a precomputed day table, instants as integer epoch seconds.

The generator only needs plausible business-time arithmetic (a rep answers "two business hours later");
it never decides a clock, so it keeps its own small table instead of the pact's calendar: one window per
business day, the country's public holidays closed. Every lookup is a bisect into the table.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

_DAY = 86400


class BusinessTime:
    """Days from `first` to `last` (inclusive) in `zone`, each with its local midnight and window."""

    def __init__(
        self, zone: str, first: date, last: date, *, opens: int = 9, closes: int = 17, country: str = "US"
    ) -> None:
        self.tz = ZoneInfo(zone)
        self.first = first
        closed = set(holidays.country_holidays(country, years=list(range(first.year, last.year + 1))))
        self.midnight: list[int] = []
        self.open: list[int] = []
        self.close: list[int] = []
        self.business: list[bool] = []
        day = first
        while day <= last:
            self.midnight.append(self._local(day, 0))
            self.open.append(self._local(day, opens))
            self.close.append(self._local(day, closes))
            self.business.append(day.weekday() < 5 and day not in closed)
            day += timedelta(days=1)
        count = len(self.business)
        # next_bd[i]: the first business day after day i (count when none is left in the table)
        self.next_bd = [count] * count
        following = count
        for i in range(count - 1, -1, -1):
            self.next_bd[i] = following
            if self.business[i]:
                following = i

    def _local(self, day: date, hour: int) -> int:
        return int(datetime(day.year, day.month, day.day, hour, tzinfo=self.tz).timestamp())

    @property
    def days(self) -> int:
        return len(self.business)

    def day_of(self, ts: int) -> int:
        """The table index of the local day holding `ts` (clamped to the table)."""
        index = bisect_right(self.midnight, ts) - 1
        return min(max(index, 0), len(self.midnight) - 1)

    def date_at(self, index: int) -> date:
        return self.first + timedelta(days=index)

    def in_hours(self, ts: int) -> bool:
        d = self.day_of(ts)
        return self.business[d] and self.open[d] <= ts < self.close[d]

    def _next_business(self, d: int) -> int:
        nxt = self.next_bd[d]
        return nxt if nxt < len(self.business) else len(self.business) - 1

    def next_open(self, ts: int) -> int:
        """`ts` itself inside a window, else the next opening."""
        d = self.day_of(ts)
        if self.business[d]:
            if ts < self.open[d]:
                return self.open[d]
            if ts < self.close[d]:
                return ts
        return self.open[self._next_business(d)]

    def add_business(self, ts: int, seconds: float) -> int:
        """`seconds` of business time after `ts` (started outside the windows: from the next opening)."""
        ts = self.next_open(ts)
        left = int(seconds)
        for _ in range(len(self.business)):
            d = self.day_of(ts)
            room = self.close[d] - ts
            if left <= room:
                return ts + left
            left -= room
            ts = self.open[self._next_business(d)]
        return ts

    def add_business_days(self, ts: int, days: int) -> int:
        """The same local time `days` business days later, clamped to that day's close."""
        ts = self.next_open(ts)
        d = self.day_of(ts)
        offset = ts - self.midnight[d]
        for _ in range(days):
            d = self._next_business(d)
        return min(self.midnight[d] + offset, self.close[d])

    def iso(self, ts: int) -> str:
        """Local ISO 8601 with the offset, e.g. 2026-03-02T14:05:09-05:00."""
        return datetime.fromtimestamp(ts, self.tz).isoformat()
