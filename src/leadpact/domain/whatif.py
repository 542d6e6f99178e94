"""What a proposed pact would have changed (`leadpact replay`, DESIGN.md §13): the difference of two metrics
documents of one period, and the breaches behind their compliance rates.

The difference is `proposed − current` for what both VPs ask of a change: volume, acceptance and
conversion, the sales clocks (rates and breaches), and the load per tier, team and rep. A rate missing on
either side (no denominator) gives `None`, never 0. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from leadpact.domain.metrics.columns import ClockColumns
from leadpact.domain.metrics.vec import clock_statuses

#: top-level numbers of the metrics document that the difference carries
HEADLINE = (
    "mql_count",
    "rehandoff_count",
    "mql_target",
    "mql_pace",
    "acceptance_rate",
    "pending_dispositions",
    "mql_to_sql",
    "sql_to_opp",
    "response_compliance",
    "disposition_compliance",
    "worked_rate",
    "touches_per_lead",
    "min_touch_rate",
    "sales_flagged_rate",
    "opportunities",
    "customers",
)
#: per group of a breakdown: the load and how it was worked
GROUP_KEYS = ("mql_count", "acceptance_rate", "mql_to_sql", "response_compliance")
BREAKDOWNS = ("by_tier", "by_segment", "by_source", "by_team", "by_rep")


def delta(current: Any, proposed: Any) -> float | int | None:
    """`proposed − current` of two numbers; None when either is missing."""
    if current is None or proposed is None:
        return None
    if isinstance(current, bool) or isinstance(proposed, bool):
        return None
    result = proposed - current
    return int(result) if isinstance(current, int) and isinstance(proposed, int) else float(result)


def _group(current: Mapping[str, Any] | None, proposed: Mapping[str, Any] | None) -> dict[str, Any]:
    """One group of a breakdown: a group only one side has counts 0 MQLs on the other."""
    empty: dict[str, Any] = {"mql_count": 0}
    a, b = current or empty, proposed or empty
    return {key: delta(a.get(key), b.get(key)) for key in GROUP_KEYS}


def difference(
    current: Mapping[str, Any],
    proposed: Mapping[str, Any],
    breaches: Mapping[str, Mapping[str, int]] | None = None,
) -> dict[str, Any]:
    """`proposed − current` of two metrics documents of the same period (and of their breach counts)."""
    out: dict[str, Any] = {key: delta(current.get(key), proposed.get(key)) for key in HEADLINE}
    for key in ("response_minutes", "response_business_minutes"):
        a, b = current.get(key) or {}, proposed.get(key) or {}
        out[key] = {stat: delta(a.get(stat), b.get(stat)) for stat in ("median", "mean", "p90")}
    out["pipeline"] = delta(
        (current.get("pipeline") or {}).get("total"), (proposed.get("pipeline") or {}).get("total")
    )
    if breaches is not None:
        a, b = breaches["current"], breaches["proposed"]
        out["breaches"] = {kind: delta(a[kind], b[kind]) for kind in a}
    for name in BREAKDOWNS:
        a, b = current.get(name) or {}, proposed.get(name) or {}
        out[name] = {group: _group(a.get(group), b.get(group)) for group in sorted({*a, *b})}
    return out


def breach_counts(c: ClockColumns, start_us: int, end_us: int, as_of_us: int) -> dict[str, int]:
    """First-contact and disposition clocks due in [start, end) that were breached as of `as_of` (met late,
    or past due with nothing to meet them and not cancelled): the counts behind `response_compliance` and
    `disposition_compliance`."""
    due = (c.due_at >= start_us) & (c.due_at < end_us)
    _met, breached = clock_statuses(c, as_of_us)
    hit = due & breached
    return {
        "first_contact": int(np.count_nonzero(hit & c.first_contact)),
        "disposition": int(np.count_nonzero(hit & ~c.first_contact)),
    }
