"""The clocks a handoff has, their due times and warnings, and their status at an instant (DESIGN.md §6).

- first_contact: from the handoff, by tier; met by the first (non-automated) touch at or before due;
  cancelled only by a rejection, disqualification or recycle before any touch and before due.
- disposition: from the first touch (or the handoff, per the pact); met by the first disposition.
- touches: from the handoff, due after `within_days`; met when the minimum touches and channels are
  reached; cancelled when the handoff is accepted, reaches SQL or is rejected first. Its breach only warns
  the rep: the minimum is owed before a disqualification or recycle (`domain.touches`), and only such a
  close short of it is a violation (`min_touches`).

A clock past due and not met is breached as of that instant, whether or not a worker has recorded it; a
touch stamped before the due time meets the clock even if it arrives after the breach was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from leadpact.domain import touches
from leadpact.domain.durations import Duration
from leadpact.domain.projection import Handoff
from leadpact.domain.rules import SegmentRules

KINDS = ("first_contact", "disposition", "touches")
OPEN, MET, BREACHED, CANCELLED = "open", "met", "breached", "cancelled"


class CalendarLike(Protocol):
    def is_open(self, t: datetime) -> bool: ...
    def add_business(self, t: datetime, delta: timedelta) -> datetime: ...
    def add_business_days(self, t: datetime, n: int) -> datetime: ...
    def business_between(self, a: datetime, b: datetime) -> timedelta: ...


#: the flag of a history cycle imported without touch data (`"touches_tracked": false`, DESIGN.md §12)
UNTRACKED = "touches_untracked"


@dataclass(frozen=True, slots=True)
class Clock:
    handoff: int
    kind: str
    started_at: datetime
    due_at: datetime
    business: bool  # counted in business time (warnings are fractions of business time)
    rule: str  # how the due time was set, for people: "high, inside hours: 5m"
    met_at: datetime | None = None
    cancelled_at: datetime | None = None
    warnings: tuple[tuple[float, datetime], ...] = ()  # (fraction of the window, instant)

    def status(self, now: datetime) -> str:
        """The status at `now`: only what happened at or before `now` counts."""
        if self.cancelled_at is not None and self.cancelled_at <= now:
            return CANCELLED
        if self.met_at is not None and self.met_at <= now:
            return MET if self.met_at <= self.due_at else BREACHED
        return BREACHED if now > self.due_at else OPEN


def deadline(cal: CalendarLike, start: datetime, duration: Duration, clock: str = "wall") -> datetime:
    """`start + duration`: `bd` in business days, `m`/`h` on the wall clock or in business time."""
    if duration.unit == "bd":
        return cal.add_business_days(start, int(duration.value))
    if clock == "business":
        return cal.add_business(start, duration.as_timedelta())
    return start + duration.as_timedelta()


def _response_due(cal: CalendarLike, response: Any, tier: str, start: datetime) -> tuple[datetime, bool, str]:
    rule = response.tier(tier)
    if hasattr(rule, "business_hours"):
        inside = cal.is_open(start)
        duration: Duration = rule.business_hours if inside else rule.after_hours
        where = "inside hours" if inside else "outside hours"
        return deadline(cal, start, duration), duration.unit == "bd", f"{tier}, {where}: {duration}"
    duration = rule.within
    business = rule.clock == "business" or duration.unit == "bd"
    label = f"{tier}: {duration}" + (
        " business" if rule.clock == "business" and duration.unit != "bd" else ""
    )
    return deadline(cal, start, duration, rule.clock), business, label


def warning_times(
    cal: CalendarLike,
    start: datetime,
    due: datetime,
    business: bool,
    fractions: list[float] | tuple[float, ...],
) -> tuple[tuple[float, datetime], ...]:
    """Warnings at fractions of the window: of business time for a business clock, else of wall time."""
    if due <= start:
        return ()
    if business:
        span = cal.business_between(start, due)
        return tuple((f, cal.add_business(start, span * f)) for f in fractions)
    return tuple((f, start + (due - start) * f) for f in fractions)


def clocks_for(handoff: Handoff, seg: SegmentRules, cal: CalendarLike) -> list[Clock]:
    """The clocks of one MQL handoff (a sales-sourced cycle accepted from raw has none, nor has a history
    cycle whose data has no touches: nothing could meet them, DESIGN.md §12)."""
    if handoff.kind != "mql" or handoff.mql_at is None or handoff.tier is None:
        return []
    if UNTRACKED in handoff.flags:
        return []
    start = handoff.mql_at
    warn_at = list(seg.response.warn_at)
    out: list[Clock] = []

    due, business, label = _response_due(cal, seg.response, handoff.tier, start)
    ends = [t for t in (handoff.rejected_at, handoff.disqualified_at, handoff.recycled_at) if t is not None]
    cancel = min(ends) if ends else None
    first = handoff.first_touch_at
    cancelled = cancel if cancel is not None and cancel <= due and (first is None or cancel < first) else None
    out.append(
        Clock(
            handoff.n,
            "first_contact",
            start,
            due,
            business,
            label,
            met_at=None if cancelled is not None else first,
            cancelled_at=cancelled,
            warnings=warning_times(cal, start, due, business, warn_at),
        )
    )

    rule = seg.disposition
    after_touch = rule.after == "first_contact"
    d_start = first if after_touch else start
    if d_start is not None:
        d_due = deadline(cal, d_start, rule.within, "wall")
        d_business = rule.within.unit == "bd"
        met = handoff.disposition_at
        out.append(
            Clock(
                handoff.n,
                "disposition",
                d_start,
                d_due,
                d_business,
                f"{rule.within} after {'first contact' if after_touch else 'handoff'}",
                met_at=met,
                warnings=warning_times(cal, d_start, d_due, d_business, warn_at),
            )
        )

    t_rule = seg.touches
    t_due = start + timedelta(days=t_rule.within_days)
    met_touch = touches.met_at(handoff.cycle_touches, handoff.start_at, t_rule)
    stops = [t for t in (handoff.sal_at, handoff.sql_at, handoff.rejected_at) if t is not None]
    stop = min(stops) if stops else None
    t_cancel = (
        stop if stop is not None and stop <= t_due and (met_touch is None or stop < met_touch) else None
    )
    out.append(
        Clock(
            handoff.n,
            "touches",
            start,
            t_due,
            False,
            f"{t_rule.min} touches on {t_rule.channels_min} channels in {t_rule.within_days:g} days",
            met_at=None if t_cancel is not None else met_touch,
            cancelled_at=t_cancel,
            warnings=warning_times(cal, start, t_due, False, warn_at),
        )
    )
    return out


BREACH = "breach"
_TICK = timedelta(microseconds=1)


def warn_level(fraction: float) -> str:
    return f"warn:{fraction:g}"


def alert_levels(clock: Clock) -> list[tuple[str, datetime]]:
    """Every alert a clock can raise, with the instant from which it is due: warnings at their instant, the
    breach just after the due time (a touch exactly at due still meets the clock)."""
    levels = [(warn_level(f), t) for f, t in clock.warnings]
    levels.append((BREACH, clock.due_at + _TICK))
    return levels


def _applies(clock: Clock, level: str, at: datetime) -> bool:
    """Whether the alert is a fact: the clock was neither met nor cancelled before it."""
    if clock.cancelled_at is not None and clock.cancelled_at < at:
        return False
    if level == BREACH:
        return clock.met_at is None or clock.met_at > clock.due_at
    return clock.met_at is None or clock.met_at > at


def next_alert_at(clock: Clock, recorded: set[str] | frozenset[str]) -> datetime | None:
    """When a worker next has something to record for this clock; None when nothing remains."""
    pending = [
        at for level, at in alert_levels(clock) if level not in recorded and _applies(clock, level, at)
    ]
    return min(pending) if pending else None


def due_alerts(
    clock: Clock, recorded: set[str] | frozenset[str], now: datetime
) -> list[tuple[str, datetime, bool]]:
    """The alerts to record at `now`: (level, instant, send). A warning caught up after the breach is due is
    recorded unsent, so the breach goes out alone and nothing is ever recorded twice."""
    out: list[tuple[str, datetime, bool]] = []
    breach_due = clock.due_at + _TICK <= now
    for level, at in alert_levels(clock):
        if level in recorded or at > now or not _applies(clock, level, at):
            continue
        out.append((level, at, level == BREACH or not breach_due))
    return out


def first_contact_window(cal: CalendarLike, response: Any, tier: str, start: datetime) -> timedelta:
    """How long a handoff of this tier made at `start` has for its first contact (wall time to its due)."""
    due, _business, _label = _response_due(cal, response, tier, start)
    return due - start
