"""Sales' side of a demo lead: who works a handoff, the touches and the disposition, and outbound prospecting.

A cycle decides its whole path at the handoff (accepted and on to SQL, rejected, recycled, ...), then lays
down touches that make the path legal under the default pact: a disqualify or recycle of an MQL cycle has
the minimum touches and channels within the window (but for the share deliberately laid down short of it,
and the exempt reasons), dispositions come after the handoff, stages only after an acceptance
(`demo.pipeline`).
"""

from __future__ import annotations

from typing import Any

from leadpact.demo.market import persona_issues
from leadpact.demo.names import weighted
from leadpact.demo.pipeline import after_acceptance, sales_end
from leadpact.demo.run import (
    ANSWER,
    CHANNELS,
    DAY,
    EXEMPT,
    HOUR,
    CycleEnd,
    LeadRun,
    TouchRule,
    channels_for,
    disqualify_reason,
    first_touch_at,
    lognormal,
    pick_one,
    pick_rep,
    silent,
    spread,
    touch,
)


def _path(run: LeadRun, cycle_no: int) -> tuple[str, str | None]:
    """(outcome, reason) for a cycle: accepted, rejected, disqualified, recycled, pending, untouched..."""
    rng, p, d = run.rng, run.profile, run.draft
    if rng.random() < p.never_touched_share:
        return ("untouched", None) if rng.random() < 0.75 else ("untouched_rejected", _reject_reason(run))
    if cycle_no == 1:
        if d.invalid:
            return (("rejected" if rng.random() < 0.5 else "disqualified"), "invalid_contact")
        if d.competitor:
            return (("rejected" if rng.random() < 0.7 else "disqualified"), "competitor")
        if d.duplicate and rng.random() < 0.75:
            return "rejected", "duplicate_or_customer"
        if rng.random() < (p.reject_poor_fit if run.poor else p.reject_good_fit):
            return "rejected", _reject_reason(run)
        shares = (p.pending_share, p.recycle_share, p.disqualify_share)
    else:
        shares = (p.pending_share, 0.18, 0.08)
    x = rng.random()
    if x < shares[0]:
        return "pending", None
    if x < shares[0] + shares[1]:
        return "recycled", "no_budget_or_timeline"
    if x < sum(shares):
        return "disqualified", disqualify_reason(run)
    return "accepted", None


def _reject_reason(run: LeadRun) -> str:
    rng = run.rng
    issues = persona_issues(run.draft.fields) if run.poor else []
    weights = {"wrong_job_function": 0.45, "wrong_company_size": 0.4, "wrong_industry": 0.15}
    if issues:
        return weighted(rng, tuple((i, weights[i]) for i in issues))
    return weighted(
        rng,
        (
            ("wrong_job_function", 0.32),
            ("wrong_company_size", 0.26),
            ("wrong_industry", 0.14),
            ("duplicate_or_customer", 0.16),
            ("invalid_contact", 0.07),
            ("competitor", 0.05),
        ),
    )


def run_cycle(run: LeadRun, h: int, tier: str, cycle_no: int) -> CycleEnd:
    """Touches, a disposition and stages for the MQL handoff at `h`; returns the lead's stage after them."""
    rng, cal, p = run.rng, run.cal, run.profile
    rep = pick_rep(run, h)
    slow = rep in p.slow_reps
    rule = run.touch_rule
    limit = h + rule.days * DAY
    if rng.random() < 2 * p.automated_share:  # enrolled in a sequence: an automated email at once
        touch(run, h + rng.randint(20, 180), rep, "email", "attempted", automated=True)
    outcome, reason = _path(run, cycle_no)
    if outcome == "untouched":
        return CycleEnd("mql", h)
    if outcome == "untouched_rejected":
        at = run.add(
            cal.add_business(h, lognormal(rng, 120, 1.0) * 60),
            "disposition",
            {"outcome": "rejected", "reason": reason, "by": rep},
        )
        return CycleEnd("rejected", at)
    t1 = first_touch_at(run, h, tier, slow)
    end = sales_end(run, cycle_no) if outcome == "accepted" else outcome
    guarded = (
        end
        in ("recycled", "disqualified", "sal_disq", "sal_recycle", "sql_disq", "sql_recycle", "lost_recycle")
        and reason not in EXEMPT
    )
    if guarded and t1 > h + 3 * DAY:  # a cadence that will reach the minimum starts early
        t1 = cal.add_business(h, lognormal(rng, 3, 0.8) * HOUR)
    if guarded and rng.random() >= p.short_touch_share:
        times = _meeting_minimum(run, t1, limit, rule)
    elif guarded:
        times = _short_of_minimum(run, t1, limit, rule)
    elif outcome in ("rejected", "disqualified"):  # a quick look, or an exempt reason
        times = _few(run, t1, 1 if rng.random() < 0.6 else rng.randint(2, 3))
    elif outcome == "pending":
        times = _few(run, t1, rng.randint(1, 6))
    else:
        times = _few(run, t1, int(weighted(rng, (("1", 0.55), ("2", 0.3), ("3", 0.15)))))
    return _lay_down(run, rep, h, times, outcome, reason, end, rule)


def _few(run: LeadRun, t1: int, n: int) -> list[tuple[int, str]]:
    cal, rng = run.cal, run.rng
    out, ts = [], t1
    for i in range(n):
        if i:
            ts = cal.add_business(ts, lognormal(run.rng, 4, 0.8) * HOUR)
        out.append((ts, weighted(rng, CHANNELS)))
    return out


def _meeting_minimum(run: LeadRun, t1: int, limit: int, rule: TouchRule) -> list[tuple[int, str]]:
    n = rule.min + (0 if run.rng.random() < 0.5 else run.rng.randint(1, 3))
    times = spread(run, t1, n, limit - 600)
    return list(zip(times, channels_for(run, n, rule.channels), strict=True))


def _short_of_minimum(run: LeadRun, t1: int, limit: int, rule: TouchRule) -> list[tuple[int, str]]:
    rng = run.rng
    kind = weighted(rng, (("few", 0.6), ("one_channel", 0.25), ("late", 0.15)))
    if kind == "few":
        n = rng.randint(2, rule.min - 2)
        times = spread(run, t1, n, limit - 600)
        return list(zip(times, channels_for(run, n, 1), strict=True))
    if kind == "one_channel":
        times = spread(run, t1, rule.min, limit - 600)
        return [(ts, "email") for ts in times]
    inside = spread(run, t1, rule.min - 2, limit - 600)  # the rest lands after the window
    after = [limit + rng.randint(1, 6) * DAY + i * 3 * HOUR for i in range(3)]
    return list(zip(inside + after, channels_for(run, len(inside) + 3, rule.channels), strict=True))


def _lay_down(
    run: LeadRun,
    rep: str,
    h: int,
    times: list[tuple[int, str]],
    outcome: str,
    reason: str | None,
    end: str,
    rule: TouchRule,
) -> CycleEnd:
    rng, cal, p = run.rng, run.cal, run.profile
    times.sort()
    invalid = reason == "invalid_contact"
    accept_after = min(len(times), 1 + int(rng.random() * 3)) - 1 if outcome == "accepted" else -1
    last = h
    for i, (ts, channel) in enumerate(times):
        if invalid and i == 0:
            channel, result = "email", "bounced"
        elif i == accept_after:
            result = weighted(rng, ANSWER[channel])
        else:
            result = silent(run, channel, counted=True)
        last = touch(run, ts, rep, channel, result)
        if rng.random() < p.automated_share:
            touch(run, cal.add_business(ts, 2 * HOUR), rep, "email", "attempted", automated=True)
    if outcome == "pending":
        return CycleEnd("mql", h)
    by_first = times[0][0]
    if outcome == "accepted":
        anchor = times[accept_after][0]
        at = cal.add_business(anchor, lognormal(rng, 90, 0.9) * 60)
        if rng.random() < p.late_disposition_share:
            at = cal.add_business_days(at, rng.randint(2, 6))
        at = run.add(max(at, anchor + 60), "disposition", {"outcome": "accepted", "by": rep})
        return after_acceptance(run, rep, at, end, later=[t for t, _ in times if t > at])
    if outcome == "rejected":
        at = cal.add_business(times[min(len(times), 2) - 1][0], lognormal(rng, 100, 1.0) * 60)
        if rng.random() < p.late_disposition_share:
            at = cal.add_business_days(at, rng.randint(2, 5))
        at = run.add(
            max(at, by_first + 60), "disposition", {"outcome": "rejected", "reason": reason, "by": rep}
        )
        if rng.random() < 0.08:  # a touch after the rejection: facts are never refused
            touch(
                run,
                cal.add_business(at, lognormal(rng, 8, 1.0) * HOUR),
                rep,
                weighted(rng, CHANNELS),
                "attempted",
            )
        return CycleEnd("rejected", at)
    at = cal.add_business(last, lognormal(rng, 2, 0.8) * HOUR)
    data: dict[str, Any] = {"outcome": outcome, "reason": reason, "by": rep}
    if outcome == "recycled":
        data["note"] = pick_one(
            rng,
            (
                "asked to reconnect next quarter",
                "budget frozen until next year",
                "evaluating later this year",
            ),
        )
    at = run.add(max(at, last + 60), "disposition", data)
    return CycleEnd(outcome, at)


# -- outbound: touches first, then maybe accepted straight from raw -----------------------------------------
def run_outbound(run: LeadRun, first: int) -> CycleEnd | None:
    """An SDR's sequence from `first`; None when the prospect never answers (the lead stays raw)."""
    rng, cal = run.rng, run.cal
    rep = pick_rep(run, first)
    n = rng.randint(3, 10)
    times = spread(run, first, n, first + 21 * DAY)
    answered = rng.random() < 0.42
    answer_at = min(n - 1, rng.randint(1, 5)) if answered else -1
    for i, (ts, channel) in enumerate(zip(times, channels_for(run, n, 2), strict=True)):
        if answered and i > answer_at:
            break
        result = weighted(rng, ANSWER[channel]) if i == answer_at else silent(run, channel)
        touch(run, ts, rep, channel, result)
    if not answered:
        return None
    at = run.add(
        cal.add_business(times[answer_at], lognormal(rng, 3, 0.8) * HOUR),
        "disposition",
        {"outcome": "accepted", "by": rep},
    )
    end = sales_end(run, 1)
    if end in ("sal_disq", "sql_disq") and rng.random() < 0.5:
        end = end.replace("disq", "recycle")
    return after_acceptance(run, rep, at, end, later=[])
