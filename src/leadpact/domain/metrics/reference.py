"""The core metrics and their breakdowns, row by row: the reference the vectorised twin
(:mod:`leadpact.domain.metrics.vec`) is held to, and the full document of DESIGN.md §7 for one period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from leadpact.domain.clocks import BREACHED, MET
from leadpact.domain.dating import by, counted, inside
from leadpact.domain.metrics.closed_loop import closed_loop
from leadpact.domain.metrics.document import Targets, document_head, rate, reason_breakdown, source_targets
from leadpact.domain.metrics.facts import DIMENSIONS, ClockFacts, HandoffFacts, MetricParams, PeriodFacts


def summary(values: Sequence[float]) -> dict[str, float | None]:
    """median (mean of the two middle values when even), mean, p90 (linear interpolation)."""
    if not values:
        return {"median": None, "mean": None, "p90": None}
    arr = np.asarray(values, dtype=float)
    return {"median": float(np.median(arr)), "mean": float(arr.mean()), "p90": float(np.percentile(arr, 90))}


def _compliance(clocks: Iterable[ClockFacts], as_of: datetime) -> float | None:
    met = breached = 0
    for c in clocks:
        status = c.clock.status(as_of)
        met += status == MET
        breached += status == BREACHED
    return rate(met, met + breached)


def _reasons(
    flagged: Sequence[HandoffFacts], p: PeriodFacts, params: MetricParams, as_of: datetime
) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for h in flagged:
        if counted(h.rejected_at, p.start, p.end, as_of) or counted(h.disqualified_at, p.start, p.end, as_of):
            counts[h.outcome_reason or "unknown"] += 1
    return reason_breakdown(counts, params)


def _pipeline(
    rows: Sequence[HandoffFacts],
    params: MetricParams,
    at_of: Callable[[HandoffFacts], datetime | None],
    won: bool = False,
) -> dict[str, float]:
    total = sourced = influenced = 0.0
    for h in rows:
        amount = h.won if won else float(h.amount or 0.0)
        total += amount
        first_act = h.first_activity_at
        if (
            h.source in params.marketing_sources
            and first_act is not None
            and (h.lead_first_touch_at is None or first_act < h.lead_first_touch_at)
        ):
            sourced += amount
        instant = at_of(h)
        if first_act is not None and instant is not None and first_act <= instant:
            influenced += amount
    return {
        "total": total,
        "marketing_sourced": sourced,
        "sales_sourced": total - sourced,
        "marketing_influenced": influenced,
    }


def core_metrics(p: PeriodFacts, params: MetricParams, as_of: datetime) -> dict[str, Any]:
    """Every metric but the targets, over one set of period rows (the whole, or one slice of a breakdown)."""
    start, end = p.start, p.end
    cohort = [h for h in p.cohort if counted(h.mql_at, start, end, as_of)]
    n = len(cohort)
    with_disposition = [h for h in cohort if by(h.disposition_at, as_of)]
    accepted = sum(1 for h in with_disposition if h.disposition == "accepted")
    tracked = [h for h in cohort if h.tracked]  # response and touches: only where touches were recorded
    touched = [h for h in tracked if by(h.first_touch_at, as_of)]
    spans = [
        (h.mql_at, h.first_touch_at) for h in touched if h.mql_at is not None and h.first_touch_at is not None
    ]
    minutes = [(end - start).total_seconds() / 60 for start, end in spans]
    business = (
        list(params.business_minutes([start for start, _ in spans], [end for _, end in spans]))
        if spans
        else []
    )
    disposed = [h for h in p.disposed if counted(h.disposition_at, start, end, as_of) and h.tracked]
    closed = [
        h
        for h in p.closed
        if (counted(h.disqualified_at, start, end, as_of) or counted(h.recycled_at, start, end, as_of))
        and h.min_touch_met is not None  # owed: the replay judged the segment's exemptions
        and h.tracked
    ]
    sqls = [h for h in p.sqls if counted(h.sql_at, start, end, as_of)]
    opps = [h for h in p.opportunities if counted(h.opportunity_at, start, end, as_of)]
    won = [h for h in p.won if counted(h.customer_at, start, end, as_of)]
    lost = [h for h in p.lost if counted(h.closed_lost_at, start, end, as_of)]
    flagged_share = sum(1 for h in cohort if by(h.rejected_at, as_of) or by(h.disqualified_at, as_of))
    return {
        "mql_count": n,
        "rehandoff_count": sum(1 for h in cohort if h.n > 1),
        "acceptance_rate": rate(accepted, len(with_disposition)),
        "pending_dispositions": n - len(with_disposition),
        "mql_to_sql": rate(sum(1 for h in cohort if by(h.sql_at, as_of)), n),
        "sql_to_opp": rate(sum(1 for h in sqls if by(h.opportunity_at, as_of)), len(sqls)),
        "response_minutes": summary(minutes),
        "response_business_minutes": summary(business),
        "response_compliance": _compliance(
            (c for c in p.first_contact if inside(c.clock.due_at, start, end)), as_of
        ),
        "worked_rate": rate(len(touched), len(tracked)),
        "touches_per_lead": (float(np.mean([h.touches for h in disposed])) if disposed else None),
        "min_touch_rate": rate(sum(1 for h in closed if h.min_touch_met), len(closed)),
        "disposition_compliance": _compliance(
            (c for c in p.disposition_clocks if inside(c.clock.due_at, start, end)), as_of
        ),
        "sales_flagged_rate": rate(flagged_share, n),
        "reasons": _reasons(p.flagged, p, params, as_of),
        "pipeline": _pipeline(opps, params, lambda h: h.opportunity_at),
        "revenue": _pipeline(won, params, lambda h: h.customer_at, won=True),
        "hygiene_rate": rate(
            sum(1 for h in sqls if not h.incomplete("sql"))
            + sum(1 for h in opps if not h.incomplete("opportunity")),
            len(sqls) + len(opps),
        ),
        "opportunities": len(opps),
        "customers": len(won),
        "closed_lost": len(lost),
        "win_rate": rate(len(won), len(won) + len(lost)),  # deals by their close instant (§5)
        "touches_tracked": not cohort or bool(tracked),  # false: every handoff came without touch data
    }


def _slice(p: PeriodFacts, dimension: str, value: str | None) -> PeriodFacts:
    def keep(rows: Sequence[Any]) -> list[Any]:
        return [r for r in rows if r.key(dimension) == value]

    return PeriodFacts(
        p.start,
        p.end,
        keep(p.cohort),
        keep(p.disposed),
        keep(p.closed),
        keep(p.flagged),
        keep(p.sqls),
        keep(p.opportunities),
        keep(p.won),
        keep(p.first_contact),
        keep(p.disposition_clocks),
        keep(p.lost),
    )


def breakdown(p: PeriodFacts, params: MetricParams, as_of: datetime, dimension: str) -> dict[str, Any]:
    values: set[str | None] = set()
    for rows in (
        p.cohort,
        p.disposed,
        p.closed,
        p.flagged,
        p.sqls,
        p.opportunities,
        p.won,
        p.first_contact,
        p.disposition_clocks,
        p.lost,
    ):
        values.update(r.key(dimension) for r in rows)
    out = {}
    for value in sorted(values, key=lambda v: (v is None, v or "")):
        out[value if value is not None else "(none)"] = core_metrics(
            _slice(p, dimension, value), params, as_of
        )
    return out


def period_metrics(p: PeriodFacts, params: MetricParams, as_of: datetime, targets: Targets) -> dict[str, Any]:
    """The full metrics document of DESIGN.md §7 for one period (without the period header)."""
    out = document_head(core_metrics(p, params, as_of), targets)
    for dimension in DIMENSIONS:
        out[f"by_{dimension}"] = breakdown(p, params, as_of, dimension)
    source_targets(
        out["by_source"], targets, lambda source: core_metrics(_slice(p, "source", source), params, as_of)
    )
    out["closed_loop"] = closed_loop([h for h in p.cohort if counted(h.mql_at, p.start, p.end, as_of)], as_of)
    return out
