"""Capacity (`leadpact capacity`, DESIGN.md §13): how many reps keep the first-contact promise, by Erlang C.

The model, stated so that both VPs can argue with it:

- the queue is the high-intent handoffs (the tier with the tightest clock); each needs one first contact
  from any rep on shift, first come first served, and is served before other work (other leads and
  follow-ups wait: their clocks are hours or days);
- arrivals: the high-intent handoffs of each hour of the week (Monday 00:00 local = hour 0), per week of
  history;
- handle time: how long a touch takes, read from the touches themselves — the median gap between a rep's
  consecutive touches when they come back to back (under an hour apart);
- shrinkage: the share of the reps' hours on shift that their other touches take;
- reps on shift: the roster's active reps whose calendar is open in that hour (time off and holidays of the
  week counted);
- a handoff is contacted in time when its wait is within its clock (5 minutes inside hours by default):
  P(wait ≤ T) = 1 − C(N, A) · e^(−(N − A)·T / AHT), with A = arrivals per hour × AHT / 60 and N the productive
  reps (floor of on-shift reps × (1 − shrinkage)). An hour with high-intent arrivals and no productive rep
  meets none of them in the model.

Erlang C here is checked against pyworkforce's `ErlangC` (tests); pyworkforce is not a dependency because it
brings OR-Tools and pandas along and refuses an hour without arrivals. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

HOURS = 168
BACK_TO_BACK_MINUTES = 60.0
DEFAULT_HANDLE_MINUTES = 10.0  # when the touches say nothing (no rep touched twice within the hour)
MAX_SHRINKAGE = 0.95
MAX_REPS = 500

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def hour_of_week(instants: Iterable[datetime], tz: str) -> I64:
    """Each instant's hour of the local week: Monday 00:00–00:59 is 0, Sunday 23:00–23:59 is 167."""
    zone = ZoneInfo(tz)
    return np.fromiter(
        (local.weekday() * 24 + local.hour for local in (t.astimezone(zone) for t in instants)),
        dtype=np.int64,
    )


def per_hour(hours: I64, weeks: float = 1.0) -> F64:
    """How many instants fall in each hour of the week, per week."""
    counts = np.bincount(hours, minlength=HOURS)[:HOURS].astype(np.float64)
    out: F64 = counts / weeks if weeks > 0 else counts
    return out


def erlang_c(servers: int, traffic: float) -> float:
    """The probability that an arrival waits (Erlang C) with `servers` and `traffic` erlangs; 1 when the
    servers cannot keep up (traffic ≥ servers), 0 without traffic."""
    if traffic <= 0:
        return 0.0
    if servers <= traffic:
        return 1.0
    inverse_b = 1.0  # 1 / Erlang B, by the stable recursion B(n) = A·B(n−1) / (n + A·B(n−1))
    for n in range(1, servers + 1):
        inverse_b = 1.0 + inverse_b * n / traffic
    b = 1.0 / inverse_b
    return servers * b / (servers - traffic * (1.0 - b))


def service_level(
    servers: int, arrivals_per_hour: float, handle_minutes: float, target_minutes: float
) -> float:
    """The share of arrivals answered within `target_minutes` (1 without arrivals, 0 with no server)."""
    if arrivals_per_hour <= 0:
        return 1.0
    if servers <= 0:
        return 0.0
    traffic = arrivals_per_hour * handle_minutes / 60.0
    if servers <= traffic:
        return 0.0
    wait = erlang_c(servers, traffic)
    return max(0.0, 1.0 - wait * math.exp(-(servers - traffic) * target_minutes / handle_minutes))


def productive(reps: int, shrinkage: float) -> int:
    return int(math.floor(reps * (1.0 - shrinkage) + 1e-9))


def reps_needed(
    arrivals_per_hour: float, handle_minutes: float, target_minutes: float, goal: float, shrinkage: float
) -> int:
    """The fewest reps on shift whose productive part answers `goal` of the arrivals in time."""
    if arrivals_per_hour <= 0:
        return 0
    for reps in range(1, MAX_REPS + 1):
        if (
            service_level(productive(reps, shrinkage), arrivals_per_hour, handle_minutes, target_minutes)
            >= goal
        ):
            return reps
    return MAX_REPS


def handle_minutes(rep_codes: I64, at_us: I64) -> float | None:
    """A touch's handle time: the median gap between a rep's consecutive touches under an hour apart (the
    rep went straight from one to the next); None when no rep touched twice within an hour."""
    if rep_codes.size < 2:
        return None
    order = np.lexsort((at_us, rep_codes))
    reps, ats = rep_codes[order], at_us[order]
    gaps = (ats[1:] - ats[:-1]) / 6e7
    same = (reps[1:] == reps[:-1]) & (gaps > 0) & (gaps < BACK_TO_BACK_MINUTES)
    if not same.any():
        return None
    return float(np.median(gaps[same]))


@dataclass(frozen=True)
class Model:
    """What the queue needs besides arrivals and reps: the handle time and the shrinkage."""

    handle_minutes: float
    shrinkage: float


def shrinkage(other_touches: float, handle: float, rep_hours: float) -> float:
    """The share of on-shift rep time that the touches other than first contacts take."""
    if rep_hours <= 0:
        return 0.0
    return min(MAX_SHRINKAGE, max(0.0, other_touches * handle / 60.0 / rep_hours))


def predict(
    arrivals: Sequence[float], reps: Sequence[int], targets: Sequence[float], model: Model, goal: float
) -> dict[str, Any]:
    """Per hour of the week: the service level with these reps and the reps needed for `goal`; overall, the
    arrival-weighted share answered in time (None without arrivals)."""
    rows = []
    answered = total = 0.0
    for hour in range(HOURS):
        lam, on, target = float(arrivals[hour]), int(reps[hour]), float(targets[hour])
        level = service_level(productive(on, model.shrinkage), lam, model.handle_minutes, target)
        needed = reps_needed(lam, model.handle_minutes, target, goal, model.shrinkage)
        rows.append(
            {
                "hour_of_week": hour,
                "arrivals": lam,
                "reps": on,
                "target_minutes": target,
                "predicted_compliance": level if lam > 0 else None,
                "reps_needed": needed,
            }
        )
        answered += lam * level
        total += lam
    return {"predicted_compliance": answered / total if total > 0 else None, "by_hour": rows}


def backtest_error(pairs: Sequence[tuple[float | None, float | None]]) -> dict[str, Any]:
    """Mean absolute error and mean bias (predicted − measured) over the weeks that have both numbers."""
    both = [(p, m) for p, m in pairs if p is not None and m is not None]
    if not both:
        return {"weeks": 0, "mean_absolute_error": None, "bias": None}
    diffs = [p - m for p, m in both]
    return {
        "weeks": len(both),
        "mean_absolute_error": sum(abs(d) for d in diffs) / len(diffs),
        "bias": sum(diffs) / len(diffs),
    }
