"""The synthetic company of bench/metrics.py: handoffs of 1M leads over 36 months drawn from numpy
distributions shaped like a real company (≈28k MQL handoffs a month, 40 reps in 4 teams, the default pact's 7
sources, tiers and segments, first-contact clocks by tier on the business calendar, dispositions,
SQL/opportunity/customer stages, re-handoffs after a recycle, sales-sourced direct cycles). Instants are µs
UTC, ``NA`` when none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from leadpact.domain.calendar.vec import add_business_days_vec, add_business_vec
from leadpact.domain.rules import rules_from_pact
from leadpact.pact import Pact

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
