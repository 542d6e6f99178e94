"""The escalation protocol's rules (DESIGN.md §10), pure: which periods a rule opens, and when each is due.

Every rule looks at a sequence of closed periods in order (ISO weeks, months, or business days of the
default calendar), each missed or not. A period opens an escalation when it and the periods before it make
a run of `n` misses and none of those earlier ones opened one already: a run of exactly `n` opens once (at
its last period), a run of `2n` twice. Deciding from the periods and the escalations already opened makes
the answer the same whichever worker evaluates, and whenever.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from leadpact.domain.durations import Duration

#: the team each rule holds to account (sustained: either team)
RULE_TEAM: dict[str, str] = {"marketing_volume": "marketing", "sales_response": "sales"}

OPEN, OVERDUE, RESOLVED = "open", "overdue", "resolved"


@dataclass(frozen=True)
class Missed:
    """One closed period of a rule and whether the commitment was missed in it."""

    period: str
    missed: bool


def volume_missed(mql_count: int, target: float, below: float) -> bool:
    """A period's MQLs below `below` × its target (exactly at the threshold is no miss; nor is no target)."""
    return target > 0 and mql_count < below * target


def rate_missed(rate: float | None, below: float) -> bool:
    """A rate below its threshold; a rate with nothing to measure (None) is no miss."""
    return rate is not None and rate < below


def to_open(periods: Sequence[Missed], n: int, opened: Collection[str]) -> list[str]:
    """The periods that open an escalation: each closes a run of `n` misses none of whose earlier periods
    opened one. `periods` are consecutive, oldest first; `opened` the periods already opened (any order)."""
    if n < 1:
        raise ValueError("a run needs at least one period")
    done = set(opened)
    out: list[str] = []
    for i in range(n - 1, len(periods)):
        run = periods[i - n + 1 : i + 1]
        if all(p.missed for p in run) and not any(p.period in done for p in run[:-1]):
            if run[-1].period not in done:
                out.append(run[-1].period)
            done.add(run[-1].period)
    return out


def business_days_back(is_business_day: Callable[[date], bool], last: date, count: int) -> list[date]:
    """The `count` business days ending at `last` (included when it is one), oldest first."""
    out: list[date] = []
    day = last
    guard = 0
    while len(out) < count:
        if is_business_day(day):
            out.append(day)
        day -= timedelta(days=1)
        guard += 1
        if guard > 3660:  # a calendar with no working time is refused by the pact; never loop forever
            break
    return out[::-1]


def due_after(
    opened_at: datetime,
    within: Duration,
    add_business_days: Callable[[datetime, int], datetime],
) -> datetime:
    """When an escalation opened at `opened_at` is due: `m`/`h` in wall time, `bd` in business days."""
    if within.is_business_days:
        return add_business_days(opened_at, int(within.value))
    return opened_at + within.as_timedelta()


def next_weekly(after: datetime, weekday: int, hour: int, minute: int, tz: str) -> datetime:
    """The first weekly slot (weekday 0 = Monday, local `hour:minute` in `tz`) strictly after `after`."""
    zone = ZoneInfo(tz)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    for _ in range(3):
        slot = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        if slot > after:
            return slot.astimezone(after.tzinfo)
        day += timedelta(days=7)
    raise AssertionError("unreachable: a week later is always after")


def week_of(period: str) -> str:
    """The ISO week (`2026-W10`) a rule's period ends in: a week is itself, a day (`2026-03-05`) and a month
    (`2026-03`) the week of their last day."""
    if "-W" in period:
        return period
    if len(period) == 10:
        day = date.fromisoformat(period)
    else:
        year, month = int(period[:4]), int(period[5:7])
        first_next = date(year + (month == 12), month % 12 + 1, 1)
        day = first_next - timedelta(days=1)
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def state(resolved_at: datetime | None, due_at: datetime | None, now: datetime) -> str:
    """`resolved` once resolved; `overdue` when past due and still open; else `open`."""
    if resolved_at is not None and resolved_at <= now:
        return RESOLVED
    if due_at is not None and due_at < now:
        return OVERDUE
    return OPEN
