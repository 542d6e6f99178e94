"""Every metric of DESIGN.md §5, one meaning everywhere (CLI, API, dashboard, reports).

Each metric counts the rows its "dated by" column names whose date falls in the period; a fact counts only
if it happened at or before `as_of`. Rates are unrounded floats; a rate with no denominator is None.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from leadpact.domain.clocks import BREACHED, MET, Clock
from leadpact.domain.dating import counted, inside
from leadpact.domain.planning import Pace, pace

DIMENSIONS = ("source", "tier", "segment", "rep", "team", "campaign", "cycle")


def dimension_key(row: Any, dimension: str) -> str | None:
    """A row's value in a breakdown: rep is the owner; cycle is first or re-handoff; else the field itself."""
    if dimension == "rep":
        owner: str | None = row.owner
        return owner
    if dimension == "cycle":
        return "first" if row.n == 1 else "rehandoff"
    value: str | None = getattr(row, dimension)
    return value


@dataclass(frozen=True, slots=True)
class HandoffFacts:
    """One cycle as metrics read it (a row of `handoffs`)."""

    lead_id: str
    n: int
    kind: str
    mql_at: datetime | None
    source: str | None
    tier: str | None
    segment: str | None
    owner: str | None
    team: str | None
    campaign: str | None
    first_touch_at: datetime | None
    touches: int
    disposition: str | None
    disposition_at: datetime | None
    sql_at: datetime | None
    opportunity_at: datetime | None
    customer_at: datetime | None
    rejected_at: datetime | None
    disqualified_at: datetime | None
    recycled_at: datetime | None
    outcome_reason: str | None
    min_touch_met: bool | None
    amount: float | None
    first_activity_at: datetime | None
    lead_first_touch_at: datetime | None
    flags: str = "[]"  # the handoff's flags as stored (JSON)
    won_amount: float | None = None

    @property
    def won(self) -> float:
        """What was won: the customer stage's amount when given, else the opportunity's."""
        return float(self.won_amount if self.won_amount is not None else (self.amount or 0.0))

    def incomplete(self, stage: str) -> bool:
        return f'"hygiene:{stage}"' in self.flags

    def key(self, dimension: str) -> str | None:
        return dimension_key(self, dimension)


@dataclass(frozen=True, slots=True)
class ClockFacts:
    clock: Clock
    lead_id: str
    source: str | None
    tier: str | None
    segment: str | None
    owner: str | None
    team: str | None
    campaign: str | None
    n: int

    def key(self, dimension: str) -> str | None:
        return dimension_key(self, dimension)


@dataclass(frozen=True)
class PeriodFacts:
    """The rows of one period, each list already restricted to its dating column."""

    start: datetime
    end: datetime
    cohort: Sequence[HandoffFacts]  # MQL handoffs by MQL instant
    disposed: Sequence[HandoffFacts]  # MQL handoffs by first-disposition time
    closed: Sequence[HandoffFacts]  # disqualified or recycled, by that time
    flagged: Sequence[HandoffFacts]  # rejected or disqualified, by that time
    sqls: Sequence[HandoffFacts]  # by SQL instant
    opportunities: Sequence[HandoffFacts]  # any cycle, by opportunity instant
    won: Sequence[HandoffFacts]  # any cycle, by customer instant
    first_contact: Sequence[ClockFacts]  # by due time
    disposition_clocks: Sequence[ClockFacts]


@dataclass(frozen=True)
class MetricParams:
    reasons: Mapping[str, str]  # code -> action
    reason_alert_share: float
    min_rejections: int
    marketing_sources: frozenset[str]
    business_minutes: Callable[[Sequence[datetime], Sequence[datetime]], Sequence[float]]


def _by(at: datetime | None, as_of: datetime) -> bool:
    return at is not None and at <= as_of


def rate(numerator: int | float, denominator: int | float) -> float | None:
    return None if not denominator else float(numerator) / float(denominator)


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


def reason_breakdown(counts: Mapping[str, int], params: MetricParams) -> dict[str, Any]:
    """Per reason: count, share of all rejections + disqualifications, `flagged` (share above the alert share,
    with at least `min_rejections` of them in all), and marketing's mapped action."""
    total = sum(counts.values())
    out = {}
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        share = count / total
        out[code] = {
            "count": count,
            "share": share,
            "flagged": share > params.reason_alert_share and total >= params.min_rejections,
            "action": params.reasons.get(code),
        }
    return out


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
    with_disposition = [h for h in cohort if _by(h.disposition_at, as_of)]
    accepted = sum(1 for h in with_disposition if h.disposition == "accepted")
    touched = [h for h in cohort if _by(h.first_touch_at, as_of)]
    spans = [
        (h.mql_at, h.first_touch_at) for h in touched if h.mql_at is not None and h.first_touch_at is not None
    ]
    minutes = [(end - start).total_seconds() / 60 for start, end in spans]
    business = (
        list(params.business_minutes([start for start, _ in spans], [end for _, end in spans]))
        if spans
        else []
    )
    disposed = [h for h in p.disposed if counted(h.disposition_at, start, end, as_of)]
    closed = [
        h
        for h in p.closed
        if (counted(h.disqualified_at, start, end, as_of) or counted(h.recycled_at, start, end, as_of))
        and h.min_touch_met is not None  # owed: the replay judged the segment's exemptions
    ]
    sqls = [h for h in p.sqls if counted(h.sql_at, start, end, as_of)]
    opps = [h for h in p.opportunities if counted(h.opportunity_at, start, end, as_of)]
    won = [h for h in p.won if counted(h.customer_at, start, end, as_of)]
    flagged_share = sum(1 for h in cohort if _by(h.rejected_at, as_of) or _by(h.disqualified_at, as_of))
    return {
        "mql_count": n,
        "rehandoff_count": sum(1 for h in cohort if h.n > 1),
        "acceptance_rate": rate(accepted, len(with_disposition)),
        "pending_dispositions": n - len(with_disposition),
        "mql_to_sql": rate(sum(1 for h in cohort if _by(h.sql_at, as_of)), n),
        "sql_to_opp": rate(sum(1 for h in sqls if _by(h.opportunity_at, as_of)), len(sqls)),
        "response_minutes": summary(minutes),
        "response_business_minutes": summary(business),
        "response_compliance": _compliance(
            (c for c in p.first_contact if inside(c.clock.due_at, start, end)), as_of
        ),
        "worked_rate": rate(len(touched), n),
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
    ):
        values.update(r.key(dimension) for r in rows)
    out = {}
    for value in sorted(values, key=lambda v: (v is None, v or "")):
        out[value if value is not None else "(none)"] = core_metrics(
            _slice(p, dimension, value), params, as_of
        )
    return out


def closed_loop(cohort: Sequence[HandoffFacts], as_of: datetime) -> dict[str, Any]:
    """Per source: MQL→customer, won revenue, median days MQL→won; per rep: conversion of their handoffs."""
    by_source: dict[str, list[HandoffFacts]] = defaultdict(list)
    by_rep: dict[str, list[HandoffFacts]] = defaultdict(list)
    for h in cohort:
        by_source[h.source or "(none)"].append(h)
        by_rep[h.owner or "(unassigned)"].append(h)
    sources = {}
    for source, rows in sorted(by_source.items()):
        won = [h for h in rows if _by(h.customer_at, as_of)]
        days = [
            (h.customer_at - h.mql_at).total_seconds() / 86400
            for h in won
            if h.mql_at is not None and h.customer_at is not None
        ]
        sources[source] = {
            "mql_count": len(rows),
            "customers": len(won),
            "mql_to_customer": rate(len(won), len(rows)),
            "won_revenue": float(sum(h.won for h in won)),
            "median_days_to_won": float(np.median(days)) if days else None,
        }
    reps = {}
    for rep, rows in sorted(by_rep.items()):
        reps[rep] = {
            "handoffs": len(rows),
            "accepted": sum(1 for h in rows if h.disposition == "accepted" and _by(h.disposition_at, as_of)),
            "sqls": sum(1 for h in rows if _by(h.sql_at, as_of)),
            "customers": sum(1 for h in rows if _by(h.customer_at, as_of)),
            "mql_to_sql": rate(sum(1 for h in rows if _by(h.sql_at, as_of)), len(rows)),
            "mql_to_customer": rate(sum(1 for h in rows if _by(h.customer_at, as_of)), len(rows)),
        }
    return {"by_source": sources, "by_rep": reps}


@dataclass
class Targets:
    mql_target: float | None = None
    elapsed_share: float | None = None
    source_plan: Mapping[str, float] = field(default_factory=dict)  # planned share of MQLs per source


def _pace(count: int, target: float | None, elapsed: float | None) -> Pace:
    return pace(count, 0 if target is None else target, elapsed)


def document_head(core: dict[str, Any], targets: Targets) -> dict[str, Any]:
    """The document's opening: volume against target, pace, projected end, then every core metric."""
    count = core["mql_count"]
    paced = _pace(count, targets.mql_target, targets.elapsed_share)
    out: dict[str, Any] = {
        "mql_count": count,
        "rehandoff_count": core["rehandoff_count"],
        "mql_target": targets.mql_target,
        "mql_pace": paced.mql_pace,
        "projected": paced.projected,
        "elapsed_share": targets.elapsed_share,
    }
    out.update({k: v for k, v in core.items() if k not in out})
    return out


def source_targets(
    by_source: dict[str, Any], targets: Targets, empty: Callable[[str], dict[str, Any]]
) -> None:
    """Each planned source's share of the target and its pace (`empty(source)`: the entry of a planned
    source with no MQLs)."""
    for source, share in targets.source_plan.items():
        planned = None if targets.mql_target is None else targets.mql_target * share
        entry = by_source.setdefault(source, empty(source))
        entry["mql_target"] = planned
        entry["mql_pace"] = _pace(entry["mql_count"], planned, targets.elapsed_share).mql_pace


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
