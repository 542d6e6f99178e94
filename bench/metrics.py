"""Metrics speed (issue 7, point 7): a month's full metrics document out of a store holding 1M leads over 36
months and ~10M events, on SQLite and PostgreSQL.

    python bench/metrics.py [--leads 1000000] [--months 36] [--db sqlite|pg|both] [--rebuild]
                            [--runs 5] [--reads default|sequential|concurrent|both] [--check]

The store is built once per (leads, months, seed) and kept (SQLite under the system temp folder,
PostgreSQL in a database of its own); `--rebuild` starts it over. Its rows are *synthesised*: the derived
tables `handoffs` and `clocks` are written directly with the driver's executemany (`bulk_insert`), from
numpy distributions shaped like a real company (≈28k MQL handoffs a month, 40 reps in 4 teams, the default
pact's 7 sources, tiers and segments, first-contact clocks by tier on the business calendar, dispositions,
SQL/opportunity/customer stages, re-handoffs after a recycle, sales-sourced direct cycles), and `events`
gets ~10M rows (lead created, activities, assignments, touches, dispositions, stages) with small JSON
bodies, so the event log has its real size and attribution reads real activities (`leads` stays empty:
metrics never read it). Ingesting 10M events through the engine (replay, routing, clocks) would take many
minutes and measure ingest, not metrics.

Then it times `metrics(...)` for a mid-range month, its month pack dropped first (services/packs.py): the
first call (it reads the tables and saves the pack), warm calls from the pack (median of 5), calls with
`cache=False` (the tables every time), the call after late events changed 10 of the month's leads (their
rows are read again and patched into the pack), the call after a batch too big to log lead by lead (the
month is read whole),
a week inside the month, and its quarter (first, then from three packs); per phase (query, compute,
attribution) and per read (pack, handoffs, clocks, activities), the rows used, and beside it a naive
full-table GROUP BY of the same month's core counts. `--check` also computes the month with the reference
implementation (row by row, `domain/metrics.py`) and prints whether the documents agree, and whether the
document from the pack is exactly the one from the tables. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from common import fresh, pg_database
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

from leadpact.domain.calendar.vec import add_business_days_vec, add_business_vec
from leadpact.domain.events import TYPE_RANK
from leadpact.domain.rules import rules_from_pact
from leadpact.pact import Pact
from leadpact.services.metrics import metrics
from leadpact.store.db import open_store
from leadpact.store.events import bulk_insert
from leadpact.store.tables import clocks, events, handoffs

console = Console()
I64 = npt.NDArray[np.int64]
NA = np.int64(-1)  # a missing instant while synthesising (every real one is after 1970)
US = 1_000_000
MIN, HOUR, DAY = 60 * US, 3600 * US, 86_400 * US
FIRST_MONTH = (2023, 1)

SOURCES = ("content", "webinar", "demo_request", "event", "paid_search", "referral", "outbound")
SOURCE_P = (0.28, 0.20, 0.14, 0.13, 0.12, 0.06, 0.07)
TIERS = ("high", "medium", "low")
SEGMENTS = ("enterprise", "smb")
TEAMS = ("na-east", "na-west", "emea", "enterprise")
REPS = tuple(f"rep-{i:02d}" for i in range(1, 41))  # rep i works in TEAMS[(i - 1) // 10]
OUTCOMES = ("accepted", "rejected", "disqualified", "recycled")
REASONS = {
    "rejected": (
        ("wrong_company_size", 0.30),
        ("wrong_job_function", 0.25),
        ("wrong_industry", 0.15),
        ("duplicate_or_customer", 0.12),
        ("invalid_contact", 0.10),
        ("competitor", 0.08),
    ),
    "disqualified": (
        ("no_budget_or_timeline", 0.45),
        ("wrong_company_size", 0.25),
        ("competitor", 0.10),
        ("invalid_contact", 0.10),
        ("wrong_industry", 0.10),
    ),
    "recycled": (("no_budget_or_timeline", 0.85), ("wrong_job_function", 0.15)),
}
EXEMPT = ("competitor", "invalid_contact", "duplicate_or_customer")
ACTIVITY_KINDS = (
    "page_view",
    "content_download",
    "webinar_registered",
    "webinar_attended",
    "email_click",
    "pricing_page_view",
    "contact_form",
    "event_attended",
)
CHANNELS = ("email", "phone", "linkedin")


# --------------------------------------------------------------------------------------------- synthesis


@dataclass
class Company:
    """One entry per handoff (a lead's cycles are adjacent, in order); instants in µs UTC, NA when none."""

    leads: int
    now: int
    lead: I64
    n: I64
    direct: npt.NDArray[np.bool_]
    start: I64
    mql: I64
    tier: I64
    segment: I64
    source: I64
    campaign: I64  # -1: none
    owner: I64  # -1: unassigned
    fit: npt.NDArray[np.float64]
    engagement: npt.NDArray[np.float64]
    first_touch: I64
    touches: I64
    channels: I64
    outcome: I64  # index in OUTCOMES, -1: no disposition yet
    disposition_at: I64
    reason: I64  # index in REASON_CODES, -1: none
    later_dq: I64  # a disqualification after an acceptance (NA: none)
    sql: I64
    opportunity: I64
    customer: I64
    closed_lost: I64
    amount: npt.NDArray[np.float64]  # NaN: none
    won_amount: npt.NDArray[np.float64]
    min_touch_met: I64  # 1, 0, -1 (None)
    flags: I64  # 0 "[]", 1 hygiene:sql, 2 hygiene:opportunity, 3 fit_below_gate
    ended: I64
    first_activity: I64  # the lead's (every cycle of it)
    lead_first_touch: I64
    created: I64  # the lead's
    activities: I64  # the lead's activity count (events)
    fc_due: I64  # first-contact clock due (NA: none)
    fc_rule: I64
    d_due: I64  # disposition clock due (NA: none)
    t_due: I64  # touches clock due
    t_met: I64


REASON_CODES = tuple(sorted({code for pairs in REASONS.values() for code, _ in pairs}))
FLAG_TEXT = ("[]", '["hygiene:sql"]', '["hygiene:opportunity"]', '["fit_below_gate"]')
FC_RULES = (
    "high, inside hours: 5m",
    "high, outside hours: 1h",
    "medium: 4h business",
    "low: 1bd",
)


def month_start(k: int) -> datetime:
    """The first instant of the k-th month of the range, in the pact's time zone, as UTC."""
    y, m = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + k, 12)
    return datetime(y, m + 1, 1, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)


def us_of(t: datetime) -> int:
    return int((t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1))


def _after(base: I64, delay: I64, keep: npt.NDArray[np.bool_] | None = None) -> I64:
    out = np.where(base == NA, NA, base + delay)
    return out if keep is None else np.where(keep, out, NA)


def _lognormal(rng: np.random.Generator, median_us: float, sigma: float, size: int) -> I64:
    return (rng.lognormal(np.log(median_us), sigma, size)).astype(np.int64)


def _choice(rng: np.random.Generator, p: Sequence[float], size: int) -> I64:
    return rng.choice(len(p), size=size, p=np.asarray(p) / sum(p)).astype(np.int64)


def _cycles(
    rng: np.random.Generator, c: dict[str, Any], size: int, mql: I64, direct: npt.NDArray[np.bool_]
) -> None:
    """One cycle per entry: touches, disposition, stages, clocks (the cycle's own randomness)."""
    cal = rules_from_pact(Pact()).calendar()
    tier = np.where(direct, -1, _choice(rng, (0.22, 0.45, 0.33), size))
    segment = c["segment"]
    enterprise = segment == 0
    owner = np.where(enterprise, rng.integers(30, 40, size), rng.integers(0, 30, size))
    owner[rng.random(size) < 0.015] = -1
    start = c["start"]
    # first touch: by tier, a long tail; a few never touched
    median = np.choose(np.maximum(tier, 0), (12 * MIN, 70 * MIN, 6 * HOUR))
    touched = ~direct & (rng.random(size) < np.choose(np.maximum(tier, 0), (0.97, 0.95, 0.88)))
    delay = (rng.lognormal(0, 1.3, size) * median).astype(np.int64)
    first_touch = _after(mql, delay, touched)
    touches = np.where(touched | direct, 1 + rng.poisson(np.where(enterprise, 6.0, 4.0)), 0)
    channels = np.minimum(touches, 1 + rng.binomial(2, 0.45, size))
    # disposition: most within days of the first touch
    disposed = np.where(touched | direct, rng.random(size) < 0.97, rng.random(size) < 0.45)
    outcome = np.where(disposed, _choice(rng, (0.64, 0.12, 0.14, 0.10), size), -1)
    outcome[direct] = 0
    base = np.where(first_touch != NA, first_touch, np.where(direct, start, mql))
    disposition_at = _after(base, _lognormal(rng, 1.2 * DAY, 1.1, size), outcome >= 0)
    disposition_at[direct] = start[direct]
    reason = np.full(size, -1, np.int64)
    for k, name in enumerate(OUTCOMES[1:], start=1):
        sel = outcome == k
        codes = [REASON_CODES.index(code) for code, _ in REASONS[name]]
        picked = _choice(rng, [p for _, p in REASONS[name]], int(sel.sum()))
        reason[sel] = np.asarray(codes)[picked]
    accepted = outcome == 0
    # an acceptance that goes nowhere is often disqualified later
    later = accepted & (rng.random(size) < 0.18)
    later_dq = _after(disposition_at, _lognormal(rng, 20 * DAY, 0.7, size), later)
    later_reason = np.asarray([REASON_CODES.index("no_budget_or_timeline"), REASON_CODES.index("competitor")])
    reason[later] = later_reason[(rng.random(int(later.sum())) < 0.2).astype(int)]
    exempt = np.isin(reason, [REASON_CODES.index(code) for code in EXEMPT])
    closing = (outcome == 2) | (outcome == 3) | later
    met = rng.random(size) < 0.84
    min_touch_met = np.where(closing & ~direct & ~exempt, met.astype(np.int64), -1)
    # stages
    sql = _after(
        disposition_at, _lognormal(rng, 6 * DAY, 0.9, size), accepted & ~later & (rng.random(size) < 0.46)
    )
    direct_sql = direct & (rng.random(size) < 0.6)
    sql[direct_sql] = _after(start, _lognormal(rng, 3 * DAY, 0.8, size))[direct_sql]
    opportunity = _after(sql, _lognormal(rng, 10 * DAY, 0.9, size), rng.random(size) < 0.52)
    amount = np.where(opportunity != NA, np.round(rng.lognormal(np.log(22_000), 0.6, size), -2), np.nan)
    customer = _after(opportunity, _lognormal(rng, 40 * DAY, 0.6, size), rng.random(size) < 0.27)
    closed_lost = _after(
        opportunity, _lognormal(rng, 50 * DAY, 0.6, size), (customer == NA) & (rng.random(size) < 0.7)
    )
    won_amount = np.where(
        (customer != NA) & (rng.random(size) < 0.3),
        np.round(amount * rng.uniform(0.8, 1.1, size), -2),
        np.nan,
    )
    flags = np.zeros(size, np.int64)
    flags[(sql != NA) & (rng.random(size) < 0.04)] = 1
    flags[(opportunity != NA) & (rng.random(size) < 0.06)] = 2
    flags[(flags == 0) & (rng.random(size) < 0.01)] = 3
    # clocks (the default pact's): first contact by tier on the business calendar, disposition 2bd after
    # the first touch, touches within 14 days (21 for enterprise)
    mql_dt = np.where(mql == NA, mql.max(), mql).astype("datetime64[us]")
    opened = add_business_vec(cal, mql_dt, timedelta(0)) == mql_dt
    high_in = add_business_vec(cal, mql_dt, timedelta(minutes=5)).astype(np.int64)
    medium = add_business_vec(cal, mql_dt, timedelta(hours=4)).astype(np.int64)
    low = add_business_days_vec(cal, mql_dt, 1).astype(np.int64)
    fc_rule = np.where(tier == 0, np.where(opened, 0, 1), tier + 1)
    fc_due = np.choose(fc_rule, (high_in, mql + HOUR, medium, low))
    fc_due[direct] = NA
    ft_dt = np.where(first_touch == NA, mql.max(), first_touch).astype("datetime64[us]")
    d_due = np.where(first_touch == NA, NA, add_business_days_vec(cal, ft_dt, 2).astype(np.int64))
    t_due = np.where(direct, NA, mql + np.where(enterprise, 21, 14) * DAY)
    enough = touches >= np.where(enterprise, 10, 8)
    t_met = _after(first_touch, _lognormal(rng, 6 * DAY, 0.5, size), enough)
    c.update(
        tier=tier,
        owner=owner,
        first_touch=first_touch,
        touches=touches,
        channels=channels,
        outcome=outcome,
        disposition_at=disposition_at,
        reason=reason,
        later_dq=later_dq,
        sql=sql,
        opportunity=opportunity,
        customer=customer,
        closed_lost=closed_lost,
        amount=amount,
        won_amount=won_amount,
        min_touch_met=min_touch_met,
        flags=flags,
        fc_due=fc_due,
        fc_rule=fc_rule,
        d_due=d_due,
        t_due=t_due,
        t_met=t_met,
        fit=np.round(rng.uniform(20, 95, size), 1),
        engagement=np.round(rng.gamma(3.0, 12.0, size), 1),
    )


def synthesise(leads: int, months: int, seed: int) -> Company:
    rng = np.random.default_rng(seed)
    lo, hi = us_of(month_start(0)), us_of(month_start(months))
    now = hi
    # the first cycle's instant: weekdays, mostly office hours (local), a mild growth over the range
    days = (hi - lo) // DAY
    day_start = np.asarray([us_of(month_start(0) + timedelta(days=int(d))) for d in range(days)], np.int64)
    weekday = np.asarray([(month_start(0) + timedelta(days=int(d))).weekday() for d in range(days)])
    weight = np.where(weekday < 5, 1.0, 0.25) * np.linspace(0.85, 1.15, days)
    day = rng.choice(days, size=leads, p=weight / weight.sum())
    office = rng.random(leads) < 0.75
    seconds = np.where(
        office, np.clip(rng.normal(14 * 3600, 2.5 * 3600, leads), 0, 86_399), rng.uniform(0, 86_400, leads)
    )
    anchor = np.sort(day_start[day] + (seconds * US).astype(np.int64) + rng.integers(0, US, leads))
    source = _choice(rng, SOURCE_P, leads)
    outbound = source == SOURCES.index("outbound")
    direct1 = outbound & (rng.random(leads) < 0.6)
    segment = np.where(rng.random(leads) < 0.25, 0, 1)
    campaign = np.where(rng.random(leads) < 0.12, -1, source * 8 + rng.integers(0, 7, leads))
    campaign[outbound] = -1
    created = anchor - _lognormal(rng, 9 * DAY, 1.0, leads)
    activities = np.where(outbound, rng.binomial(1, 0.3, leads), 1 + rng.poisson(1.55, leads))
    first_activity = np.where(activities > 0, created, NA)
    first_activity[outbound] = np.where(activities[outbound] > 0, anchor[outbound] + 2 * DAY, NA)

    c: dict[str, Any] = {
        "segment": segment,
        "start": anchor,
    }
    _cycles(rng, c, leads, np.where(direct1, NA, anchor), direct1)
    first = dict(c)
    first.update(
        lead=np.arange(leads, dtype=np.int64),
        n=np.ones(leads, np.int64),
        direct=direct1,
        mql=np.where(direct1, NA, anchor),
        source=source,
        campaign=campaign,
    )
    # re-handoffs: half of the recycled come back a couple of months later
    back = (first["outcome"] == 3) & (rng.random(leads) < 0.55)
    idx = np.flatnonzero(back)
    again = first["disposition_at"][idx] + _lognormal(rng, 60 * DAY, 0.6, idx.size)
    idx, again = idx[again < now], again[again < now]
    second: dict[str, Any] = {"segment": segment[idx], "start": again}
    _cycles(rng, second, idx.size, again, np.zeros(idx.size, bool))
    second.update(
        lead=idx,
        n=np.full(idx.size, 2, np.int64),
        direct=np.zeros(idx.size, bool),
        mql=again,
        source=source[idx],
        campaign=np.where(rng.random(idx.size) < 0.5, campaign[idx], source[idx] * 8 + 7),
    )
    keys = [k for k in first if k in second]
    merged = {k: np.concatenate([first[k], second[k]]) for k in keys}
    order = np.lexsort((merged["n"], merged["lead"]))
    merged = {k: v[order] for k, v in merged.items()}
    lead = merged["lead"]
    ended = np.full(lead.size, NA, np.int64)
    has_next = np.flatnonzero(lead[:-1] == lead[1:])
    ended[has_next] = merged["start"][has_next + 1]
    lead_first_touch = merged["first_touch"].copy()
    lead_first_touch[merged["direct"]] = merged["start"][merged["direct"]] - 2 * DAY
    lead_first_touch = lead_first_touch[np.searchsorted(lead, lead)]  # the first cycle's
    company = Company(
        leads=leads,
        now=now,
        ended=ended,
        first_activity=first_activity[lead],
        lead_first_touch=lead_first_touch,
        created=created[lead],
        activities=activities[lead],
        **merged,
    )
    for name in (
        "first_touch",
        "disposition_at",
        "later_dq",
        "sql",
        "opportunity",
        "customer",
        "closed_lost",
        "ended",
        "first_activity",
        "lead_first_touch",
        "t_met",
    ):  # what has not happened by now has not happened
        values = getattr(company, name)
        values[values > now] = NA
    gone = company.disposition_at == NA
    company.outcome[gone] = -1
    company.reason[gone & (company.later_dq == NA)] = -1
    company.min_touch_met[gone & (company.later_dq == NA)] = -1
    company.amount[company.opportunity == NA] = np.nan
    company.won_amount[company.customer == NA] = np.nan
    return company


# --------------------------------------------------------------------------------------------- rows


def _times(values: I64) -> list[int | None]:
    out: list[int | None] = values.tolist()
    for i in np.flatnonzero(values == NA).tolist():
        out[i] = None
    return out


def _names(codes: I64, names: Sequence[str]) -> list[str | None]:
    table = np.asarray([*names, None], dtype=object)
    return table[np.where(codes < 0, len(names), codes)].tolist()


def _floats(values: npt.NDArray[np.float64]) -> list[float | None]:
    out: list[float | None] = values.tolist()
    for i in np.flatnonzero(np.isnan(values)).tolist():
        out[i] = None
    return out


# the rows are built in the tables' column order (events: all but the sequence the database assigns)
HANDOFF_COLUMNS = tuple(c.name for c in handoffs.columns)
CLOCK_COLUMNS = tuple(c.name for c in clocks.columns)
EVENT_COLUMNS = tuple(c.name for c in events.columns if c.name != "seq")
CAMPAIGNS = tuple(f"{SOURCES[k // 8]}-{k % 8 + 1:02d}" for k in range(len(SOURCES) * 8))


def lead_name(i: int) -> str:
    return f"L{i:07d}"


def handoff_rows(c: Company, sel: slice) -> list[tuple[Any, ...]]:
    lead = c.lead[sel]
    outcome = c.outcome[sel]
    disposition_at = c.disposition_at[sel]
    later = c.later_dq[sel]

    def when(k: int) -> I64:
        return np.where(outcome == k, disposition_at, NA)

    disqualified = np.where(later != NA, later, when(2))
    touches_at_outcome = np.where((outcome > 0) | (later != NA), c.touches[sel], -1)
    reason = c.reason[sel]
    ids = [lead_name(i) for i in lead.tolist()]
    n = c.n[sel].tolist()
    owner = _names(c.owner[sel], REPS)
    team_codes = np.where(c.owner[sel] < 0, -1, c.owner[sel] // 10)
    opportunity = c.opportunity[sel]
    tier = _names(c.tier[sel], TIERS)
    source = _names(c.source[sel], SOURCES)
    segment = _names(c.segment[sel], SEGMENTS)
    fit = c.fit[sel].tolist()
    packets = [
        json.dumps(
            {
                "lead_id": lid,
                "tier": t,
                "source": s,
                "segment": g,
                "fit": f,
                "why": [f"fit {f}: employees, title", "engagement: webinar_attended, pricing_page_view"],
                "recent": ["webinar_attended", "content_download", "page_view"],
                "account": f"acct-{j % 97_000}",
            },
            separators=(",", ":"),
        )
        for lid, t, s, g, f, j in zip(ids, tier, source, segment, fit, lead.tolist(), strict=True)
    ]
    columns: list[list[Any]] = [
        ids,
        n,
        np.where(c.direct[sel], "direct", "mql").tolist(),
        _times(c.start[sel]),
        _times(c.mql[sel]),
        [f"{i}-a{k}" for i, k in zip(ids, n, strict=True)],
        tier,
        segment,
        source,
        _names(c.campaign[sel], CAMPAIGNS),
        fit,
        c.engagement[sel].tolist(),
        owner,
        _times(c.first_touch[sel]),
        [o if t is not None else None for o, t in zip(owner, _times(c.first_touch[sel]), strict=True)],
        c.touches[sel].tolist(),
        c.channels[sel].tolist(),
        _names(outcome, OUTCOMES),
        _times(disposition_at),
        _names(np.where(outcome > 0, reason, -1), REASON_CODES),
        [o if d is not None else None for o, d in zip(owner, _times(disposition_at), strict=True)],
        _times(when(0)),
        _times(c.sql[sel]),
        _times(opportunity),
        _times(c.customer[sel]),
        _times(c.closed_lost[sel]),
        _times(when(1)),
        _times(disqualified),
        _times(when(3)),
        _names(reason, REASON_CODES),
        [None if t < 0 else t for t in touches_at_outcome.tolist()],
        [None if t < 0 else t for t in np.where(touches_at_outcome < 0, -1, c.channels[sel]).tolist()],
        [None if m < 0 else bool(m) for m in c.min_touch_met[sel].tolist()],
        _floats(c.amount[sel]),
        [None if o == NA else f"opp-{i}-{k}" for i, k, o in zip(ids, n, opportunity.tolist(), strict=True)],
        [
            None if o == NA else str(np.datetime64(o + 45 * DAY, "us").astype("datetime64[D]"))
            for o in opportunity.tolist()
        ],
        _times(c.ended[sel]),
        _names(c.flags[sel], FLAG_TEXT),
        packets,
        _floats(c.won_amount[sel]),
        _times(c.first_activity[sel]),
        _times(c.lead_first_touch[sel]),
        _names(team_codes, TEAMS),
    ]
    return list(zip(*columns, strict=True))


def clock_rows(c: Company, sel: slice) -> list[tuple[Any, ...]]:
    ids = [lead_name(i) for i in c.lead[sel].tolist()]
    n = c.n[sel].tolist()
    owner = _names(c.owner[sel], REPS)
    team = _names(np.where(c.owner[sel] < 0, -1, c.owner[sel] // 10), TEAMS)
    tier = _names(c.tier[sel], TIERS)
    segment = _names(c.segment[sel], SEGMENTS)
    mql = c.mql[sel]
    first = c.first_touch[sel]
    disposition_at = c.disposition_at[sel]
    ends = np.where(c.outcome[sel] > 0, disposition_at, NA)
    rows: list[tuple[Any, ...]] = []
    fc_due, d_due, t_due = c.fc_due[sel], c.d_due[sel], c.t_due[sel]
    ends_big = np.where(ends == NA, np.iinfo(np.int64).max, ends)
    first_big = np.where(first == NA, np.iinfo(np.int64).max, first)
    cancel = (ends != NA) & (ends <= fc_due) & (ends < first_big)
    fc_met = np.where(cancel, NA, first)
    fc_cancel = np.where(cancel, ends, NA)
    t_cancel = np.where((c.sql[sel] != NA) | (ends != NA), np.minimum(c.sql[sel], ends_big), NA)
    t_cancel = np.where(t_cancel == np.iinfo(np.int64).max, NA, t_cancel)
    now = c.now

    def settled(due: I64, met: I64, cancelled: I64) -> list[int | None]:
        return _times(np.where((met != NA) | (cancelled != NA) | (due <= now), NA, due))

    for kind, started, due, met, cancelled, rule, business in (
        ("first_contact", mql, fc_due, fc_met, fc_cancel, _names(c.fc_rule[sel], FC_RULES), None),
        ("disposition", first, d_due, disposition_at, np.full(mql.size, NA), None, True),
        ("touches", mql, t_due, c.t_met[sel], t_cancel, None, False),
    ):
        keep = (due != NA) & (started != NA)
        if rule is None:
            rule = [
                "2bd after first contact" if kind == "disposition" else "8 touches, 2 channels"
            ] * mql.size
        flags = (
            np.asarray(c.fc_rule[sel] != 1) if business is None else np.full(mql.size, business)
        ).tolist()
        warn = [
            f"[[0.5, {s + (d - s) // 2}], [0.8, {s + (d - s) * 4 // 5}]]"
            for s, d in zip(started.tolist(), due.tolist(), strict=True)
        ]
        met_in_time = np.where(met > now, NA, met)
        columns = [
            ids,
            n,
            [kind] * mql.size,
            _times(started),
            _times(due),
            flags,
            rule,
            _times(met_in_time),
            _times(cancelled),
            warn,
            settled(due, met_in_time, cancelled),
            owner,
            team,
            tier,
            segment,
        ]
        rows.extend(r for r, k in zip(zip(*columns, strict=True), keep.tolist(), strict=True) if k)
    return rows


def event_rows(c: Company, sel: slice, rng: np.random.Generator) -> list[tuple[Any, ...]]:
    """The events of the leads of these handoffs: created, activities, assignments, touches, dispositions,
    stages (small JSON bodies; ids unique per lead)."""
    rows: list[tuple[Any, ...]] = []
    now = c.now
    lead = c.lead[sel]

    def add(lid: str, key: str, kind: str, at: int, data: str) -> None:
        if at <= now:
            rows.append(
                (
                    f"{lid}-{key}",
                    lid,
                    kind,
                    TYPE_RANK[kind],
                    at,
                    data,
                    f"{hash((lid, key)) & (2**64 - 1):032x}",
                    at + 90 * US,
                )
            )

    firsts = np.flatnonzero(c.n[sel] == 1)
    for j in firsts.tolist():
        i = sel.start + j
        lid = lead_name(int(lead[j]))
        src = SOURCES[c.source[i]]
        created = int(c.created[i])
        add(lid, "c", "lead.created", created, f'{{"email":"{lid.lower()}@example.com","source":"{src}"}}')
        k = int(c.activities[i])
        if k:
            start = int(c.first_activity[i]) if c.first_activity[i] != NA else created
            end = int(c.mql[i]) if c.mql[i] != NA else start + 30 * DAY
            times = np.sort(rng.integers(start, max(end, start + 1), k))
            times[0] = start
            kinds = rng.integers(0, len(ACTIVITY_KINDS), k).tolist()
            camp = CAMPAIGNS[c.campaign[i]] if c.campaign[i] >= 0 else None
            for a, (t, kind) in enumerate(zip(times.tolist(), kinds, strict=True)):
                body = {"kind": ACTIVITY_KINDS[kind], "asset": f"asset-{(i * 7 + a) % 240:03d}"}
                if camp is not None:
                    body["campaign"] = camp
                add(lid, f"a{a}", "activity", t, json.dumps(body, separators=(",", ":")))
    for j in range(lead.size):
        i = sel.start + j
        lid = lead_name(int(lead[j]))
        cyc = int(c.n[i])
        rep = REPS[c.owner[i]] if c.owner[i] >= 0 else None
        base = int(c.start[i])
        if rep is not None and cyc == 1 and i % 3 == 0:
            add(lid, f"as{cyc}", "assignment", base + US, f'{{"rep":"{rep}"}}')
        ft = int(c.first_touch[i]) if c.first_touch[i] != NA else base - 2 * DAY
        for t in range(int(c.touches[i])):
            at = ft + t * (6 + i % 37) * HOUR
            ch = CHANNELS[(i + t) % 3]
            add(lid, f"t{cyc}.{t}", "touch", at, f'{{"channel":"{ch}","rep":"{rep}","outcome":"attempted"}}')
        if c.outcome[i] >= 0:
            body = {"outcome": OUTCOMES[c.outcome[i]], "by": rep}
            if c.outcome[i] > 0 and c.reason[i] >= 0:
                body["reason"] = REASON_CODES[c.reason[i]]
            add(
                lid,
                f"d{cyc}",
                "disposition",
                int(c.disposition_at[i]),
                json.dumps(body, separators=(",", ":")),
            )
        if c.later_dq[i] != NA:
            add(
                lid,
                f"dq{cyc}",
                "disposition",
                int(c.later_dq[i]),
                f'{{"outcome":"disqualified","by":"{rep}","reason":"{REASON_CODES[c.reason[i]]}"}}',
            )
        for name, at_ in (
            ("sql", c.sql[i]),
            ("opportunity", c.opportunity[i]),
            ("customer", c.customer[i]),
            ("closed_lost", c.closed_lost[i]),
        ):
            if at_ != NA:
                extra = f',"amount":{c.amount[i]:.0f}' if name == "opportunity" else ""
                add(lid, f"s{cyc}.{name}", "stage", int(at_), f'{{"stage":"{name}"{extra}}}')
    rows.sort(key=lambda r: (r[1], r[4]))
    return rows


# --------------------------------------------------------------------------------------------- stores


def sqlite_url(leads: int, months: int, seed: int) -> str:
    folder = Path(tempfile.gettempdir()) / "leadpact-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'metrics-{leads}-{months}-{seed}.db'}"


def pg_url(leads: int, months: int, seed: int) -> str:
    return pg_database(f"leadpact_bench_metrics_{leads}_{months}_{seed}")


def counts(engine: Engine) -> dict[str, int]:
    out = {}
    with engine.connect() as conn:
        for table in ("handoffs", "clocks", "events"):
            out[table] = int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    return out


def chunks_of(c: Company, leads_per_chunk: int) -> Iterator[slice]:
    for lo in range(0, c.leads, leads_per_chunk):
        a, b = np.searchsorted(c.lead, [lo, lo + leads_per_chunk])
        yield slice(int(a), int(b))


def build(url: str, c: Company, seed: int, label: str) -> Engine:
    fresh(url)
    engine = open_store(url)
    rng = np.random.default_rng(seed + 1)
    started = time.perf_counter()
    totals = {"handoffs": 0, "clocks": 0, "events": 0}
    for sel in chunks_of(c, 50_000):
        h, k, e = handoff_rows(c, sel), clock_rows(c, sel), event_rows(c, sel, rng)
        with engine.begin() as conn:
            bulk_insert(conn, "handoffs", HANDOFF_COLUMNS, h)
            bulk_insert(conn, "clocks", CLOCK_COLUMNS, k)
            bulk_insert(conn, "events", EVENT_COLUMNS, e)
        totals["handoffs"] += len(h)
        totals["clocks"] += len(k)
        totals["events"] += len(e)
        console.print(
            f"  {label}: {sel.stop:>9,} handoffs, {totals['clocks']:>10,} clocks, "
            f"{totals['events']:>11,} events  ({time.perf_counter() - started:.0f} s)",
            highlight=False,
        )
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
            conn.commit()
        else:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("VACUUM ANALYZE"))
    console.print(f"  {label}: built in {time.perf_counter() - started:.0f} s", highlight=False)
    return engine


# --------------------------------------------------------------------------------------------- timing


def naive_group_by(engine: Engine, start: int, end: int) -> float:
    """The month's core counts per source by a plain full-table GROUP BY (no index can help), in ms."""
    in_month = "mql_at >= :s AND mql_at < :e AND kind = 'mql'"
    query = text(
        "SELECT source, "
        f"SUM(CASE WHEN {in_month} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {in_month} AND disposition = 'accepted' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {in_month} AND disposition IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {in_month} AND sql_at IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {in_month} AND first_touch_at IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN opportunity_at >= :s AND opportunity_at < :e THEN amount ELSE 0 END) "
        "FROM handoffs GROUP BY source"
    )
    t = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(query, {"s": start, "e": end}).all()
    return (time.perf_counter() - t) * 1000


def measure(url: str, period: str, as_of: datetime, runs: int, concurrent: bool) -> dict[str, Any]:
    """`metrics(...)` on a fresh engine, the month's pack dropped first: the first call (it reads the tables
    and saves the pack), the median of `runs` warm calls (from the pack), the median of `runs` calls with
    `cache=False` (the tables every time), and the call after a late event (a bumped day mark in the month:
    the pack is read again)."""
    from leadpact.services import packs
    from leadpact.store import packs as store_packs
    from leadpact.store import period_reads
    from leadpact.store.db import make_engine

    period_reads.CONCURRENT_READS = concurrent
    pact = Pact()
    rules = rules_from_pact(pact)
    engine = make_engine(url)
    with engine.begin() as conn:
        store_packs.forget_packs(conn)

    def timed(cache: bool = True, period: str = period) -> dict[str, float]:
        profile: dict[str, float] = {}
        t = time.perf_counter()
        doc = metrics(engine, pact, rules, period, as_of=as_of, cache=cache, profile=profile)
        profile["total"] = (time.perf_counter() - t) * 1000
        profile["json_bytes"] = len(json.dumps(doc))
        return profile

    def median(profiles: list[dict[str, float]]) -> dict[str, float]:
        keys = dict.fromkeys(k for p in profiles for k in p)
        return {k: statistics.median(p.get(k, 0.0) for p in profiles) for k in keys}

    first = timed()
    packs.flush()  # the pack is saved in the background; the warm runs read it
    warm = median([timed() for _ in range(runs)])
    scratch = median([timed(cache=False) for _ in range(runs)])
    zone = ZoneInfo(pact.timezone)
    y, m = (int(x) for x in period.split("-"))
    mid = us_of(datetime(y, m, 15, 12, tzinfo=zone))
    with engine.begin() as conn:  # ten leads handed off in the month change (as a late event's replay says)
        leads = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT lead_id FROM handoffs WHERE mql_at >= :a AND mql_at < :b "
                    "ORDER BY lead_id LIMIT 10"
                ),
                {"a": mid, "b": mid + store_packs.DAY_US},
            )
        ]
        # as if it happened while the month was recent (older days are logged as every lead)
        store_packs.bump(conn, {mid // store_packs.DAY_US: set(leads)}, datetime.fromtimestamp(mid / US, UTC))
    late = timed()
    packs.flush()
    with engine.begin() as conn:  # a big batch: logged as every lead of the day
        store_packs.bump(conn, {mid // store_packs.DAY_US: {store_packs.EVERY}}, as_of)
    batch = timed()
    packs.flush()
    # other period forms from the packs: a week inside the month, and its quarter (two more months to read)
    iso = datetime(y, m, 10).isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    quarter = f"{y}-Q{(m - 1) // 3 + 1}"
    week_warm = median([timed(period=week) for _ in range(runs)])
    quarter_first = timed(period=quarter)
    packs.flush()
    quarter_warm = median([timed(period=quarter) for _ in range(runs)])
    engine.dispose()
    return {
        "first": first,
        "warm": warm,
        "no cache": scratch,
        "late event": late,
        "big batch": batch,
        "week": week_warm,
        "quarter first": quarter_first,
        "quarter": quarter_warm,
    }


def check(url: str, period: str, as_of: datetime) -> tuple[int, float, list[str]]:
    """The document against the reference implementation (row by row, `domain.metrics.reference`), and the
    document from the month pack against the one read from the tables (`cache=False`): differences."""
    from leadpact.services.metrics import metrics_reference
    from leadpact.store.db import make_engine

    pact = Pact()
    rules = rules_from_pact(pact)
    engine = make_engine(url)
    fast = metrics(engine, pact, rules, period, as_of=as_of)
    scratch = metrics(engine, pact, rules, period, as_of=as_of, cache=False)
    t = time.perf_counter()
    reference = metrics_reference(engine, pact, rules, period, as_of=as_of)
    took = (time.perf_counter() - t) * 1000
    engine.dispose()
    diffs = differences(reference, fast)
    if fast != scratch:  # the pack and the tables: exactly the same document
        diffs.append("the document from the month pack differs from the one read from the tables")
    return len(diffs), took, diffs[:5]


def differences(expected: Any, got: Any, path: str = "$") -> list[str]:
    """Where two documents differ: keys (and their order), None exactly, floats beyond 1e-9."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or list(expected) != list(got):
            return [f"{path}: keys differ"]
        return [m for k in expected for m in differences(expected[k], got[k], f"{path}.{k}")]
    if isinstance(expected, list):
        if not isinstance(got, list) or len(expected) != len(got):
            return [f"{path}: lengths differ"]
        return [
            m
            for i, (a, b) in enumerate(zip(expected, got, strict=True))
            for m in differences(a, b, f"{path}[{i}]")
        ]
    if isinstance(expected, float) and isinstance(got, float):
        return (
            []
            if math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-9)
            else [f"{path}: {expected} != {got}"]
        )
    same = expected == got and type(expected) is type(got)
    return [] if same else [f"{path}: {expected!r} != {got!r}"]


def _ms(p: dict[str, float], key: str) -> str:
    return f"{p[key]:.1f}" if key in p else "-"


RUNS = ("first", "warm", "no cache", "late event", "big batch", "week", "quarter first", "quarter")


def _table(results: dict[tuple[str, str], dict[str, Any]]) -> Table:
    table = Table(title="metrics(...) for one month: ms per phase, rows read", show_lines=False)
    for col in ("database", "reads", "run", "query", "compute", "attribution", "total"):
        table.add_column(col, justify="right" if col not in ("database", "reads", "run") else "left")
    for col in ("pack", "handoffs", "clocks", "activities"):
        table.add_column(f"read {col}", justify="right")
    for col in ("handoff rows", "clock rows", "activity rows"):
        table.add_column(col, justify="right")
    for (db, mode), r in results.items():
        for run in (
            "first",
            "warm",
            "no cache",
            "late event",
            "big batch",
            "week",
            "quarter first",
            "quarter",
        ):
            p = r[run]
            table.add_row(
                db,
                mode,
                {
                    "first": "first (saves the pack)",
                    "warm": "warm, from the pack (median)",
                    "no cache": "cache=False (median)",
                    "late event": "after 10 leads changed (patched)",
                    "big batch": "after a big batch (read whole)",
                    "week": "a week in it, from the pack (median)",
                    "quarter first": "its quarter (2 more months read)",
                    "quarter": "its quarter, from 3 packs (median)",
                }[run],
                _ms(p, "query"),
                _ms(p, "compute"),
                _ms(p, "attribution"),
                f"[bold]{p['total']:.1f}[/bold]",
                _ms(p, "read.pack"),
                _ms(p, "read.handoffs"),
                _ms(p, "read.clocks"),
                _ms(p, "read.activities"),
                f"{p.get('rows.handoffs', 0):,.0f}",
                f"{p.get('rows.clocks', 0):,.0f}",
                f"{p.get('rows.activities', 0):,.0f}",
            )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--db", choices=("sqlite", "pg", "both"), default="both")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rebuild", action="store_true", help="build the store again even if it is there")
    ap.add_argument("--runs", type=int, default=5, help="warm runs (the median is shown)")
    ap.add_argument(
        "--reads",
        choices=("default", "sequential", "concurrent", "both"),
        default="default",
        help="PostgreSQL: the period's three reads one after the other, on three connections at once, or "
        "both (default: as services.period_reads.CONCURRENT_READS says); SQLite reads on one connection",
    )
    ap.add_argument("--check", action="store_true", help="also compare with the reference implementation")
    args = ap.parse_args(argv)

    from leadpact.store import period_reads as service
    from leadpact.store.db import make_engine

    console.rule("[bold]leadpact metrics benchmark")
    t = time.perf_counter()
    company = synthesise(args.leads, args.months, args.seed)
    mid = args.months // 2
    start, end = month_start(mid), month_start(mid + 1)
    period = f"{start.astimezone(ZoneInfo('America/New_York')):%Y-%m}"
    as_of = datetime.fromtimestamp(company.now / US, UTC)
    in_month = (company.mql >= us_of(start)) & (company.mql < us_of(end))
    console.print(
        f"synthesised {args.leads:,} leads over {args.months} months in {time.perf_counter() - t:.1f} s: "
        f"{company.lead.size:,} handoffs ({int((company.n > 1).sum()):,} re-handoffs, "
        f"{int(company.direct.sum()):,} sales-sourced direct cycles), {int(in_month.sum()):,} MQL handoffs "
        f"in {period}; the month is timed as of {as_of:%Y-%m-%d}",
        highlight=False,
    )
    console.print(
        "[dim]The rows are synthesised and bulk-inserted (handoffs, clocks, ~10M events), not ingested: "
        "ingesting 10M events through the engine takes many minutes and measures ingest, not metrics. "
        "Metrics read them exactly as they read ingested rows.[/dim]"
    )
    modes = {
        "default": [service.CONCURRENT_READS],
        "sequential": [False],
        "concurrent": [True],
        "both": [False, True],
    }[args.reads]
    urls: dict[str, str] = {}
    if args.db in ("sqlite", "both"):
        urls["SQLite"] = sqlite_url(args.leads, args.months, args.seed)
    if args.db in ("pg", "both"):
        urls["PostgreSQL"] = pg_url(args.leads, args.months, args.seed)
    results: dict[tuple[str, str], dict[str, Any]] = {}
    naive: dict[str, float] = {}
    checks: dict[str, tuple[int, float, list[str]]] = {}
    for label, url in urls.items():
        ready = False
        if not args.rebuild:
            try:
                probe = make_engine(url)
                have = counts(probe)
                probe.dispose()
                ready = have["handoffs"] == company.lead.size and have["events"] > 0
            except Exception:  # noqa: BLE001 - no store yet
                ready = False
        if not ready:
            console.print(f"building the {label} store (once; kept for later runs) ...", highlight=False)
            build(url, company, args.seed, label).dispose()
        engine = open_store(url)  # migrated to this checkout's schema
        have = counts(engine)
        console.print(
            f"{label}: {have['handoffs']:,} handoffs, {have['clocks']:,} clocks, {have['events']:,} events",
            highlight=False,
        )
        for concurrent in modes if label == "PostgreSQL" else [False]:  # SQLite reads on one connection
            results[(label, "concurrent" if concurrent else "sequential")] = measure(
                url, period, as_of, args.runs, concurrent
            )
        naive[label] = statistics.median(naive_group_by(engine, us_of(start), us_of(end)) for _ in range(3))
        engine.dispose()
        if args.check:
            checks[label] = check(url, period, as_of)
    console.print(_table(results))
    console.print(
        "[dim]query: the reads of the period's handoffs, clocks and activities (wall time; 'read …' is each "
        "read, overlapping when concurrent); compute: the document but attribution; attribution: its "
        "views.[/dim]"
    )
    for label, ms in naive.items():
        best = min(r["warm"]["total"] for (db, _), r in results.items() if db == label)
        console.print(
            f"{label}: a naive full-table GROUP BY of the month's core counts per source takes {ms:,.0f} ms "
            f"(the whole document, warm: {best:,.1f} ms)",
            highlight=False,
        )
    for label, (n, took, first) in checks.items():
        verdict = "identical" if n == 0 else f"{n} differences: {first}"
        console.print(
            f"{label}: the document against the reference implementation ({took:,.0f} ms): {verdict}",
            highlight=False,
        )


if __name__ == "__main__":
    main()
