"""The closed loop of a period's cohort (its MQL handoffs, by MQL instant): per source, MQL to customer, won
revenue and the median days MQL to won; per rep, the conversion of their handoffs. Row by row
(``closed_loop``) and over columns (``closed_loop_vec``), the same answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from leadpact.domain.dating import by
from leadpact.domain.metrics.columns import I64, NONE_US, B, Codes, HandoffColumns
from leadpact.domain.metrics.document import rate
from leadpact.domain.metrics.facts import HandoffFacts
from leadpact.domain.metrics.groups import count_by, medians_by, sum_by


def closed_loop(cohort: Sequence[HandoffFacts], as_of: datetime) -> dict[str, Any]:
    """Per source: MQL→customer, won revenue, median days MQL→won; per rep: conversion of their handoffs."""
    by_source: dict[str, list[HandoffFacts]] = defaultdict(list)
    by_rep: dict[str, list[HandoffFacts]] = defaultdict(list)
    for h in cohort:
        by_source[h.source or "(none)"].append(h)
        by_rep[h.owner or "(unassigned)"].append(h)
    sources = {}
    for source, rows in sorted(by_source.items()):
        won = [h for h in rows if by(h.customer_at, as_of)]
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
            "accepted": sum(1 for h in rows if h.disposition == "accepted" and by(h.disposition_at, as_of)),
            "sqls": sum(1 for h in rows if by(h.sql_at, as_of)),
            "customers": sum(1 for h in rows if by(h.customer_at, as_of)),
            "mql_to_sql": rate(sum(1 for h in rows if by(h.sql_at, as_of)), len(rows)),
            "mql_to_customer": rate(sum(1 for h in rows if by(h.customer_at, as_of)), len(rows)),
        }
    return {"by_source": sources, "by_rep": reps}


def _labels(codes: Codes, none: str) -> tuple[I64, list[str]]:
    """Group codes by ``value or none`` (None and "" both become ``none``), the labels sorted."""
    labels = [name or none for name in codes.names]
    ordered = sorted({*labels, none})
    index = {label: i for i, label in enumerate(ordered)}
    table = np.asarray([index[label] for label in labels] + [index[none]], dtype=np.int64)
    out: I64 = table[codes.codes]
    return out, ordered


def closed_loop_vec(h: HandoffColumns, cohort: B, as_of: int) -> dict[str, Any]:
    """``closed_loop`` over the rows in ``cohort``."""
    won = cohort & (h.customer_at <= as_of)
    sql = cohort & (h.sql_at <= as_of)
    accepted = cohort & h.accepted & (h.disposition_at <= as_of)
    g, labels = _labels(h.source.take(cohort), "(none)")
    size = len(labels)
    rows = count_by(g, np.ones(g.size, bool), size)
    won_c = won[cohort]
    customers = count_by(g, won_c, size)
    revenue = sum_by(g, won_c, h.won[cohort], size)
    days_mask = won_c & (h.mql_at[cohort] != NONE_US)
    days = (h.customer_at[cohort][days_mask] - h.mql_at[cohort][days_mask]) / 1e6 / 86400
    medians = medians_by(g[days_mask], days, size)
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
    handoffs = count_by(g, np.ones(g.size, bool), size)
    acc = count_by(g, accepted[cohort], size)
    sqls = count_by(g, sql[cohort], size)
    cust = count_by(g, won_c, size)
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
