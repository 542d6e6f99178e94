"""Both teams owe, and misses escalate (DESIGN.md §10).

`evaluate` runs in the worker loop: on each closed period it records marketing's violations
(`marketing_volume` per week, `acceptance` per month) and opens the escalations the pact's rules demand, each
once per (rule, team, period) whatever the number of workers (a unique key; the worker whose insert took it
writes the messages in the same transaction). Every number is the `metrics` document's for that period.
Periods that ended before the store received its first event are history brought in later: nothing about
them is recorded or escalated. Listing and resolving them: `services.escalation_views`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from leadpact.domain.escalation import (
    OVERDUE,
    RULE_TEAM,
    Missed,
    business_days_back,
    due_after,
    next_weekly,
    rate_missed,
    to_open,
    volume_missed,
    week_of,
)
from leadpact.domain.periods import Period, closed_before, local_date, parse_period
from leadpact.domain.rules import Rules
from leadpact.pact import Pact
from leadpact.roster import Roster
from leadpact.services.escalation_views import escalation_view
from leadpact.store import escalations as store
from leadpact.store.clocks import record_violations

#: closed weeks (or months) looked back at, so a worker that was down catches up
PERIODS_BACK = 4
#: business days looked back at beyond the run the rule needs
DAYS_BACK = 5


@dataclass
class Evaluation:
    """What one evaluation recorded: violations and escalations new this time (ids), messages written."""

    violations: int = 0
    opened: list[int] = field(default_factory=list)
    messages: int = 0


def _metric(engine: Engine, pact: Pact, rules: Rules, period: str, now: datetime) -> dict[str, Any]:
    from leadpact.services.metrics import metrics

    return metrics(engine, pact, rules, period, as_of=now, views=False)  # the numbers only


def _owners(rule: str, pact: Pact, roster: Roster | None) -> list[str]:
    if roster is None:
        return []
    if rule == "marketing_volume":
        return [roster.marketing.owner] if roster.marketing.owner else []
    if rule == "sales_response":
        return sorted({t.manager for t in roster.teams.values() if t.manager})
    # sustained: the executives by the titles the pact names; a title the roster lacks stays visible
    return [roster.executives.get(title, title) for title in pact.escalation.sustained.to]


def _notify(
    conn: Connection,
    view: dict[str, Any],
    roster: Roster | None,
    env: Mapping[str, str],
    now: datetime,
    topic: str = "escalation.opened",
) -> int:
    """Write the messages of an escalation's opening (or of its going overdue) to the outbox, each once."""
    try:
        from leadpact.notify.outbox import enqueue
        from leadpact.notify.targets import email_targets, targets_from_roster
    except ImportError:  # notifications not installed: the null notifier
        return 0
    if roster is None:
        return 0
    targets = email_targets(roster, view["owners"], env)
    if view["mode"] == "enforcing":  # monitoring: recorded and shown, sent to the owner only
        targets = [*targets_from_roster(roster, env), *targets]
    if not targets:
        return 0
    payload = {"topic": topic, **view}
    key = f"escalation:{view['id']}" if topic == "escalation.opened" else f"{topic}:{view['id']}"
    return int(
        enqueue(
            conn,
            key=key,
            topic=topic,
            payload=payload,
            targets=targets,
            now=now,
        )
        or 0
    )


def _open(
    engine: Engine,
    result: Evaluation,
    *,
    rule: str,
    team: str,
    period: str,
    evidence: dict[str, Any],
    pact: Pact,
    roster: Roster | None,
    env: Mapping[str, str],
    now: datetime,
) -> None:
    """Open one escalation (nothing when another worker or an earlier pass opened it) with its messages."""
    if rule == "sustained":
        cfg = pact.escalation.sustained
        weekday, (hour, minute) = pact.reviews.weekly_day, pact.reviews.weekly_time
        due = next_weekly(now, weekday, hour, minute, pact.timezone)  # the next weekly review
        action = cfg.then
    else:
        rule_cfg = getattr(pact.escalation, rule)
        calendar = pact.business_calendar()
        due = due_after(now, rule_cfg.within, calendar.add_business_days)
        action = rule_cfg.then
    row = {
        "rule": rule,
        "team": team,
        "period": period,
        "action": action,
        "opened_at": now,
        "due_at": due,
        "owner": _owners(rule, pact, roster),
        "mode": pact.mode_in_effect,
        "evidence": evidence,
        "plan": None,
        "resolved_at": None,
        "resolved_by": None,
    }
    with engine.begin() as conn:
        seq = store.open_escalation(conn, row)
        if seq is None:
            return
        stored = store.get_escalation(conn, seq)
        assert stored is not None
        result.opened.append(seq)
        result.messages += _notify(conn, escalation_view(stored, now), roster, env, now)


def _violation(
    conn: Connection, kind: str, period: Period, what: str, roster: Roster | None, now: datetime
) -> int:
    owner = roster.marketing.owner if roster is not None else None
    return record_violations(
        conn,
        [
            {
                "key": f"{kind}:{period.label}",
                "lead_id": "-",
                "n": None,
                "kind": kind,
                "at": period.end,
                "owed_by": "marketing",
                "owner": owner,
                "team": None,
                "what": what,
                "recorded_at": now,
            }
        ],
    )


def evaluate(
    engine: Engine,
    *,
    pact: Pact,
    rules: Rules,
    now: datetime,
    roster: Roster | None = None,
    env: Mapping[str, str] | None = None,
    since: datetime | None = None,
) -> Evaluation:
    """Record marketing's violations of the periods closed by `now` and open the escalations they and sales's
    response call for (DESIGN.md §10). Each step commits on its own: a worker killed midway loses nothing
    the next pass does not do again, and repeats nothing (unique keys). Periods that ended before `since`
    (default: the store's first received event) are left alone."""
    environment = dict(os.environ if env is None else env)
    result = Evaluation()
    with engine.connect() as conn:
        first = store.first_received_at(conn) if since is None else since
    if first is None:
        return result
    tz = pact.timezone
    esc = pact.escalation

    def live(end: datetime) -> bool:
        return end > first

    # marketing volume: per closed week (or month), below `below` x the period's target
    volume: list[Missed] = []
    for p in closed_before(esc.marketing_volume.period, now, tz, PERIODS_BACK):
        if not live(p.end):
            continue
        m = _metric(engine, pact, rules, p.label, now)
        target = float(m["mql_target"] or 0)
        missed = volume_missed(int(m["mql_count"]), target, float(esc.marketing_volume.below))
        volume.append(Missed(p.label, missed))
        if missed:
            what = (
                f"{m['mql_count']} MQLs in {p.label} against a target of {target:.1f} "
                f"(below {float(esc.marketing_volume.below):.0%} of it): {esc.marketing_volume.then}"
            )
            with engine.begin() as conn:
                result.violations += _violation(conn, "marketing_volume", p, what, roster, now)
            evidence = {
                "mql_count": m["mql_count"],
                "mql_target": m["mql_target"],
                "share": int(m["mql_count"]) / target if target else None,
                "below": float(esc.marketing_volume.below),
            }
            _open(
                engine,
                result,
                rule="marketing_volume",
                team="marketing",
                period=p.label,
                evidence=evidence,
                pact=pact,
                roster=roster,
                env=environment,
                now=now,
            )

    # acceptance: per closed month, below targets.acceptance_min (a violation; no escalation rule of its own)
    floor = float(pact.targets.acceptance_min)
    for p in closed_before("month", now, tz, 2):
        if not live(p.end):
            continue
        rate = _metric(engine, pact, rules, p.label, now)["acceptance_rate"]
        if rate_missed(rate, floor):
            what = f"acceptance {rate:.1%} in {p.label}, below the {floor:.0%} marketing committed to"
            with engine.begin() as conn:
                result.violations += _violation(conn, "acceptance", p, what, roster, now)

    # sales response: compliance below the threshold on each of `consecutive_days` business days
    calendar = pact.business_calendar()
    n_days = int(esc.sales_response.consecutive_days)
    below = float(esc.sales_response.compliance_below)
    yesterday = local_date(now, tz) - timedelta(days=1)
    days = business_days_back(lambda d: bool(calendar.windows_on(d)), yesterday, n_days + DAYS_BACK)
    compliance: dict[date, float | None] = {}
    for day in days:
        label = f"{day.isoformat()}..{day.isoformat()}"
        compliance[day] = _metric(engine, pact, rules, label, now)["response_compliance"]
    flags = [Missed(d.isoformat(), rate_missed(compliance[d], below)) for d in days]
    with engine.connect() as conn:
        opened = store.opened_periods(conn, "sales_response", "sales")
    for label in to_open(flags, n_days, opened):
        if not live(parse_period(f"{label}..{label}", tz).end):
            continue
        run = [d for d in days if d.isoformat() <= label][-n_days:]
        evidence = {
            "compliance_below": below,
            "days": [{"day": d.isoformat(), "response_compliance": compliance[d]} for d in run],
        }
        _open(
            engine,
            result,
            rule="sales_response",
            team="sales",
            period=label,
            evidence=evidence,
            pact=pact,
            roster=roster,
            env=environment,
            now=now,
        )

    # sustained: a team with an escalation-worthy miss in each of `consecutive_weeks` weeks
    n_weeks = int(esc.sustained.consecutive_weeks)
    weeks = closed_before("week", now, tz, n_weeks + PERIODS_BACK)
    for team in ("marketing", "sales"):
        with engine.connect() as conn:
            worthy = {
                week_of(period)
                for rule, rule_team in RULE_TEAM.items()
                if rule_team == team
                for period in store.opened_periods(conn, rule, team)
            }
            opened = store.opened_periods(conn, "sustained", team)
        flags = [Missed(w.label, w.label in worthy) for w in weeks]
        for label in to_open(flags, n_weeks, opened):
            week = next(w for w in weeks if w.label == label)
            if not live(week.end):
                continue
            labels = [w.label for w in weeks if w.label <= label][-n_weeks:]
            _open(
                engine,
                result,
                rule="sustained",
                team=team,
                period=label,
                evidence={"weeks": labels, "consecutive_weeks": n_weeks},
                pact=pact,
                roster=roster,
                env=environment,
                now=now,
            )
    # overdue: still open past due; its owners hear of it once (the outbox key)
    with engine.begin() as conn:
        for row in store.list_escalations(conn, unresolved=True):
            view = escalation_view(row, now)
            if view["state"] == OVERDUE:
                result.messages += _notify(conn, view, roster, environment, now, topic="escalation.overdue")
    return result
