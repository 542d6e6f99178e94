"""A realistic, deterministic demo company as ingest events (DESIGN.md §2), one lead at a time.

    for event in generate(12_000, seed=7): ...          # dicts {"id", "type", "lead_id", "at", "data"}
    write_jsonl(Path("demo.jsonl"), generate(12_000, seed=7))

Each lead is built whole and then forgotten: its creation (spread over the months, business-hours peaks),
the marketing activities its source leads to (`demo.marketing`), and — only from the instant the default
pact's gate is crossed (computed here with the default rules, `demo.gate`) — the handoff: a rep's touches, a
disposition, stages, recycles and re-handoffs (`demo.sales`). Memory stays flat: the only state kept across
leads is the market's (`demo.market`) small pool of open accounts and ring of recent leads for deliberate
duplicates. The same (leads, seed, start, months, profile) give byte-identical output.
"""

from __future__ import annotations

import json
import random
import sys
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from leadpact.demo.businesstime import BusinessTime
from leadpact.demo.company import CompanyProfile
from leadpact.demo.gate import (
    MAX_CYCLES,
    MQL_ENGAGEMENT,
    REHANDOFF_DAYS,
    REHANDOFF_GAIN,
    REHANDOFF_KINDS,
    engagement,
    fit_points,
    fit_threshold,
    intent_tier,
)
from leadpact.demo.market import Market
from leadpact.demo.marketing import TOPICS, PlannedActivity, add_activity, browse_moment, plan_activities
from leadpact.demo.run import CycleEnd, LeadRun, lognormal
from leadpact.demo.sales import run_cycle, run_outbound

_HOUR = 3600
_DAY = 86400
_ID_LETTER = {"activity": "a", "touch": "t", "disposition": "d", "stage": "s"}
_HOURS_WEIGHT = (0.9, 1.35, 1.2, 0.8, 1.0, 1.3, 1.1, 0.75)  # 09:00..16:00: late morning, mid afternoon peaks
_EVENTS = ("saastr", "revops-summit", "dreamforce", "inbound", "b2b-marketing-expo", "sales-ops-forum")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no date {months} months after {day}")


class _Company:
    """What is shared across leads: the calendar, the volume curve, the market."""

    def __init__(
        self,
        leads: int,
        seed: int,
        start: date,
        months: int,
        profile: CompanyProfile,
        end: date | None = None,
    ) -> None:
        if leads < 0 or months < 1:
            raise ValueError("leads must be >= 0 and months >= 1")
        if end is not None and end <= start:
            raise ValueError("end must be after start")
        self.profile = profile
        self.leads = leads
        self.rng = random.Random(seed)
        self.horizon_day = end or add_months(start, months)
        opens, closes = profile.hours
        self.cal = BusinessTime(
            profile.timezone,
            start,
            self.horizon_day + timedelta(days=3 * 366),
            opens=opens,
            closes=closes,
            country=profile.holiday_country,
        )
        self.horizon = self.cal.midnight[(self.horizon_day - start).days]
        self.days = (self.horizon_day - start).days
        cumulative, total = [], 0.0
        for i in range(self.days):
            day = start + timedelta(days=i)
            weight = profile.seasonality[day.month - 1] * (1.0 + 0.01 * (i // 30))
            total += weight * (1.0 if self.cal.business[i] else profile.off_day_weight)
            cumulative.append(total)
        self.cumulative = cumulative
        self.market = Market(profile, self.rng)
        self.sources = profile.source_mix

    def created_at(self, i: int) -> int:
        """Lead i's creation: its day by the volume curve (ids follow time), its hour by the office's day."""
        rng, cal = self.rng, self.cal
        u = (i + rng.random()) / max(self.leads, 1) * self.cumulative[-1]
        day = min(bisect_right(self.cumulative, u), self.days - 1)
        if cal.business[day]:
            if rng.random() < self.profile.after_hours_share:
                hour = rng.uniform(17, 23) if rng.random() < 0.7 else rng.uniform(6.5, 9)
            else:
                x = rng.random() * sum(_HOURS_WEIGHT)
                slot = 0
                while slot < len(_HOURS_WEIGHT) - 1 and x >= _HOURS_WEIGHT[slot]:
                    x -= _HOURS_WEIGHT[slot]
                    slot += 1
                hour = 9 + slot + rng.random()
        else:
            hour = rng.uniform(8, 22)
        return min(cal.midnight[day] + int(hour * _HOUR), self.horizon - 1)

    def campaign(self, source: str, ts: int) -> str:
        day = self.cal.date_at(self.cal.day_of(ts))
        quarter = f"{day.year}q{(day.month - 1) // 3 + 1}"
        rng = self.rng
        if source == "content":
            return f"{quarter}-content-{TOPICS[(day.month + int(rng.random() * 3)) % len(TOPICS)]}"
        if source == "webinar":
            return f"{day.year}-{day.month:02d}-webinar"
        if source == "event":
            return f"{day.year}-{_EVENTS[(day.month - 1) // 2 % len(_EVENTS)]}"
        if source == "paid_search":
            return f"ppc-{('brand', 'category', 'competitor')[int(rng.random() * 3)]}-{quarter}"
        if source == "demo_request":
            return "website-demo"
        if source == "referral":
            return "partner-referral"
        return f"outbound-{quarter}"


DEFAULT_PROFILE = CompanyProfile()


def generate(
    leads: int,
    seed: int,
    *,
    start: date = date(2026, 1, 5),
    months: int = 12,
    profile: CompanyProfile = DEFAULT_PROFILE,
    end: date | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the demo company's events lead by lead (all of L-000001's, then L-000002's, ...), from `start`
    to `start` + `months`, or to midnight starting `end` (the company's zone) when given."""
    company = _Company(leads, seed, start, months, profile, end)
    for i in range(leads):
        yield from _lead(company, i)


def write_jsonl(path: Path | str, events: Iterable[dict[str, Any]]) -> int:
    """Write events as JSON Lines to `path` ("-" for stdout); returns how many were written."""
    count = 0
    if str(path) == "-":
        for event in events:
            sys.stdout.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
        sys.stdout.flush()
        return count
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


# -- one lead -----------------------------------------------------------------------------------------------
def _lead(company: _Company, i: int) -> Iterator[dict[str, Any]]:
    rng, cal, profile = company.rng, company.cal, company.profile
    num = i + 1
    lead_id = f"L-{num:06d}"
    draft = company.market.draw(num)
    source = _pick_source(rng, company.sources)
    run = LeadRun(num, lead_id, source, draft, cal, rng, profile)
    created = run.created = run.claim(company.created_at(i))
    campaign = company.campaign(source, created)
    fields = draft.fields
    data: dict[str, Any] = {"email": fields["email"], "source": source}
    data.update((k, v) for k, v in fields.items() if k not in ("email", "account_id"))
    data["campaign"] = campaign
    if "account_id" in fields:
        data["account_id"] = fields["account_id"]
    run.items.append((created, 0, "lead.created", data))

    acts: list[PlannedActivity] = []
    plan_activities(run, acts, created, campaign)
    end = CycleEnd("raw", created)
    if source == "outbound":
        first = cal.add_business(created, lognormal(rng, 40, 1.0) * 60)
        if acts:
            first = max(first, cal.add_business(acts[-1].ts, lognormal(rng, 3, 1.0) * _HOUR))
        if _first_crossing(run, acts, end, 0) is None:  # its marketing touches stay below the gate
            end = run_outbound(run, first) or end
    _cycles(run, acts, end)
    yield from _emit(run, acts, company.horizon if profile.cut_at_horizon else None)


def _pick_source(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    x = rng.random() * sum(w for _, w in table)
    for name, weight in table:
        x -= weight
        if x < 0:
            return name
    return table[-1][0]


def _first_crossing(run: LeadRun, acts: list[PlannedActivity], end: CycleEnd, mql_cycles: int) -> int | None:
    """Index of the activity that opens the next handoff after `end`, as the engine would find it."""
    fields = run.draft.fields
    if fit_points(fields) < fit_threshold(fields):
        return None
    pairs = [(a.ts, a.kind) for a in acts]
    if end.stage == "raw":
        for j, act in enumerate(acts):
            if act.ts > end.at and engagement(pairs, act.ts) >= MQL_ENGAGEMENT:
                return j
        return None
    if end.stage != "recycled" or mql_cycles >= MAX_CYCLES:
        return None
    at_recycle = engagement(pairs, end.at)
    for j, act in enumerate(acts):
        if act.ts <= end.at:
            continue
        if act.ts - end.at > REHANDOFF_DAYS * _DAY:
            break
        if act.kind in REHANDOFF_KINDS or engagement(pairs, act.ts) - at_recycle >= REHANDOFF_GAIN:
            return j
    return None


def _cycles(run: LeadRun, acts: list[PlannedActivity], end: CycleEnd) -> None:
    rng, cal, profile = run.rng, run.cal, run.profile
    mql_cycles = 0
    while True:
        j = _first_crossing(run, acts, end, mql_cycles)
        if j is None:
            return
        h = acts[j].ts
        since = end.at if end.stage == "recycled" else None
        kinds = [a.kind for a in acts[: j + 1] if since is None or a.ts > since]
        tier = intent_tier(kinds, engagement([(a.ts, a.kind) for a in acts], h))
        mql_cycles += 1
        end = run_cycle(run, h, tier, mql_cycles)
        if end.stage != "recycled":
            return
        # nurture, and maybe a comeback within the re-handoff window
        for _ in range(rng.randint(0, 3)):
            add_activity(
                run, acts, end.at + int(rng.uniform(3, 60) * _DAY), "email_click", None, "nurture", "email"
            )
        if mql_cycles < MAX_CYCLES and rng.random() < profile.reengage_share:
            kind = "demo_request" if rng.random() < 0.55 else "pricing_inquiry"
            day = cal.day_of(end.at + int(rng.uniform(2, 28) * _DAY))
            asset = "/demo" if kind == "demo_request" else "/pricing/contact"
            add_activity(run, acts, browse_moment(run, day), kind, asset, "nurture-comeback", "web")


# -- output -------------------------------------------------------------------------------------------------
def _emit(run: LeadRun, acts: list[PlannedActivity], horizon: int | None) -> Iterator[dict[str, Any]]:
    for act in acts:
        data: dict[str, Any] = {"kind": act.kind}
        if act.asset is not None:
            data["asset"] = act.asset
        if act.campaign is not None:
            data["campaign"] = act.campaign
        if act.channel is not None:
            data["channel"] = act.channel
        run.items.append((act.ts, 2, "activity", data))
    run.items.sort(key=lambda item: (item[0], item[1]))
    counters = {"activity": 0, "touch": 0, "disposition": 0, "stage": 0}
    lead_id, iso = run.lead_id, run.cal.iso
    for ts, _, type_, data in run.items:
        if horizon is not None and ts >= horizon:
            break
        if type_ == "lead.created":
            event_id = f"{lead_id}-c"
        else:
            counters[type_] += 1
            event_id = f"{lead_id}-{_ID_LETTER[type_]}{counters[type_]}"
        yield {"id": event_id, "type": type_, "lead_id": lead_id, "at": iso(ts), "data": data}
