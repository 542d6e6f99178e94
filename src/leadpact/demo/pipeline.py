"""After an acceptance: SQL with its qualification, the opportunity, won or lost, and the exits on the way."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from leadpact.demo.names import weighted
from leadpact.demo.run import ANSWER, HOUR, CycleEnd, LeadRun, disqualify_reason, lognormal, pick_one, touch


def sales_end(run: LeadRun, cycle_no: int) -> str:
    """Where an accepted cycle ends: sal, sal_disq, sal_recycle, sql, sql_lost, sql_disq, sql_recycle,
    opportunity, customer, lost, lost_recycle."""
    rng, p = run.rng, run.profile
    rate = p.share(p.mql_to_sql, run.source, 0.2) / 0.66 * (1.15 if cycle_no > 1 else 1.0)
    if run.poor:
        rate *= 0.6
    if rng.random() >= min(rate, 0.97):
        return weighted(rng, (("sal", 0.55), ("sal_disq", 0.30), ("sal_recycle", 0.15)))
    if rng.random() >= p.sql_to_opp:
        return weighted(rng, (("sql", 0.4), ("sql_lost", 0.3), ("sql_disq", 0.18), ("sql_recycle", 0.12)))
    x = rng.random()
    if x < p.close_rate:
        return "customer"
    if x < p.close_rate + 0.08:
        return "opportunity"
    return "lost_recycle" if rng.random() < 0.25 else "lost"


_BUDGET = ("$10k-25k", "$25k-50k", "$50k-100k", "$100k+", "approved", "pending approval")
_AUTHORITY = ("decision maker", "economic buyer", "champion", "influencer")
_NEED = ("MQL routing", "SLA enforcement", "pipeline visibility", "response times", "attribution")
_TIMELINE = ("this quarter", "next quarter", "within 30 days", "second half")


def after_acceptance(run: LeadRun, rep: str, accepted: int, end: str, later: list[int]) -> CycleEnd:
    """From SAL at `accepted` to `end` (see `_sales_end`); `later` are planned touches after acceptance."""
    rng, cal = run.rng, run.cal
    reason = "no_budget_or_timeline"
    last_touch = max(later, default=accepted)
    _work(run, rep, accepted, rng.randint(0, 2))
    if end.startswith("sal") or end == "accepted":
        if end in ("sal", "accepted"):
            return CycleEnd("sal", accepted)
        at = max(cal.add_business_days(accepted, rng.randint(4, 20)), cal.add_business(last_touch, 3 * HOUR))
        outcome = "disqualified" if end == "sal_disq" else "recycled"
        if outcome == "disqualified":
            reason = disqualify_reason(run)
        at = run.add(at, "disposition", {"outcome": outcome, "reason": reason, "by": rep})
        return CycleEnd(outcome, at)
    sql_at = cal.add_business_days(accepted, max(1, min(30, round(lognormal(rng, 5, 0.6)))))
    sql_at = run.add(sql_at + rng.randint(0, 3600), "stage", _sql_data(run, rep))
    _work(run, rep, sql_at, rng.randint(1, 3))
    if end.startswith("sql"):
        if end == "sql":
            return CycleEnd("sql", sql_at)
        at = max(cal.add_business_days(sql_at, rng.randint(5, 30)), cal.add_business(last_touch, 3 * HOUR))
        if end == "sql_lost":
            return CycleEnd("closed_lost", run.add(at, "stage", {"stage": "closed_lost", "by": rep}))
        outcome = "disqualified" if end == "sql_disq" else "recycled"
        if outcome == "disqualified":
            reason = disqualify_reason(run)
        at = run.add(at, "disposition", {"outcome": outcome, "reason": reason, "by": rep})
        return CycleEnd(outcome, at)
    opp_at = cal.add_business_days(sql_at, max(1, min(40, round(lognormal(rng, 7, 0.6)))))
    amount = _amount(run)
    days_to_close = max(14, min(180, round(lognormal(rng, 45, 0.5))))
    close_date = cal.date_at(cal.day_of(opp_at)) + timedelta(days=days_to_close)
    run.opportunities += 1
    data: dict[str, Any] = {
        "stage": "opportunity",
        "opportunity_id": f"OPP-{run.num:06d}-{run.opportunities}",
        "amount": amount,
        "close_date": close_date.isoformat(),
        "by": rep,
    }
    if rng.random() < 0.03:
        del data["close_date"]
    opp_at = run.add(opp_at + rng.randint(0, 3600), "stage", data)
    _work(run, rep, opp_at, rng.randint(1, 4))
    if end == "opportunity":
        return CycleEnd("opportunity", opp_at)
    shift = rng.randint(-10, 5) if end == "customer" else rng.randint(-20, 20)
    day = cal.day_of(opp_at) + (close_date - cal.date_at(cal.day_of(opp_at))).days + shift
    day = max(day, cal.day_of(opp_at) + 3)
    at = cal.next_open(cal.midnight[min(day, cal.days - 1)]) + rng.randint(0, 7 * HOUR)
    if end == "customer":
        final = int(round(amount * rng.uniform(0.85, 1.1), -2))
        return CycleEnd("customer", run.add(at, "stage", {"stage": "customer", "amount": final, "by": rep}))
    at = run.add(at, "stage", {"stage": "closed_lost", "by": rep})
    if end == "lost":
        return CycleEnd("closed_lost", at)
    at = run.add(
        max(cal.add_business_days(at, rng.randint(1, 10)), cal.add_business(last_touch, HOUR)),
        "disposition",
        {"outcome": "recycled", "reason": reason, "by": rep, "note": "lost the deal on timing; nurture"},
    )
    return CycleEnd("recycled", at)


def _work(run: LeadRun, rep: str, after: int, n: int) -> None:
    """Touches of a rep working an accepted lead: meetings, calls, emails."""
    rng, cal = run.rng, run.cal
    ts = after
    for _ in range(n):
        ts = cal.add_business(ts, lognormal(rng, 10, 0.7) * HOUR)
        channel = weighted(rng, (("meeting", 0.35), ("email", 0.35), ("phone", 0.2), ("video", 0.1)))
        touch(run, ts, rep, channel, weighted(rng, ANSWER[channel]))


def _sql_data(run: LeadRun, rep: str) -> dict[str, Any]:
    rng = run.rng
    data: dict[str, Any] = {
        "stage": "sql",
        "budget": pick_one(rng, _BUDGET),
        "authority": pick_one(rng, _AUTHORITY),
        "need": pick_one(rng, _NEED),
        "timeline": pick_one(rng, _TIMELINE),
        "by": rep,
    }
    if rng.random() < 0.10:  # data hygiene: a qualification left blank
        for key in rng.sample(["budget", "authority", "need", "timeline"], rng.randint(1, 2)):
            del data[key]
    return data


def _amount(run: LeadRun) -> int:
    """Lognormal deal sizes averaging ~25,000: enterprise deals larger, SMB smaller."""
    mean = run.profile.avg_deal * (1.9 if run.enterprise else 0.86)
    sigma = 0.55
    value = math.exp(math.log(mean) - sigma * sigma / 2 + run.rng.gauss(0.0, sigma))
    return int(round(max(value, 2_000.0), -2))
