"""The lead being generated (`LeadRun`): its events so far, and the small tools every stage of it uses."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from leadpact.demo.businesstime import BusinessTime
from leadpact.demo.company import ENTERPRISE_TEAM, REPS, SMB_TEAM, CompanyProfile, Rep
from leadpact.demo.gate import FIT_SENIOR, FIT_TARGET_FUNCTIONS
from leadpact.demo.market import LeadDraft
from leadpact.demo.names import weighted
from leadpact.domain.events import TYPE_RANK

HOUR = 3600
DAY = 86400
EXEMPT = ("competitor", "invalid_contact", "duplicate_or_customer")


@dataclass(frozen=True)
class TouchRule:
    min: int
    days: int
    channels: int


SMB_TOUCHES = TouchRule(8, 14, 2)
ENTERPRISE_TOUCHES = TouchRule(10, 21, 3)


@dataclass
class LeadRun:
    """One lead being generated: its draft, its clock, and the events laid down so far."""

    num: int
    lead_id: str
    source: str
    draft: LeadDraft
    cal: BusinessTime
    rng: random.Random
    profile: CompanyProfile
    items: list[tuple[int, int, str, dict[str, Any]]] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    opportunities: int = 0
    created: int = 0

    @property
    def enterprise(self) -> bool:
        return int(self.draft.fields.get("employees") or 0) >= 1000

    @property
    def touch_rule(self) -> TouchRule:
        return ENTERPRISE_TOUCHES if self.enterprise else SMB_TOUCHES

    @property
    def poor(self) -> bool:
        f = self.draft.fields
        return (
            not self.draft.good
            or f.get("job_function") not in FIT_TARGET_FUNCTIONS
            or f.get("seniority") not in FIT_SENIOR
        )

    def claim(self, ts: int) -> int:
        while ts in self.used:
            ts += 1
        self.used.add(ts)
        return ts

    def add(self, ts: int, type_: str, data: dict[str, Any]) -> int:
        ts = self.claim(ts)
        self.items.append((ts, TYPE_RANK[type_], type_, data))
        return ts


@dataclass(frozen=True)
class CycleEnd:
    stage: str  # the lead's stage after the cycle's last disposition or stage event
    at: int


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


# -- reps and touches ---------------------------------------------------------------------------------------
def pick_rep(run: LeadRun, at: int) -> str:
    account = run.draft.account
    if account is not None and account.rep is not None:
        return account.rep
    team = ENTERPRISE_TEAM if run.enterprise else SMB_TEAM
    day = run.cal.date_at(run.cal.day_of(at))
    reps: list[Rep] = [r for r in REPS if r.team == team and not r.off_on(day)] or [
        r for r in REPS if r.team == team
    ]
    x = run.rng.random() * sum(r.weight for r in reps)
    chosen = reps[-1]
    for rep in reps:
        x -= rep.weight
        if x < 0:
            chosen = rep
            break
    if account is not None:
        account.rep = chosen.id
    return chosen.id


CHANNELS = (("email", 0.45), ("phone", 0.35), ("linkedin", 0.15), ("video", 0.05))
SILENT = {
    "email": (("attempted", 0.96), ("bounced", 0.04)),
    "phone": (("attempted", 0.4), ("voicemail", 0.6)),
    "linkedin": (("attempted", 1.0),),
    "video": (("attempted", 1.0),),
    "meeting": (("connected", 1.0),),
}
ANSWER = {
    "email": (("replied", 0.7), ("meeting_booked", 0.3)),
    "phone": (("connected", 0.8), ("meeting_booked", 0.2)),
    "linkedin": (("replied", 0.6), ("connected", 0.4)),
    "video": (("replied", 0.6), ("meeting_booked", 0.4)),
    "meeting": (("connected", 1.0),),
}


def touch(run: LeadRun, ts: int, rep: str, channel: str, outcome: str, *, automated: bool = False) -> int:
    data: dict[str, Any] = {"channel": channel, "rep": rep, "outcome": outcome}
    if automated:
        data["automated"] = True
    return run.add(ts, "touch", data)


def silent(run: LeadRun, channel: str, *, counted: bool = False) -> str:
    outcome = weighted(run.rng, SILENT[channel])
    return "attempted" if counted and outcome == "bounced" else outcome


def channels_for(run: LeadRun, n: int, distinct: int) -> list[str]:
    """n channels, the first `distinct` of them all different, in a shuffled order."""
    rng = run.rng
    first = ["email", "phone", "linkedin", "video"][: max(distinct, 1)]
    rest = [weighted(rng, CHANNELS) for _ in range(max(n - len(first), 0))]
    out = (first + rest)[:n]
    rng.shuffle(out)
    return out


def first_touch_at(run: LeadRun, h: int, tier: str, slow: bool) -> int:
    """The first human touch after a handoff at `h`: fast reps answer high intent in minutes."""
    rng, cal = run.rng, run.cal
    if tier == "high":
        if cal.in_hours(h):
            minutes = lognormal(rng, 80 if slow else 3.5, 0.8 if slow else 0.9)
            return h + max(30, int(minutes * 60))
        if not slow and rng.random() < 0.4:
            return h + max(60, int(lognormal(rng, 28, 0.6) * 60))
        return cal.add_business(h, 60 + lognormal(rng, 90 if slow else 12, 0.8) * 60)
    median = {"medium": 300 if slow else 70, "low": 540 if slow else 150}[tier]
    return cal.add_business(h, max(60.0, lognormal(rng, median, 0.9) * 60))


def spread(run: LeadRun, t1: int, n: int, limit: int) -> list[int]:
    """n touch instants from t1 (included) spread over business days, none after `limit`."""
    cal, rng = run.cal, run.rng
    days = 0
    while days < 30 and cal.add_business_days(t1, days + 1) <= limit:
        days += 1
    span = max(1, days - (1 if days > 4 and rng.random() < 0.5 else 0)) * 8 * HOUR
    offsets = sorted(rng.random() for _ in range(n - 1))
    out = [t1]
    for u in offsets:
        ts = cal.add_business(t1, u * span)
        if ts > limit or ts <= t1:
            ts = t1 + int(u * max(limit - t1, n))
        out.append(ts)
    return out


def disqualify_reason(run: LeadRun) -> str:
    return weighted(
        run.rng,
        (
            ("no_budget_or_timeline", 0.55),
            ("wrong_company_size", 0.15),
            ("wrong_job_function", 0.2),
            ("wrong_industry", 0.1),
        ),
    )


def pick_one(rng: random.Random, notes: tuple[str, ...]) -> str:
    return notes[int(rng.random() * len(notes))]
