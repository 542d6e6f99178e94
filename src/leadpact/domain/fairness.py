"""Fairness within a team: who is eligible, the smooth weighted round robin and its ledger, and expected
vs received (DESIGN.md §7 `routing fairness`).

Pure domain code: no I/O, never the system clock. The ledger holds one number per rep, its round-robin
*credit* (nginx's "current weight"); the caller persists it between decisions (``Ledger.credit`` is a
plain dict).

One pick over the reps eligible now (in tie-break order, weights > 0; W = the sum of their weights):
every eligible rep's credit grows by its weight, the highest credit wins (the first in order on a tie),
and the winner's credit drops by W. Over any stretch in which the eligible set and weights stay the
same, each rep gets its weight's share of the picks to within one pick, interleaved smoothly (weights
1, 1, 2 give c a b c, c a b c, ...). Reps not eligible earn nothing: an absence or a full day earns no
catch-up later. A rep the ledger has never seen starts at 0; a changed weight counts from the next pick.

Credits are clamped into [-W, 2W] as they are read (W of the current pick), so a balance left by a team
that has since shrunk, a lowered weight or a rep who left can never be worth more than about two turns,
however long ago it was earned. While the eligible set and the weights stay the same the clamp does not
act: after a pick the winner holds at least W/n - W > -W, and a waiting rep's credit stays below 2W (in
random teams of up to 200 reps with weights spread over three orders of magnitude it never passed 1.8W;
with equal weights it never passes W), so it does not disturb the shares above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from math import inf
from typing import Protocol, TypedDict, TypeVar
from zoneinfo import ZoneInfo


class _SpecLike(Protocol):
    @property
    def timezone(self) -> str: ...


class CalendarLike(Protocol):
    """What routing needs of a calendar (a :class:`~leadpact.domain.calendar.business.BusinessCalendar` is
    one)."""

    @property
    def spec(self) -> _SpecLike: ...

    def is_open(self, t: datetime) -> bool: ...


def period_text(period: tuple[date, date]) -> str:
    a, b = period
    return a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}"


@dataclass(frozen=True, slots=True)
class RepView:
    id: str
    team: str
    weight: float
    active: bool
    per_day: int | None
    open_cap: int | None
    calendar: CalendarLike
    time_off: tuple[tuple[date, date], ...] = ()  # inclusive, in the calendar's zone
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", ZoneInfo(self.calendar.spec.timezone))

    def time_off_at(self, at: datetime) -> tuple[date, date] | None:
        """The time-off period covering the rep's local date of ``at``, if any."""
        if not self.time_off:
            return None
        return self.time_off_on(at.astimezone(self.zone).date())

    def time_off_on(self, day: date) -> tuple[date, date] | None:
        """The time-off period covering ``day`` (a local date), if any."""
        for period in self.time_off:
            if period[0] <= day <= period[1]:
                return period
        return None

    def available(self, at: datetime) -> bool:
        """Active and not on time off on its local date of ``at``."""
        return self.active and self.time_off_at(at) is None

    def working(self, at: datetime) -> bool:
        """Available, and its calendar is open at ``at``."""
        return self.available(at) and self.calendar.is_open(at)


@dataclass(frozen=True, slots=True)
class Load:
    assigned_today: Mapping[str, int] = field(default_factory=dict)  # per rep, its local date of `at`
    open_leads: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Ledger:
    """The fairness state: each rep's round-robin credit (a rep not in it has 0). Mutated by a pick; copy it
    for a dry run. Credits of reps who left the roster are inert (the caller may drop them)."""

    credit: dict[str, float] = field(default_factory=dict)

    def copy(self) -> Ledger:
        return Ledger(dict(self.credit))


class Weighted(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def weight(self) -> float: ...


W = TypeVar("W", bound=Weighted)


def weighted_pick(candidates: Sequence[W], credit: dict[str, float]) -> tuple[W, float]:
    """Pick one of ``candidates`` (in tie-break order, weights > 0, at least one) by smooth weighted round
    robin, updating ``credit`` in place; returns ``(the pick, total weight)``."""
    total = 0.0
    for cand in candidates:
        total += cand.weight
    top, bottom = 2.0 * total, -total
    best = candidates[0]
    best_credit = -inf
    for cand in candidates:
        c = credit.get(cand.id, 0.0)
        if c > top:
            c = top
        elif c < bottom:
            c = bottom
        c += cand.weight
        credit[cand.id] = c
        if c > best_credit:
            best, best_credit = cand, c
    credit[best.id] = best_credit - total
    return best, total


_NO_LOAD: Mapping[str, int] = {}
HIGH_INTENT = "not working now (outside its calendar hours; high intent)"


def team_pick(
    members: Sequence[RepView],
    at: datetime,
    ledger: Ledger,
    load: Load,
    high: bool,
    skipped: list[tuple[str, str]],
) -> tuple[RepView | None, dict[str, float], bool]:
    """One round-robin pick among ``members`` (in tie-break order): ``(rep or None, each eligible rep's share
    of this pick, whether anyone is working now)``; each rep not eligible is appended to ``skipped`` with
    why. Eligible: active, not on time off, working now when ``high``, weight > 0, under ``per_day`` and
    ``open_cap``. ``working`` is only computed for ``high`` (False otherwise)."""
    assigned = load.assigned_today or _NO_LOAD
    open_leads = load.open_leads or _NO_LOAD
    eligible: list[RepView] = []
    working = False
    days: dict[ZoneInfo, date] = {}  # local date of `at` per zone
    open_at: dict[int, bool] = {}  # is_open(at) per calendar
    for rep in members:
        if not rep.active:
            skipped.append((rep.id, "inactive"))
            continue
        if rep.time_off:
            day = days.get(rep.zone)
            if day is None:
                day = days[rep.zone] = at.astimezone(rep.zone).date()
            off = rep.time_off_on(day)
            if off is not None:
                skipped.append((rep.id, f"on time off {period_text(off)}"))
                continue
        if high:
            key = id(rep.calendar)
            is_open = open_at.get(key)
            if is_open is None:
                is_open = open_at[key] = rep.calendar.is_open(at)
            if not is_open:
                skipped.append((rep.id, HIGH_INTENT))
                continue
            working = True
        if rep.weight <= 0:
            skipped.append((rep.id, "weight 0 (no round-robin share)"))
            continue
        cap = rep.per_day
        if cap is not None and assigned.get(rep.id, 0) >= cap:
            skipped.append((rep.id, f"daily capacity {cap} reached"))
            continue
        cap = rep.open_cap
        if cap is not None:
            n = open_leads.get(rep.id, 0)
            if n >= cap:
                skipped.append((rep.id, f"open-lead cap {cap} reached ({n} open)"))
                continue
        eligible.append(rep)
    if not eligible:
        return None, {}, working
    picked, total = weighted_pick(eligible, ledger.credit)
    return picked, {rep.id: rep.weight / total for rep in eligible}, working


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def pick_reason(rep: RepView, expected: Mapping[str, float]) -> str:
    """Why ``rep`` won a round-robin pick, for people."""
    names = ", ".join(expected)
    share = expected[rep.id]
    return f"{rep.id}: next in the weighted round robin (weight {_fmt(rep.weight)}, {share:.0%} of {names})"


class FairnessRow(TypedDict):
    expected: float
    received: int


def fairness(
    assignments: Iterable[tuple[str | None, str | None, Mapping[str, float]]],
) -> dict[str, FairnessRow]:
    """Per rep, expected vs received round-robin assignments.

    ``assignments``: ``(rep, team, expected)`` of each round-robin decision (``Decision.rep``, ``.team``,
    ``.expected``; account-owner, manual and queued decisions are not fairness and should be left out;
    an entry with an empty ``expected`` adds nothing but its pick). A rep's ``expected`` is the sum of its
    share over the decisions it was eligible for (so time off and full days lower it: no catch-up is
    owed); ``received`` counts its picks. Reps appear in first-seen order.
    """
    out: dict[str, FairnessRow] = {}
    for rep, _team, expected in assignments:
        for name, share in expected.items():
            row = out.get(name)
            if row is None:
                out[name] = {"expected": share, "received": 0}
            else:
                row["expected"] += share
        if rep is not None:
            row = out.get(rep)
            if row is None:
                out[rep] = {"expected": 0.0, "received": 1}
            else:
                row["received"] += 1
    return out
