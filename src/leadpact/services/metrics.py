"""The metrics of a period, from the store: only the rows dated inside the period are read.

`metrics` takes the period's rows as numpy columns from the month packs (`services.packs`, which read them
from the tables through `store.period_reads` when a month changed) and computes the document with
:mod:`leadpact.domain.metrics.vec`; `metrics_reference` computes the same document the plain way
(`store.facts` and :mod:`leadpact.domain.metrics.reference`), for checks.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine

from leadpact.domain.calendar.vec import business_between_vec
from leadpact.domain.metrics.attribution import attribution, attribution_vec, customer_instant, won_amount
from leadpact.domain.metrics.columns import period_lists
from leadpact.domain.metrics.document import Targets
from leadpact.domain.metrics.facts import MetricParams
from leadpact.domain.metrics.funnel import (
    PlanRates,
    funnel_leak,
    funnel_leak_vec,
    stage_times,
    stage_times_vec,
)
from leadpact.domain.metrics.reference import period_metrics
from leadpact.domain.metrics.vec import period_metrics_vec
from leadpact.domain.periods import Period, parse_period
from leadpact.domain.planning import PlanInputs, elapsed_share, mql_target, waterfall
from leadpact.domain.rules import Rules
from leadpact.domain.timeutil import iso_utc, to_us
from leadpact.pact import Pact
from leadpact.services import packs
from leadpact.store import facts as store_facts


def plan_inputs(pact: Pact, *, revenue: Any = None, per: str | None = None) -> PlanInputs:
    """The waterfall's inputs from the pact's targets (revenue and period overridable); ValueError names a
    bad one."""
    t = pact.targets
    return PlanInputs.of(
        revenue=t.revenue.new_arr if revenue is None else revenue,
        marketing_share=t.revenue.marketing_share,
        close=t.rates.close,
        avg_deal=t.rates.avg_deal,
        sql_to_opp=t.rates.sql_to_opp,
        mql_to_sql=t.rates.mql_to_sql,
        per=str(t.revenue.per) if per is None else per,
    )


def plan_of(pact: Pact) -> Any:
    """The pact's revenue waterfall (DESIGN.md §5)."""
    return waterfall(plan_inputs(pact))


def params_of(pact: Pact, rules: Rules) -> MetricParams:
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
        marketing_sources=frozenset(pact.marketing_sources),
        business_minutes=business_minutes,
    )


def _targets(pact: Pact, rules: Rules, period: Period, as_of: datetime) -> Targets:
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


def _numbers(period: Period, as_of: datetime, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "period": period.label,
        "start": iso_utc(period.start),
        "end": iso_utc(period.end),
        "as_of": iso_utc(as_of),
        **body,
    }


def _document(
    period: Period,
    as_of: datetime,
    body: dict[str, Any],
    attribution_doc: dict[str, Any],
    revenue_doc: dict[str, Any],
    stage_doc: dict[str, Any],
    leak_doc: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        **_numbers(period, as_of, body),
        "attribution": attribution_doc,
        "revenue_attribution": revenue_doc,
        "stage_times": stage_doc,
        "funnel_leak": leak_doc,
    }


def _plan_rates(pact: Pact) -> PlanRates:
    t = pact.targets
    return PlanRates(t.acceptance_min, t.rates.mql_to_sql, t.rates.sql_to_opp, t.rates.close)


def metrics_reference(
    engine: Engine, pact: Pact, rules: Rules, period_text: str, *, as_of: datetime
) -> dict[str, Any]:
    """`metrics` computed row by row by the reference implementation
    (:mod:`leadpact.domain.metrics.reference`)."""
    period = parse_period(period_text, pact.timezone)
    with engine.connect() as conn:
        facts = store_facts.load_facts(conn, period)
        leads = [h.lead_id for h in (*facts.opportunities, *facts.won)]
        activities = store_facts.load_activities(conn, leads, min(as_of, period.end))
    body = period_metrics(facts, params_of(pact, rules), as_of, _targets(pact, rules, period, as_of))
    return _document(
        period,
        as_of,
        body,
        attribution(facts.opportunities, activities, as_of),
        attribution(facts.won, activities, as_of, instant=customer_instant, amount=won_amount),
        stage_times(facts.cohort, as_of),
        funnel_leak(facts.cohort, _plan_rates(pact), as_of),
    )


def metrics(
    engine: Engine,
    pact: Pact,
    rules: Rules,
    period_text: str,
    *,
    as_of: datetime,
    cache: bool = True,
    views: bool = True,
    profile: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The metrics document of DESIGN.md §7 for a period (any syntax of §1) as of an instant.

    The period's rows come from the month packs (`services.packs`), or with `cache=False` straight from the
    tables; the document is the same. With `views=False` the document stops at its numbers: no attribution,
    revenue attribution, stage times or funnel leak (for callers that read only the numbers, every minute:
    `services.escalations`). `profile`, when given, receives the milliseconds of each phase
    (`query`: getting the period's rows; `compute`: the document but attribution; `attribution`: its views),
    of each table read (`read.*`) and pack decoding (`read.pack`), how many months came from a pack
    (`packs.used`) or were read again (`packs.built`), and the rows used (`rows.*`)."""
    t0 = time.perf_counter()
    period = parse_period(period_text, pact.timezone)
    calendar = rules.calendar()
    saves: list[packs.Save] = []  # saved once the document is computed
    cols = packs.period_columns(engine, period, cache=cache, profile=profile, saves=saves)
    h, c, acts = cols.handoffs, cols.clocks, cols.activities
    t1 = time.perf_counter()

    def business_minutes(starts: Any, ends: Any) -> Any:
        a, b = starts.view("datetime64[us]"), ends.view("datetime64[us]")
        return business_between_vec(calendar, a, b).astype("int64") / 60e6

    body = period_metrics_vec(
        h,
        c,
        period.start,
        period.end,
        params_of(pact, rules),
        as_of,
        _targets(pact, rules, period, as_of),
        business_minutes,
    )
    if not views:
        packs.save(saves)
        return _numbers(period, as_of, body)
    lists = period_lists(h, to_us(period.start), to_us(period.end))
    stage_doc = stage_times_vec(h, lists.cohort, as_of)
    leak_doc = funnel_leak_vec(h, lists.cohort, _plan_rates(pact), as_of)
    t2 = time.perf_counter()
    attribution_doc = attribution_vec(h, lists.opportunities, h.opportunity_at, acts, as_of)
    revenue_doc = attribution_vec(h, lists.won, h.customer_at, acts, as_of, h.won)
    t3 = time.perf_counter()
    if profile is not None:
        profile.update(query=(t1 - t0) * 1000, compute=(t2 - t1) * 1000, attribution=(t3 - t2) * 1000)
        profile["rows.handoffs"] = len(h)
        profile["rows.clocks"] = len(c)
        profile["rows.activities"] = len(acts.at)
    packs.save(saves)
    return _document(period, as_of, body, attribution_doc, revenue_doc, stage_doc, leak_doc)
