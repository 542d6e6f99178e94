"""The metrics of a period, from the store: only the rows dated inside the period are read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, and_, or_, select

from leadpact.domain.attribution import Activity, attribution, customer_instant
from leadpact.domain.calendar_vec import business_between_vec
from leadpact.domain.funnel import PlanRates, funnel_leak, stage_times
from leadpact.domain.metrics import (
    ClockFacts,
    HandoffFacts,
    MetricParams,
    PeriodFacts,
    Targets,
    period_metrics,
)
from leadpact.domain.periods import Period, parse_period
from leadpact.domain.planning import PlanInputs, elapsed_share, mql_target, waterfall
from leadpact.domain.timeutil import iso_utc
from leadpact.store.clocks import clock_from_row
from leadpact.store.tables import clocks, events, handoffs

_FACT_COLUMNS = [f.name for f in fields(HandoffFacts)]


def plan_of(pact: Any) -> Any:
    """The pact's revenue waterfall (DESIGN.md §5)."""
    t = pact.targets
    return waterfall(
        PlanInputs.of(
            revenue=t.revenue.new_arr,
            marketing_share=t.revenue.marketing_share,
            close=t.rates.close,
            avg_deal=t.rates.avg_deal,
            sql_to_opp=t.rates.sql_to_opp,
            mql_to_sql=t.rates.mql_to_sql,
            per=str(t.revenue.per),
        )
    )


def params_of(pact: Any, rules: Any) -> MetricParams:
    calendar = rules.calendar()

    def business_minutes(starts: Sequence[datetime], ends: Sequence[datetime]) -> Sequence[float]:
        a = np.array([s.replace(tzinfo=None) for s in starts], dtype="datetime64[us]")
        b = np.array([e.replace(tzinfo=None) for e in ends], dtype="datetime64[us]")
        spans = business_between_vec(calendar, a, b)
        return list(spans.astype("int64") / 60e6)

    return MetricParams(
        reasons=dict(pact.reasons),
        reason_alert_share=float(pact.feedback.reason_alert_share),
        min_rejections=int(pact.feedback.min_rejections),
        exempt_reasons=frozenset(pact.touches.exempt_reasons),
        marketing_sources=frozenset(pact.marketing_sources),
        business_minutes=business_minutes,
    )


def _range(column: Any, period: Period) -> Any:
    return and_(column >= period.start, column < period.end)


def load_facts(conn: Connection, period: Period) -> PeriodFacts:
    h = handoffs.c
    columns = [getattr(h, name) for name in _FACT_COLUMNS]
    dated = (
        h.mql_at,
        h.disposition_at,
        h.disqualified_at,
        h.recycled_at,
        h.rejected_at,
        h.sql_at,
        h.opportunity_at,
        h.customer_at,
    )
    rows = conn.execute(select(*columns).where(or_(*(_range(c, period) for c in dated)))).all()
    facts = [HandoffFacts(*row) for row in rows]

    def inside(at: datetime | None) -> bool:
        return at is not None and period.start <= at < period.end

    mql = [f for f in facts if f.kind == "mql"]
    c = clocks.c
    clock_rows = (
        conn.execute(
            select(clocks, h.source, h.campaign)
            .join(handoffs, and_(h.lead_id == c.lead_id, h.n == c.n))
            .where(c.kind.in_(("first_contact", "disposition")), _range(c.due_at, period))
        )
        .mappings()
        .all()
    )
    clock_facts = {"first_contact": [], "disposition": []}  # type: dict[str, list[ClockFacts]]
    for r in clock_rows:
        clock_facts[r["kind"]].append(
            ClockFacts(
                clock_from_row(r),
                r["lead_id"],
                r["source"],
                r["tier"],
                r["segment"],
                r["owner"],
                r["team"],
                r["campaign"],
                r["n"],
            )
        )
    return PeriodFacts(
        start=period.start,
        end=period.end,
        cohort=[f for f in mql if inside(f.mql_at)],
        disposed=[f for f in mql if inside(f.disposition_at)],
        closed=[f for f in facts if inside(f.disqualified_at) or inside(f.recycled_at)],
        flagged=[f for f in facts if inside(f.rejected_at) or inside(f.disqualified_at)],
        sqls=[f for f in facts if inside(f.sql_at)],
        opportunities=[f for f in facts if inside(f.opportunity_at)],
        won=[f for f in facts if inside(f.customer_at)],
        first_contact=clock_facts["first_contact"],
        disposition_clocks=clock_facts["disposition"],
    )


def load_activities(conn: Connection, lead_ids: Iterable[str], until: datetime) -> dict[str, list[Activity]]:
    """The `activity` events of these leads at or before `until`, per lead, oldest first (for attribution:
    the period's opportunity and customer leads). One query per 900 leads (SQLite's bound-parameter limit)."""
    ids = sorted(set(lead_ids))
    e = events.c
    out: dict[str, list[Activity]] = {}
    for i in range(0, len(ids), 900):
        query = (
            select(e.lead_id, e.at, e.data)
            .where(e.type == "activity", e.lead_id.in_(ids[i : i + 900]), e.at <= until)
            .order_by(e.lead_id, e.at, e.seq)
        )
        for lead_id, at, data in conn.execute(query):
            d = json.loads(data)
            out.setdefault(lead_id, []).append(
                Activity(at, d.get("kind", ""), d.get("asset"), d.get("campaign"))
            )
    return out


def _targets(pact: Any, rules: Any, period: Period, as_of: datetime) -> Targets:
    calendar = rules.calendar()
    plan = plan_of(pact)
    target = mql_target(period, plan, calendar.business_days_between)
    elapsed = elapsed_share(period, as_of, calendar.business_between)
    shares = {k: float(v) for k, v in pact.targets.sources.items()}
    total = sum(shares.values())
    return Targets(
        mql_target=float(target),
        elapsed_share=None if elapsed is None else float(elapsed),
        source_plan={k: v / total for k, v in shares.items()} if total else {},
    )


def metrics(engine: Engine, pact: Any, rules: Any, period_text: str, *, as_of: datetime) -> dict[str, Any]:
    """The metrics document of DESIGN.md §7 for a period (any syntax of §1) as of an instant."""
    period = parse_period(period_text, pact.timezone)
    with engine.connect() as conn:
        facts = load_facts(conn, period)
        leads = [h.lead_id for h in (*facts.opportunities, *facts.won)]
        activities = load_activities(conn, leads, min(as_of, period.end))
    body = period_metrics(facts, params_of(pact, rules), as_of, _targets(pact, rules, period, as_of))
    t = pact.targets
    plan_rates = PlanRates(t.acceptance_min, t.rates.mql_to_sql, t.rates.sql_to_opp, t.rates.close)
    return {
        "period": period.label,
        "start": iso_utc(period.start),
        "end": iso_utc(period.end),
        "as_of": iso_utc(as_of),
        **body,
        "attribution": attribution(facts.opportunities, activities, as_of),
        "revenue_attribution": attribution(facts.won, activities, as_of, instant=customer_instant),
        "stage_times": stage_times(facts.cohort, as_of),
        "funnel_leak": funnel_leak(facts.cohort, plan_rates, as_of),
    }
