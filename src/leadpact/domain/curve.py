"""The response curve (`leadpact curve`, DESIGN.md §13): conversion to SQL by how fast the first contact came,
from the company's own handoffs — its own answer to "21 times more likely within 5 minutes than after 30".

The rows are the period's MQL cycles by MQL instant (the `mql_to_sql` cohort of DESIGN.md §5); a handoff's
response is its first touch − handoff, its outcome whether it reached SQL by `as_of`. Each bucket's rate has a
Wilson score interval; the ratio "within 5 minutes" against "after 30" has a Katz log interval, and says so
when its sample is too small to mean anything. Speed is not the only difference between the buckets (the
fastest answered leads are often the hottest), so the ratio is also given inside each intent tier. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from leadpact.domain import dating
from leadpact.domain.metrics.columns import HandoffColumns, period_lists

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

Z95 = 1.959963984540054  # the two-sided 95% normal quantile
#: (label, upper bound in minutes, inclusive): a response falls in the first bucket whose bound holds it
BUCKETS: tuple[tuple[str, float], ...] = (
    ("≤5m", 5.0),
    ("5–30m", 30.0),
    ("30m–1h", 60.0),
    ("1–24h", 1440.0),
    (">24h", math.inf),
)
NO_TOUCH = "no touch"
#: below these a ratio is shown but called too small to trust
MIN_HANDOFFS = 30
MIN_SQLS = 5


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float | None, float | None]:
    """The Wilson score interval of a proportion; (None, None) without trials."""
    if trials <= 0:
        return None, None
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Ratio:
    """The SQL rate of one group over another's, with a 95% interval (Katz: normal on the log ratio)."""

    fast: tuple[int, int]  # (SQLs, handoffs)
    slow: tuple[int, int]

    @property
    def value(self) -> float | None:
        (k1, n1), (k2, n2) = self.fast, self.slow
        if not n1 or not n2 or not k2:
            return None
        return (k1 / n1) / (k2 / n2)

    def interval(self, z: float = Z95) -> tuple[float | None, float | None]:
        (k1, n1), (k2, n2) = self.fast, self.slow
        if not k1 or not k2:
            return None, None
        se = math.sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
        centre = math.log((k1 / n1) / (k2 / n2))
        return math.exp(centre - z * se), math.exp(centre + z * se)

    @property
    def enough(self) -> bool:
        (k1, n1), (k2, n2) = self.fast, self.slow
        return min(n1, n2) >= MIN_HANDOFFS and min(k1, k2) >= MIN_SQLS

    def note(self) -> str | None:
        (k1, n1), (k2, n2) = self.fast, self.slow
        if not n1 or not n2:
            return "no handoffs in one of the two groups"
        if not k2:
            return "no handoff answered after 30 minutes reached SQL: the ratio has no finite value"
        if not self.enough:
            return (
                f"sample too small to trust (needs {MIN_HANDOFFS} handoffs and {MIN_SQLS} SQLs on each side; "
                f"has {n1} and {n2} handoffs, {k1} and {k2} SQLs)"
            )
        return None

    def to_json(self) -> dict[str, Any]:
        low, high = self.interval()
        return {
            "ratio": self.value,
            "low": low,
            "high": high,
            "within_5m": {"handoffs": self.fast[1], "sqls": self.fast[0]},
            "after_30m": {"handoffs": self.slow[1], "sqls": self.slow[0]},
            "enough": self.enough,
            "note": self.note(),
        }


def bucket_of(minutes: F64) -> npt.NDArray[np.int64]:
    """Each response's bucket (index into BUCKETS); NaN (no touch) gets len(BUCKETS)."""
    bounds = np.asarray([b for _label, b in BUCKETS[:-1]], dtype=np.float64)
    out = np.searchsorted(bounds, minutes, side="left").astype(np.int64)
    out[np.isnan(minutes)] = len(BUCKETS)
    return out


def curve_of(minutes: F64, reached: B) -> dict[str, Any]:
    """Buckets with their SQL rates and intervals, and the 5-vs-30 ratio (`ratio_5m_vs_30m`, a number or None,
    as DESIGN.md §13 names it; `ratio`: its interval, counts and whether the sample is enough)."""
    index = bucket_of(minutes)
    labels = [label for label, _b in BUCKETS] + [NO_TOUCH]
    buckets = []
    for i, label in enumerate(labels):
        mask = index == i
        n, k = int(mask.sum()), int((mask & reached).sum())
        low, high = wilson(k, n)
        buckets.append(
            {
                "label": label,
                "handoffs": n,
                "sqls": k,
                "sql_rate": k / n if n else None,
                "low": low,
                "high": high,
            }
        )
    fast = index == 0
    slow = (index >= 2) & (index < len(BUCKETS))
    ratio = Ratio(
        (int((fast & reached).sum()), int(fast.sum())), (int((slow & reached).sum()), int(slow.sum()))
    )
    return {"buckets": buckets, "ratio_5m_vs_30m": ratio.value, "ratio": ratio.to_json()}


def cohort_responses(h: HandoffColumns, start: int, end: int, as_of: int) -> tuple[B, F64, B]:
    """(cohort mask, response minutes (NaN: no touch by as_of), reached SQL by as_of) of the MQL cycles whose
    MQL instant is inside [start, end) — the rows of `mql_to_sql`."""
    cohort = period_lists(h, start, end).cohort & dating.counted_vec(h.mql_at, start, end, as_of)
    touched = h.first_touch_at <= as_of
    minutes = np.where(touched, (h.first_touch_at - h.mql_at) / 6e7, np.nan).astype(np.float64)
    reached: B = h.sql_at <= as_of
    return cohort, minutes, reached


def response_curve(h: HandoffColumns, start: int, end: int, as_of: int) -> dict[str, Any]:
    """The curve of the period's MQL cycles, overall and per intent tier."""
    cohort, minutes, reached = cohort_responses(h, start, end, as_of)
    out = curve_of(minutes[cohort], reached[cohort])
    tiers: dict[str, Any] = {}
    names: Sequence[str] = h.tier.names
    order = {name: i for i, name in enumerate(("high", "medium", "low"))}
    for code, name in sorted(enumerate(names), key=lambda item: (order.get(item[1], len(order)), item[1])):
        mask = cohort & (h.tier.codes == code)
        if mask.any():
            tiers[name] = curve_of(minutes[mask], reached[mask])
    out["handoffs"] = int(cohort.sum())
    out["by_tier"] = tiers
    return out
