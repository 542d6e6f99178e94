"""The core metrics and their breakdowns over columns: the same document as
:mod:`leadpact.domain.metrics.reference` (floats within rounding of a different summation order), so a month
of a large company is computed in milliseconds: every mask once, each breakdown by group codes
(``bincount``), medians and percentiles by one sort per metric and index arithmetic. A property test checks
the two against each other on random rows. Pure: no I/O, ``as_of`` is an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from leadpact.domain import dating
from leadpact.domain.metrics.closed_loop import closed_loop_vec
from leadpact.domain.metrics.columns import (
    F64,
    I64,
    NONE_US,
    B,
    BusinessMinutes,
    ClockColumns,
    Codes,
    HandoffColumns,
    Lists,
    period_lists,
)
from leadpact.domain.metrics.document import Targets, document_head, rate, reason_breakdown, source_targets
from leadpact.domain.metrics.facts import DIMENSIONS, MetricParams
from leadpact.domain.metrics.groups import Groups, Patterns, Values, summaries
from leadpact.domain.timeutil import from_us, to_us


def clock_statuses(c: ClockColumns, as_of: int) -> tuple[B, B]:
    """(met, breached) of each clock by ``Clock.status(as_of)``."""
    cancelled = c.cancelled_at <= as_of
    met_by = ~cancelled & (c.met_at <= as_of)
    met: B = met_by & (c.met_at <= c.due_at)
    breached: B = (met_by & (c.met_at > c.due_at)) | (~cancelled & ~met_by & (as_of > c.due_at))
    return met, breached


@dataclass(frozen=True)
class _Facts:
    """Everything of ``core_metrics`` that does not depend on the group: masks, values, reason codes."""

    h: HandoffColumns
    c: ClockColumns
    cohort: B
    counted: Patterns  # the handoff masks that are counted
    clocks: Patterns  # fc_met, fc_breached, dc_met, dc_breached
    touched: B
    disposed_rows: I64
    touches: F64  # of the disposed rows
    opp_rows: I64
    opp_amounts: tuple[F64, F64, F64]  # of the opportunity rows: all, marketing-sourced, -influenced (else 0)
    won_rows: I64
    won_amounts: tuple[F64, F64, F64]
    minutes: Values  # of the touched cohort rows, in row order
    business: Values
    disposed: B
    opps: B
    won: B
    reasons: B
    reason_code: I64  # into reason_names
    reason_names: tuple[str, ...]


def _facts(
    h: HandoffColumns,
    c: ClockColumns,
    lists: Lists,
    start: int,
    end: int,
    params: MetricParams,
    as_of: int,
    business_minutes: BusinessMinutes,
) -> _Facts:
    def by(at: I64) -> B:
        out: B = at <= as_of
        return out

    def within(at: I64) -> B:
        return dating.counted_vec(at, start, end, as_of)

    cohort = lists.cohort & within(h.mql_at)
    with_disposition = cohort & by(h.disposition_at)
    tracked = cohort & ~h.untracked
    touched = tracked & by(h.first_touch_at)
    spans = np.flatnonzero(touched)
    starts, ends = h.mql_at[spans], h.first_touch_at[spans]
    minutes = (ends - starts) / 1e6 / 60
    business = np.asarray(business_minutes(starts, ends), dtype=np.float64) if spans.size else minutes[:0]
    disqualified, recycled = within(h.disqualified_at), within(h.recycled_at)
    closed = lists.closed & (disqualified | recycled) & h.min_touch_owed & ~h.untracked
    sqls = lists.sqls & within(h.sql_at)
    opps = lists.opportunities & within(h.opportunity_at)
    won = lists.won & within(h.customer_at)
    lost = lists.lost & within(h.closed_lost_at)
    reasons = lists.flagged & (within(h.rejected_at) | disqualified)
    # `outcome_reason or "unknown"`: None and "" count as "unknown"
    labels = [name or "unknown" for name in h.outcome_reason.names]
    names = tuple(dict.fromkeys([*labels, "unknown"]))
    remap = np.asarray([names.index(label) for label in labels] + [names.index("unknown")], dtype=np.int64)
    first_act = h.first_activity_at
    has_first = first_act != NONE_US
    marketing = h.source.where_names(lambda s: s in params.marketing_sources)
    sourced = (
        marketing & has_first & ((h.lead_first_touch_at == NONE_US) | (first_act < h.lead_first_touch_at))
    )
    due_inside = dating.inside_vec(c.due_at, start, end)
    fc, dc = c.first_contact & due_inside, ~c.first_contact & due_inside
    met, breached = clock_statuses(c, as_of)
    disposed = lists.disposed & within(h.disposition_at) & ~h.untracked
    opp_influenced = has_first & (h.opportunity_at != NONE_US) & (first_act <= h.opportunity_at)
    won_influenced = has_first & (h.customer_at != NONE_US) & (first_act <= h.customer_at)
    disposed_rows, opp_rows, won_rows = np.flatnonzero(disposed), np.flatnonzero(opps), np.flatnonzero(won)
    counted = {
        "n": cohort,
        "tracked": tracked,
        "rehandoff": cohort & (h.n > 1),
        "with_disposition": with_disposition,
        "accepted": with_disposition & h.accepted,
        "mql_sql": cohort & by(h.sql_at),
        "sqls": sqls,
        "sql_opp": sqls & by(h.opportunity_at),
        "touched": touched,
        "disposed": disposed,
        "closed": closed,
        "closed_met": closed & h.min_touch_met,
        "flagged": cohort & (by(h.rejected_at) | by(h.disqualified_at)),
        "opps": opps,
        "won": won,
        "lost": lost,
        "hygiene_sql": sqls & ~h.incomplete_sql,
        "hygiene_opp": opps & ~h.incomplete_opportunity,
    }
    return _Facts(
        h=h,
        c=c,
        cohort=cohort,
        counted=Patterns.of(counted, len(h)),
        clocks=Patterns.of(
            {
                "fc_met": fc & met,
                "fc_breached": fc & breached,
                "dc_met": dc & met,
                "dc_breached": dc & breached,
            },
            len(c),
        ),
        touched=touched,
        disposed_rows=disposed_rows,
        touches=h.touches[disposed_rows].astype(np.float64),
        opp_rows=opp_rows,
        opp_amounts=(
            h.amount[opp_rows],
            np.where(sourced[opp_rows], h.amount[opp_rows], 0.0),
            np.where(opp_influenced[opp_rows], h.amount[opp_rows], 0.0),
        ),
        won_rows=won_rows,
        won_amounts=(
            h.won[won_rows],
            np.where(sourced[won_rows], h.won[won_rows], 0.0),
            np.where(won_influenced[won_rows], h.won[won_rows], 0.0),
        ),
        minutes=Values.of(minutes),
        business=Values.of(business),
        disposed=disposed,
        opps=opps,
        won=won,
        reasons=reasons,
        reason_code=remap[h.outcome_reason.codes],
        reason_names=names,
    )


def _cores(f: _Facts, groups: Groups, params: MetricParams) -> list[dict[str, Any]]:
    """``core_metrics`` of every group (and one more, of no rows, at index ``groups.size``)."""
    size = groups.size + 1
    g = groups.handoff

    def total(rows: I64, weights: F64) -> list[float]:
        out: list[float] = np.bincount(g[rows], weights=weights, minlength=size)[:size].tolist()
        return out

    c = f.counted.counts(g, size)
    k = f.clocks.counts(groups.clock, size)
    touches = total(f.disposed_rows, f.touches)
    span_groups = g[f.touched]
    minutes = summaries(span_groups, f.minutes, size)
    business = summaries(span_groups, f.business, size)
    reasons_n = len(f.reason_names)
    reason_counts = (
        np.bincount(g[f.reasons] * reasons_n + f.reason_code[f.reasons], minlength=size * reasons_n)[
            : size * reasons_n
        ]
        .reshape(size, reasons_n)
        .tolist()
    )
    opp = [total(f.opp_rows, w) for w in f.opp_amounts]
    won = [total(f.won_rows, w) for w in f.won_amounts]
    out: list[dict[str, Any]] = []
    for j in range(size):
        counts = {f.reason_names[r]: n for r, n in enumerate(reason_counts[j]) if n}
        n = c["n"][j]
        out.append(
            {
                "mql_count": n,
                "rehandoff_count": c["rehandoff"][j],
                "acceptance_rate": rate(c["accepted"][j], c["with_disposition"][j]),
                "pending_dispositions": n - c["with_disposition"][j],
                "mql_to_sql": rate(c["mql_sql"][j], n),
                "sql_to_opp": rate(c["sql_opp"][j], c["sqls"][j]),
                "response_minutes": minutes[j],
                "response_business_minutes": business[j],
                "response_compliance": rate(k["fc_met"][j], k["fc_met"][j] + k["fc_breached"][j]),
                "worked_rate": rate(c["touched"][j], c["tracked"][j]),
                "touches_per_lead": touches[j] / c["disposed"][j] if c["disposed"][j] else None,
                "min_touch_rate": rate(c["closed_met"][j], c["closed"][j]),
                "disposition_compliance": rate(k["dc_met"][j], k["dc_met"][j] + k["dc_breached"][j]),
                "sales_flagged_rate": rate(c["flagged"][j], n),
                "reasons": reason_breakdown(counts, params),
                "pipeline": _pipeline_doc(opp[0][j], opp[1][j], opp[2][j]),
                "revenue": _pipeline_doc(won[0][j], won[1][j], won[2][j]),
                "hygiene_rate": rate(c["hygiene_sql"][j] + c["hygiene_opp"][j], c["sqls"][j] + c["opps"][j]),
                "opportunities": c["opps"][j],
                "customers": c["won"][j],
                "closed_lost": c["lost"][j],
                "win_rate": rate(c["won"][j], c["won"][j] + c["lost"][j]),
                "touches_tracked": n == 0 or c["tracked"][j] > 0,
            }
        )
    return out


def _pipeline_doc(total: float, sourced: float, influenced: float) -> dict[str, float]:
    return {
        "total": float(total),
        "marketing_sourced": float(sourced),
        "sales_sourced": float(total) - float(sourced),
        "marketing_influenced": float(influenced),
    }


def _cycle_codes(n: I64) -> Codes:
    return Codes(np.where(n == 1, 0, 1).astype(np.int64), ("first", "rehandoff"))


def _dimension(h: HandoffColumns, c: ClockColumns, dimension: str) -> tuple[Codes, Codes]:
    if dimension == "cycle":
        return _cycle_codes(h.n), _cycle_codes(c.n)
    name = "owner" if dimension == "rep" else dimension
    hc: Codes = getattr(h, name)
    cc: Codes = getattr(c, name, None) or Codes(np.full(len(c), -1, dtype=np.int64), ())  # clocks: none
    return hc, cc


def _groups(hc: Codes, cc: Codes, h_rows: B) -> tuple[Groups, list[str | None]]:
    """The values of a breakdown (those of the rows in a list, and of every clock), sorted as
    ``reference.breakdown`` sorts them, and each row's group."""
    h_used = np.flatnonzero(np.bincount(hc.codes[h_rows] + 1, minlength=len(hc.names) + 1)) - 1
    c_used = np.flatnonzero(np.bincount(cc.codes + 1, minlength=len(cc.names) + 1)) - 1
    values: set[str | None] = {None if k < 0 else hc.names[k] for k in h_used.tolist()}
    values.update(None if k < 0 else cc.names[k] for k in c_used.tolist())
    ordered = sorted(values, key=lambda v: (v is None, v or ""))
    index = {v: i for i, v in enumerate(ordered)}
    size = len(ordered)

    def lookup(codes: Codes) -> I64:
        table = np.asarray(
            [index.get(name, size) for name in codes.names] + [index.get(None, size)], np.int64
        )
        out: I64 = table[codes.codes]
        return out

    return Groups(size, lookup(hc), lookup(cc)), ordered


def breakdown_vec(f: _Facts, lists_any: B, params: MetricParams, dimension: str) -> dict[str, Any]:
    """``reference.breakdown`` over columns."""
    hc, cc = _dimension(f.h, f.c, dimension)
    groups, values = _groups(hc, cc, lists_any)
    cores = _cores(f, groups, params)
    out: dict[str, Any] = {}
    for k, value in enumerate(values):
        out[value if value is not None else "(none)"] = cores[k]
    return out


def period_metrics_vec(
    h: HandoffColumns,
    c: ClockColumns,
    start: datetime,
    end: datetime,
    params: MetricParams,
    as_of: datetime,
    targets: Targets,
    business_minutes: BusinessMinutes | None = None,
) -> dict[str, Any]:
    """``reference.period_metrics`` of the period's rows split as ``services.metrics.load_facts`` splits them
    (``period_lists``), over columns. ``business_minutes`` is ``params.business_minutes`` over int64 µs
    arrays; without it ``params.business_minutes`` is called with datetimes."""
    s, e, now = to_us(start), to_us(end), to_us(as_of)
    lists = period_lists(h, s, e)
    f = _facts(h, c, lists, s, e, params, now, business_minutes or _scalar_minutes(params))
    whole = Groups(1, np.zeros(len(h), np.int64), np.zeros(len(c), np.int64))
    core, nobody = _cores(f, whole, params)
    out = document_head(core, targets)
    in_lists = lists.any()
    for dimension in DIMENSIONS:
        out[f"by_{dimension}"] = breakdown_vec(f, in_lists, params, dimension)
    source_targets(out["by_source"], targets, lambda _source: _copy_core(nobody))
    out["closed_loop"] = closed_loop_vec(h, f.cohort, now)
    return out


def _copy_core(core: dict[str, Any]) -> dict[str, Any]:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in core.items()}


def _scalar_minutes(params: MetricParams) -> BusinessMinutes:
    def minutes(starts: I64, ends: I64) -> F64:
        got = params.business_minutes([from_us(int(x)) for x in starts], [from_us(int(x)) for x in ends])
        return np.asarray(list(got), dtype=np.float64)

    return minutes
