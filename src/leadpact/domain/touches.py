"""Counted touches (DESIGN.md §3 `touches`, §6): the sales minimum before a lead is disqualified or recycled.

A touch counts when a person made it (not automated) and it reached someone (any outcome but bounced); the
count runs from the handoff to the disposition and within the segment's `within_days` of the handoff;
channels are the distinct channels among the counted touches. The minimum is owed when a handoff is
disqualified or recycled for a reason the segment does not exempt; an accepted or rejected lead owes none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadpact.domain.rules import TouchRule

OWING_OUTCOMES = ("disqualified", "recycled")


@dataclass(slots=True)
class Touch:
    id: str
    at: datetime
    rep: str
    channel: str
    outcome: str | None
    automated: bool

    @property
    def counts(self) -> bool:
        """Counted toward the minimum: a human touch that reached someone's inbox or phone."""
        return not self.automated and self.outcome != "bounced"


@dataclass(frozen=True, slots=True)
class TouchCount:
    touches: int
    channels: int

    def short_of(self, rule: TouchRule) -> bool:
        return self.touches < rule.min or self.channels < rule.channels_min


def _counted(touches: Iterable[Touch], start: datetime, rule: TouchRule) -> list[Touch]:
    limit = start + timedelta(days=rule.within_days)
    return sorted((t for t in touches if t.counts and start <= t.at <= limit), key=lambda t: (t.at, t.id))


def count(touches: Iterable[Touch], start: datetime, rule: TouchRule, until: datetime) -> TouchCount:
    """The counted touches of a handoff made at `start`, up to `until` (its disposition)."""
    counted = [t for t in _counted(touches, start, rule) if t.at <= until]
    return TouchCount(len(counted), len({t.channel for t in counted}))


def met_at(touches: Iterable[Touch], start: datetime, rule: TouchRule) -> datetime | None:
    """The instant the counted touches first reach the minimum touches and channels (the touches clock)."""
    if rule.min <= 0 and rule.channels_min <= 0:
        return start
    channels: set[str] = set()
    for n, touch in enumerate(_counted(touches, start, rule), start=1):
        channels.add(touch.channel)
        if n >= rule.min and len(channels) >= rule.channels_min:
            return touch.at
    return None


def owed(rule: TouchRule, outcome: str, reason: str | None) -> bool:
    """Whether closing a handoff this way owes the minimum touches first."""
    return outcome in OWING_OUTCOMES and reason not in rule.exempt_reasons


def shortfall(done: TouchCount, rule: TouchRule) -> str:
    """ "3 of 8 touches on 1 of 2 channels in 14 days: 5 more touches and 1 more channel needed"."""
    days = int(rule.within_days) if float(rule.within_days).is_integer() else rule.within_days
    needs = []
    if done.touches < rule.min:
        more = rule.min - done.touches
        needs.append(f"{more} more touch{'es' if more > 1 else ''}")
    if done.channels < rule.channels_min:
        more = rule.channels_min - done.channels
        needs.append(f"{more} more channel{'s' if more > 1 else ''}")
    return (
        f"{done.touches} of {rule.min} touches on {done.channels} of {rule.channels_min} channels "
        f"in {days} days: {' and '.join(needs)} needed"
    )
