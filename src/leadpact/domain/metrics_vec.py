"""The metrics of :mod:`leadpact.domain.metrics` over columns: the same document, computed with numpy.

:mod:`leadpact.domain.metrics` stays the reference (one row at a time, easy to read); this module gives the
identical document (floats within rounding of a different summation order) over numpy columns of the
period's rows, so a month of a large company is computed in milliseconds: every mask once, each breakdown
by group codes (``bincount``), medians and percentiles by one sort per metric and index arithmetic. A
property test checks the two against each other on random rows.

Instants are int64 microseconds UTC; ``NONE_US`` (int64 max) stands for a missing instant, so that "at or
before ``as_of``" and "inside the period" are false for it without a separate mask. Strings are
:class:`Codes`: an index per row into a tuple of names, -1 for None. Pure: no I/O, ``as_of`` is an argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from leadpact.domain import dating
from leadpact.domain.attribution import DIMENSIONS as CREDIT_DIMENSIONS
from leadpact.domain.attribution import MODELS, NONE, Activity, split_exactly
from leadpact.domain.funnel import PlanRates, leak_lines
from leadpact.domain.metrics import (
    DIMENSIONS,
    ClockFacts,
    HandoffFacts,
    MetricParams,
    Targets,
    document_head,
    rate,
    reason_breakdown,
    source_targets,
)
from leadpact.domain.timeutil import from_us, to_us

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
NONE_US = np.iinfo(np.int64).max

#: business minutes of each (start, end) pair of int64 µs arrays, as floats (``MetricParams.business_minutes``
#: over arrays)
BusinessMinutes = Callable[[I64, I64], F64]


def instants(values: Iterable[datetime | None]) -> I64:
    return np.fromiter((NONE_US if v is None else to_us(v) for v in values), dtype=np.int64)


@dataclass(frozen=True)
class Codes:
    """A string column: ``names[codes[i]]``, or None where ``codes[i] == -1``."""

    codes: I64
    names: tuple[str, ...]

    @staticmethod
    def of(values: Iterable[str | None]) -> Codes:
        items = list(values)
        names = tuple(v for v in dict.fromkeys(items) if v is not None)
        index: dict[str | None, int] = {v: k for k, v in enumerate(names)}
        index[None] = -1
        codes = np.fromiter(map(index.__getitem__, items), dtype=np.int64, count=len(items))
        return Codes(codes, names)

    def value(self, i: int) -> str | None:
        c = int(self.codes[i])
        return None if c < 0 else self.names[c]

    def take(self, index: I64 | B) -> Codes:
        return Codes(self.codes[index], self.names)

    def where_names(self, test: Callable[[str], bool]) -> B:
        """Per row: its value is not None and passes ``test``."""
        table = np.asarray([bool(test(name)) for name in self.names] + [False], dtype=bool)
        return table[self.codes]  # -1 takes the trailing False


@dataclass(frozen=True)
class HandoffColumns:
    """The handoff rows of a period (each row once), as :class:`HandoffFacts` hold them."""

    lead_id: Sequence[str]
    n: I64
    mql: B  # kind == "mql"
    mql_at: I64
    first_touch_at: I64
    disposition_at: I64
    sql_at: I64
    opportunity_at: I64
    customer_at: I64
    rejected_at: I64
    disqualified_at: I64
    recycled_at: I64
    first_activity_at: I64
    lead_first_touch_at: I64
    touches: I64
    accepted: B  # disposition == "accepted"
    min_touch_met: B  # truthy
    min_touch_owed: B  # min_touch_met is not None: a close that owed the minimum touches
    amount: F64  # amount or 0.0
    won: F64  # HandoffFacts.won
    incomplete_sql: B
    incomplete_opportunity: B
    source: Codes
    tier: Codes
    segment: Codes
    owner: Codes
    team: Codes
    campaign: Codes
    outcome_reason: Codes

    def __len__(self) -> int:
        return int(self.n.size)

    @staticmethod
    def of(rows: Sequence[HandoffFacts]) -> HandoffColumns:
        return HandoffColumns(
            lead_id=[h.lead_id for h in rows],
            n=np.fromiter((h.n for h in rows), dtype=np.int64, count=len(rows)),
            mql=np.fromiter((h.kind == "mql" for h in rows), dtype=bool, count=len(rows)),
            mql_at=instants(h.mql_at for h in rows),
            first_touch_at=instants(h.first_touch_at for h in rows),
            disposition_at=instants(h.disposition_at for h in rows),
            sql_at=instants(h.sql_at for h in rows),
            opportunity_at=instants(h.opportunity_at for h in rows),
            customer_at=instants(h.customer_at for h in rows),
            rejected_at=instants(h.rejected_at for h in rows),
            disqualified_at=instants(h.disqualified_at for h in rows),
            recycled_at=instants(h.recycled_at for h in rows),
            first_activity_at=instants(h.first_activity_at for h in rows),
            lead_first_touch_at=instants(h.lead_first_touch_at for h in rows),
            touches=np.fromiter((h.touches for h in rows), dtype=np.int64, count=len(rows)),
            accepted=np.fromiter((h.disposition == "accepted" for h in rows), dtype=bool, count=len(rows)),
            min_touch_met=np.fromiter((bool(h.min_touch_met) for h in rows), dtype=bool, count=len(rows)),
            min_touch_owed=np.fromiter(
                (h.min_touch_met is not None for h in rows), dtype=bool, count=len(rows)
            ),
            amount=np.fromiter((float(h.amount or 0.0) for h in rows), dtype=np.float64, count=len(rows)),
            won=np.fromiter((h.won for h in rows), dtype=np.float64, count=len(rows)),
            incomplete_sql=np.fromiter((h.incomplete("sql") for h in rows), dtype=bool, count=len(rows)),
            incomplete_opportunity=np.fromiter(
                (h.incomplete("opportunity") for h in rows), dtype=bool, count=len(rows)
            ),
            source=Codes.of(h.source for h in rows),
            tier=Codes.of(h.tier for h in rows),
            segment=Codes.of(h.segment for h in rows),
            owner=Codes.of(h.owner for h in rows),
            team=Codes.of(h.team for h in rows),
            campaign=Codes.of(h.campaign for h in rows),
            outcome_reason=Codes.of(h.outcome_reason for h in rows),
        )


@dataclass(frozen=True)
class ClockColumns:
    """The first-contact and disposition clocks of a period (``PeriodFacts.first_contact`` and
    ``.disposition_clocks``), as :class:`ClockFacts` hold them."""

    lead_id: Sequence[str]
    first_contact: B  # True: a first-contact clock, False: a disposition clock
    due_at: I64
    met_at: I64
    cancelled_at: I64
    n: I64
    source: Codes
    tier: Codes
    segment: Codes
    owner: Codes
    team: Codes
    campaign: Codes

    def __len__(self) -> int:
        return int(self.n.size)

    @staticmethod
    def of(first_contact: Sequence[ClockFacts], disposition: Sequence[ClockFacts]) -> ClockColumns:
        rows = [*first_contact, *disposition]
        return ClockColumns(
            lead_id=[c.lead_id for c in rows],
            first_contact=np.arange(len(rows)) < len(first_contact),
            due_at=instants(c.clock.due_at for c in rows),
            met_at=instants(c.clock.met_at for c in rows),
            cancelled_at=instants(c.clock.cancelled_at for c in rows),
            n=np.fromiter((c.n for c in rows), dtype=np.int64, count=len(rows)),
            source=Codes.of(c.source for c in rows),
            tier=Codes.of(c.tier for c in rows),
            segment=Codes.of(c.segment for c in rows),
            owner=Codes.of(c.owner for c in rows),
            team=Codes.of(c.team for c in rows),
            campaign=Codes.of(c.campaign for c in rows),
        )


@dataclass(frozen=True)
class ActivityColumns:
    """Activities of leads (``Activity`` per row), for attribution."""

    lead: Codes  # the lead of each activity
    at: I64
    asset: Codes
    campaign: Codes
    source: Codes

    @staticmethod
    def of(activities: Mapping[str, Sequence[Activity]]) -> ActivityColumns:
        rows = [(lead, a) for lead, acts in activities.items() for a in acts]
        return ActivityColumns(
            lead=Codes.of(lead for lead, _ in rows),
            at=instants(a.at for _, a in rows),
            asset=Codes.of(a.asset for _, a in rows),
            campaign=Codes.of(a.campaign for _, a in rows),
            source=Codes.of(a.source for _, a in rows),
        )


@dataclass(frozen=True)
class Lists:
    """Which rows are in which list of ``PeriodFacts`` (the services' split of the period's rows)."""

    cohort: B
    disposed: B
    closed: B
    flagged: B
    sqls: B
    opportunities: B
    won: B

    def any(self) -> B:
        out: B = (
            self.cohort
            | self.disposed
            | self.closed
            | self.flagged
            | self.sqls
            | self.opportunities
            | self.won
        )
        return out


def period_lists(h: HandoffColumns, start: int, end: int) -> Lists:
    """The lists of ``PeriodFacts`` over the period's handoff rows, each by its dating columns
    (``domain.dating``)."""
    return Lists(**dating.lists_vec(h, start, end))


# ------------------------------------------------------------------------------------------ group helpers


def _count(g: I64, mask: B, size: int) -> I64:
    out: I64 = np.bincount(g[mask], minlength=size)[:size]
    return out


def _sum(g: I64, mask: B, weights: F64 | I64, size: int) -> F64:
    out: F64 = np.bincount(g[mask], weights=weights[mask], minlength=size)[:size].astype(np.float64)
    return out


@dataclass(frozen=True)
class _Values:
    """Values to summarise per group, sorted once (each grouping then only sorts group ids)."""

    values: F64
    order: I64  # argsort of the values
    ordered: F64

    @staticmethod
    def of(values: F64) -> _Values:
        order = np.argsort(values, kind="stable").astype(np.int64)
        return _Values(values, order, values[order])


def _group_sort(g: I64, size: int) -> I64:
    """A stable argsort of group ids (a radix sort on small integer types)."""
    small = g.astype(np.int16) if size < 32_000 else g
    out: I64 = np.argsort(small, kind="stable").astype(np.int64)
    return out


def _summaries(g: I64, v: _Values, size: int) -> list[dict[str, float | None]]:
    """``metrics.summary`` of each group's values (``g``: the group of each value): median, mean, p90
    (numpy's linear interpolation, with numpy's own arithmetic)."""
    empty: dict[str, float | None] = {"median": None, "mean": None, "p90": None}
    if not v.values.size:
        return [dict(empty) for _ in range(size)]
    counts = np.bincount(g, minlength=size)[:size]
    grouped = v.ordered[_group_sort(g[v.order], size)]  # by group, then by value
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sums = np.bincount(g, weights=v.values, minlength=size)[:size]
    has = counts > 0
    n = np.where(has, counts, 1)
    last = grouped.size - 1

    def at(i: I64) -> F64:
        out: F64 = grouped[np.minimum(starts + i, last)]
        return out

    lo, hi = at((n - 1) // 2), at(n // 2)
    median = np.where(n % 2 == 1, lo, (lo + hi) / 2)
    virtual = (n - 1) * (np.asarray(90) / 100)
    prev = np.floor(virtual)
    above = virtual >= n - 1
    a = at(np.where(above, n - 1, prev).astype(np.int64))
    b = at(np.where(above, n - 1, prev + 1).astype(np.int64))
    gamma = virtual - prev
    diff = b - a
    p90 = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    mean = sums / n
    out: list[dict[str, float | None]] = []
    for k, (m, avg, p) in enumerate(zip(median.tolist(), mean.tolist(), p90.tolist(), strict=True)):
        out.append({"median": m, "mean": avg, "p90": p} if has[k] else dict(empty))
    return out


def _medians(g: I64, values: F64, size: int) -> list[float | None]:
    return [s["median"] for s in _summaries(g, _Values.of(values), size)]


@dataclass(frozen=True)
class _Patterns:
    """Boolean masks over the same rows, counted per group at once: each row's combination of masks is a
    pattern; a grouping counts (group, pattern) pairs once and multiplies by the patterns' masks."""

    names: tuple[str, ...]
    pattern: I64  # per row
    table: I64  # patterns x masks, 0/1

    @staticmethod
    def of(masks: Mapping[str, B], rows: int) -> _Patterns:
        names = tuple(masks)
        bits = np.zeros(rows, dtype=np.int64)
        for k, name in enumerate(names):
            bits |= masks[name].astype(np.int64) << k
        if len(names) <= 20:  # few masks: the patterns by a lookup table, no sort
            unique = np.flatnonzero(np.bincount(bits, minlength=1 << len(names))).astype(np.int64)
            lookup = np.zeros(1 << len(names), dtype=np.int64)
            lookup[unique] = np.arange(unique.size)
            pattern = lookup[bits]
        else:
            unique, pattern = np.unique(bits, return_inverse=True)
        table = ((unique[:, None] >> np.arange(len(names))) & 1).astype(np.int64)
        return _Patterns(names, pattern.reshape(-1).astype(np.int64), table)

    def counts(self, g: I64, size: int) -> dict[str, list[int]]:
        p = self.table.shape[0]
        pairs = np.bincount(g * p + self.pattern, minlength=size * p)[: size * p].reshape(size, p)
        totals = pairs @ self.table  # size x masks
        return {name: totals[:, k].tolist() for k, name in enumerate(self.names)}


@dataclass(frozen=True)
class _Groups:
    """One breakdown: each handoff row's and clock's group (0..size-1; ``size`` itself: in no group)."""

    size: int
    handoff: I64
    clock: I64


def _statuses(c: ClockColumns, as_of: int) -> tuple[B, B]:
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
    counted: _Patterns  # the handoff masks that are counted
    clocks: _Patterns  # fc_met, fc_breached, dc_met, dc_breached
    touched: B
    disposed_rows: I64
    touches: F64  # of the disposed rows
    opp_rows: I64
    opp_amounts: tuple[F64, F64, F64]  # of the opportunity rows: all, marketing-sourced, -influenced (else 0)
    won_rows: I64
    won_amounts: tuple[F64, F64, F64]
    minutes: _Values  # of the touched cohort rows, in row order
    business: _Values
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
    touched = cohort & by(h.first_touch_at)
    spans = np.flatnonzero(touched)
    starts, ends = h.mql_at[spans], h.first_touch_at[spans]
    minutes = (ends - starts) / 1e6 / 60
    business = np.asarray(business_minutes(starts, ends), dtype=np.float64) if spans.size else minutes[:0]
    disqualified, recycled = within(h.disqualified_at), within(h.recycled_at)
    closed = lists.closed & (disqualified | recycled) & h.min_touch_owed
    sqls = lists.sqls & within(h.sql_at)
    opps = lists.opportunities & within(h.opportunity_at)
    won = lists.won & within(h.customer_at)
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
    met, breached = _statuses(c, as_of)
    disposed = lists.disposed & within(h.disposition_at)
    opp_influenced = has_first & (h.opportunity_at != NONE_US) & (first_act <= h.opportunity_at)
    won_influenced = has_first & (h.customer_at != NONE_US) & (first_act <= h.customer_at)
    disposed_rows, opp_rows, won_rows = np.flatnonzero(disposed), np.flatnonzero(opps), np.flatnonzero(won)
    counted = {
        "n": cohort,
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
        "hygiene_sql": sqls & ~h.incomplete_sql,
        "hygiene_opp": opps & ~h.incomplete_opportunity,
    }
    return _Facts(
        h=h,
        c=c,
        cohort=cohort,
        counted=_Patterns.of(counted, len(h)),
        clocks=_Patterns.of(
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
        minutes=_Values.of(minutes),
        business=_Values.of(business),
        disposed=disposed,
        opps=opps,
        won=won,
        reasons=reasons,
        reason_code=remap[h.outcome_reason.codes],
        reason_names=names,
    )


def _cores(f: _Facts, groups: _Groups, params: MetricParams) -> list[dict[str, Any]]:
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
    minutes = _summaries(span_groups, f.minutes, size)
    business = _summaries(span_groups, f.business, size)
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
                "worked_rate": rate(c["touched"][j], n),
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
    cc: Codes = getattr(c, name)
    return hc, cc


def _groups(hc: Codes, cc: Codes, h_rows: B) -> tuple[_Groups, list[str | None]]:
    """The values of a breakdown (those of the rows in a list, and of every clock), sorted as
    ``metrics.breakdown`` sorts them, and each row's group."""
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

    return _Groups(size, lookup(hc), lookup(cc)), ordered


def breakdown_vec(f: _Facts, lists_any: B, params: MetricParams, dimension: str) -> dict[str, Any]:
    """``metrics.breakdown`` over columns."""
    hc, cc = _dimension(f.h, f.c, dimension)
    groups, values = _groups(hc, cc, lists_any)
    cores = _cores(f, groups, params)
    out: dict[str, Any] = {}
    for k, value in enumerate(values):
        out[value if value is not None else "(none)"] = cores[k]
    return out


def _labels(codes: Codes, none: str) -> tuple[I64, list[str]]:
    """Group codes by ``value or none`` (None and "" both become ``none``), the labels sorted."""
    labels = [name or none for name in codes.names]
    ordered = sorted({*labels, none})
    index = {label: i for i, label in enumerate(ordered)}
    table = np.asarray([index[label] for label in labels] + [index[none]], dtype=np.int64)
    out: I64 = table[codes.codes]
    return out, ordered


def closed_loop_vec(h: HandoffColumns, cohort: B, as_of: int) -> dict[str, Any]:
    """``metrics.closed_loop`` over the rows in ``cohort``."""
    won = cohort & (h.customer_at <= as_of)
    sql = cohort & (h.sql_at <= as_of)
    accepted = cohort & h.accepted & (h.disposition_at <= as_of)
    g, labels = _labels(h.source.take(cohort), "(none)")
    size = len(labels)
    rows = _count(g, np.ones(g.size, bool), size)
    won_c = won[cohort]
    customers = _count(g, won_c, size)
    revenue = _sum(g, won_c, h.won[cohort], size)
    days_mask = won_c & (h.mql_at[cohort] != NONE_US)
    days = (h.customer_at[cohort][days_mask] - h.mql_at[cohort][days_mask]) / 1e6 / 86400
    medians = _medians(g[days_mask], days, size)
    sources = {}
    for k, label in enumerate(labels):
        if rows[k]:
            sources[label] = {
                "mql_count": int(rows[k]),
                "customers": int(customers[k]),
                "mql_to_customer": rate(int(customers[k]), int(rows[k])),
                "won_revenue": float(revenue[k]),
                "median_days_to_won": medians[k],
            }
    g, labels = _labels(h.owner.take(cohort), "(unassigned)")
    size = len(labels)
    handoffs = _count(g, np.ones(g.size, bool), size)
    acc = _count(g, accepted[cohort], size)
    sqls = _count(g, sql[cohort], size)
    cust = _count(g, won_c, size)
    reps = {}
    for k, label in enumerate(labels):
        if handoffs[k]:
            reps[label] = {
                "handoffs": int(handoffs[k]),
                "accepted": int(acc[k]),
                "sqls": int(sqls[k]),
                "customers": int(cust[k]),
                "mql_to_sql": rate(int(sqls[k]), int(handoffs[k])),
                "mql_to_customer": rate(int(cust[k]), int(handoffs[k])),
            }
    return {"by_source": sources, "by_rep": reps}


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
    """``metrics.period_metrics`` of the period's rows split as ``services.metrics.load_facts`` splits them
    (``period_lists``), over columns. ``business_minutes`` is ``params.business_minutes`` over int64 µs
    arrays; without it ``params.business_minutes`` is called with datetimes."""
    s, e, now = to_us(start), to_us(end), to_us(as_of)
    lists = period_lists(h, s, e)
    f = _facts(h, c, lists, s, e, params, now, business_minutes or _scalar_minutes(params))
    whole = _Groups(1, np.zeros(len(h), np.int64), np.zeros(len(c), np.int64))
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


# ------------------------------------------------------------------------------------ funnel (closed loop)


_STEPS = ("mql_to_sal", "sal_to_sql", "sql_to_opportunity", "opportunity_to_customer")


def stage_times_vec(h: HandoffColumns, cohort: B, as_of: datetime) -> dict[str, dict[str, Any]]:
    """``funnel.stage_times`` over the rows in ``cohort`` (the ``PeriodFacts.cohort`` list)."""
    now = to_us(as_of)
    sal = np.where(h.accepted, h.disposition_at, NONE_US)
    pairs = (
        (h.mql_at, sal),
        (sal, h.sql_at),
        (h.sql_at, h.opportunity_at),
        (h.opportunity_at, h.customer_at),
    )
    base = cohort & (h.mql_at <= now)
    out: dict[str, dict[str, Any]] = {}
    for key, (a, b) in zip(_STEPS, pairs, strict=True):
        made = base & (a != NONE_US) & (b != NONE_US) & (a <= b) & (b <= now)
        days = (b[made] - a[made]) / 1e6 / 86_400.0
        summary = _summaries(np.zeros(days.size, np.int64), _Values.of(days), 1)[0]
        out[key] = {
            "count": int(days.size),
            "median_days": summary["median"],
            "mean_days": float(days.mean()) if days.size else None,
        }
    return out


def funnel_counts_vec(h: HandoffColumns, cohort: B, as_of: datetime) -> dict[str, tuple[int, int]]:
    """``funnel._counts``: (entered, passed) per stage over the rows in ``cohort``."""
    now = to_us(as_of)
    mqls = cohort & (h.mql_at <= now)
    disposed = mqls & (h.disposition_at <= now)
    sqls = mqls & (h.sql_at <= now)
    opps = sqls & (h.opportunity_at <= now)
    won = opps & (h.customer_at <= now)
    return {
        "mql_to_sal": (int(disposed.sum()), int((disposed & h.accepted).sum())),
        "mql_to_sql": (int(mqls.sum()), int(sqls.sum())),
        "sql_to_opportunity": (int(sqls.sum()), int(opps.sum())),
        "opportunity_to_customer": (int(opps.sum()), int(won.sum())),
    }


def funnel_leak_vec(h: HandoffColumns, cohort: B, plan: PlanRates, as_of: datetime) -> list[dict[str, Any]]:
    """``funnel.funnel_leak`` over the rows in ``cohort``."""
    return leak_lines(funnel_counts_vec(h, cohort, as_of), plan)


# ------------------------------------------------------------------------------------------- attribution


def _fsum_by(keys: I64, parts: F64, size: int) -> list[float]:
    """``math.fsum`` of the parts of each key (exact, so independent of order)."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(size + 1))
    values = parts[order].tolist()
    return [math.fsum(values[bounds[k] : bounds[k + 1]]) for k in range(size)]


def _label_codes(codes: Codes, labels: dict[str, int]) -> I64:
    """Each row's label code (``labels`` grows with new names); -1 for None and ""."""
    table = np.asarray([labels.setdefault(n, len(labels)) if n else -1 for n in codes.names] + [-1], np.int64)
    out: I64 = table[codes.codes]
    return out


def attribution_vec(
    h: HandoffColumns,
    rows: B,
    instant: I64,
    acts: ActivityColumns,
    as_of: datetime,
    amounts: F64 | None = None,
) -> dict[str, Any]:
    """``attribution.attribution`` over the handoff rows in ``rows`` (in row order), each dated by
    ``instant`` (``opportunity_at`` or ``customer_at``) and worth ``amounts`` (``h.amount`` unless given;
    ``h.won`` for revenue), with the leads' activities ``acts``."""
    now = to_us(as_of)
    idx = np.flatnonzero(rows & (instant <= now))
    at = instant[idx]
    amount = (h.amount if amounts is None else amounts)[idx]
    out: dict[str, Any] = {"count": int(idx.size), "total": math.fsum(amount.tolist())}
    # each counted row's activities at or before its instant: (row position, activity) pairs
    lead_index = {name: k for k, name in enumerate(acts.lead.names)}
    row_lead = np.fromiter((lead_index.get(h.lead_id[i], -1) for i in idx.tolist()), np.int64, idx.size)
    order = np.argsort(acts.lead.codes, kind="stable")
    sorted_lead = acts.lead.codes[order]
    lo = np.searchsorted(sorted_lead, row_lead, "left")
    hi = np.where(row_lead < 0, lo, np.searchsorted(sorted_lead, row_lead, "right"))
    per_row = hi - lo
    pair_row = np.repeat(np.arange(idx.size), per_row)
    offsets = np.arange(pair_row.size) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    pair_act = order[np.repeat(lo, per_row) + offsets]
    keep = acts.at[pair_act] <= at[pair_row]
    pair_row, pair_act = pair_row[keep], pair_act[keep]
    pair_at = acts.at[pair_act]
    # asset influence: each row once per asset it touched (asset truthy)
    asset_ok = acts.asset.where_names(bool)[pair_act]
    span = max(idx.size, 1)
    asset_pairs = np.unique(acts.asset.codes[pair_act][asset_ok] * span + pair_row[asset_ok])
    asset_code, asset_row = asset_pairs // span, asset_pairs % span
    assets: dict[str, dict[str, Any]] = {}
    if asset_pairs.size:
        names = len(acts.asset.names)
        counts = np.bincount(asset_code, minlength=names)
        sums = _fsum_by(asset_code, amount[asset_row], names)
        for code in np.flatnonzero(counts).tolist():
            assets[acts.asset.names[code]] = {"count": int(counts[code]), "amount": sums[code]}
    out["assets"] = dict(sorted(assets.items(), key=lambda kv: (-kv[1]["amount"], -kv[1]["count"], kv[0])))
    # the chosen activities of each model, then their keys per dimension (codes into `labels`)
    has_pairs = np.bincount(pair_row, minlength=idx.size) > 0
    first_at = np.full(idx.size, NONE_US, np.int64)
    last_at = np.full(idx.size, np.iinfo(np.int64).min, np.int64)
    np.minimum.at(first_at, pair_row, pair_at)
    np.maximum.at(last_at, pair_row, pair_at)
    chosen = {
        "first_touch": pair_at == first_at[pair_row],
        "last_touch": pair_at == last_at[pair_row],
        "linear": np.ones(pair_row.size, bool),
    }
    labels: dict[str, int] = {NONE: 0}
    campaign = _label_codes(acts.campaign, labels)[pair_act]
    act_source = _label_codes(acts.source, labels)[pair_act]
    row_source = _label_codes(h.source.take(idx), labels)
    keys = {
        "campaign": np.where(campaign >= 0, campaign, 0),
        "source": np.where(
            act_source >= 0, act_source, np.where(row_source[pair_row] >= 0, row_source[pair_row], 0)
        ),
    }
    label_names = list(labels)
    for model in MODELS:
        out[model] = {}
        for dimension in CREDIT_DIMENSIONS:
            sel = chosen[model]
            out[model][dimension] = _credit(
                pair_row[sel], keys[dimension][sel], label_names, amount, has_pairs
            )
    return out


def _credit(rows: I64, keys: I64, labels: list[str], amount: F64, has_pairs: B) -> dict[str, float]:
    """Each row's amount split over its keys (codes into ``labels``; ``labels[0]`` is NONE) by
    ``split_exactly`` (a row with one key gives it its whole amount, exactly what ``split_exactly`` gives),
    the rows without activity to NONE; per key the fsum, sorted by amount then name."""
    size = len(labels)
    pairs, weights = np.unique(rows * size + keys, return_counts=True)
    pair_row, pair_key = pairs // size, pairs % size
    keys_per_row = np.bincount(pair_row, minlength=amount.size)
    single = keys_per_row[pair_row] == 1
    parts_key = [pair_key[single]]
    parts = [amount[pair_row[single]] + 0.0]
    multi = np.unique(pair_row[~single])
    if multi.size:  # pair_row is sorted (np.unique of row * size + key)
        lo = np.searchsorted(pair_row, multi, "left").tolist()
        hi = np.searchsorted(pair_row, multi, "right").tolist()
        key_list, weight_list = pair_key.tolist(), weights.tolist()
        for r, a, b in zip(multi.tolist(), lo, hi, strict=True):
            split = split_exactly(
                float(amount[r]), {labels[key_list[j]]: int(weight_list[j]) for j in range(a, b)}
            )
            parts_key.append(np.asarray([labels.index(k) for k in split], np.int64))
            parts.append(np.asarray(list(split.values()), np.float64))
    empty = np.flatnonzero(~has_pairs)
    if empty.size:
        parts_key.append(np.zeros(empty.size, np.int64))
        parts.append(amount[empty] + 0.0)
    all_keys = np.concatenate(parts_key)
    all_parts = np.concatenate(parts)
    bad = ~np.isfinite(all_parts)
    if bad.any():
        split_exactly(float(all_parts[bad][0]), {NONE: 1})  # raises as the reference does
    totals = _fsum_by(all_keys, all_parts, size)
    present = np.bincount(all_keys, minlength=size) > 0
    credit = {labels[k]: totals[k] for k in range(size) if present[k]}
    return dict(sorted(credit.items(), key=lambda kv: (-kv[1], kv[0])))
