"""The closed loop's funnel views (issue 7, point 5): time in each stage and the funnel-leak audit.

Both read a cohort: the period's MQL handoffs, by MQL instant. A step counts once its later instant is at or
before ``as_of``; a young cohort has not had the time to convert yet, and its rates say so by being low.
Pure: no I/O, ``as_of`` is an argument.

The SAL instant of a handoff is its first disposition's, when that disposition is an acceptance (what
``acceptance_rate`` counts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

import numpy as np

from leadpact.domain.dating import by
from leadpact.domain.metrics.columns import NONE_US, B, HandoffColumns
from leadpact.domain.metrics.facts import HandoffFacts
from leadpact.domain.metrics.groups import Values, summaries
from leadpact.domain.timeutil import to_us

Instant = Callable[[HandoffFacts], datetime | None]


def sal_at(h: HandoffFacts) -> datetime | None:
    return h.disposition_at if h.disposition == "accepted" else None


#: (key, from, to) of each stage step, in funnel order
STEPS: tuple[tuple[str, Instant, Instant], ...] = (
    ("mql_to_sal", lambda h: h.mql_at, sal_at),
    ("sal_to_sql", sal_at, lambda h: h.sql_at),
    ("sql_to_opportunity", lambda h: h.sql_at, lambda h: h.opportunity_at),
    ("opportunity_to_customer", lambda h: h.opportunity_at, lambda h: h.customer_at),
)

DAY = 86_400.0


def stage_times(cohort: Sequence[HandoffFacts], as_of: datetime) -> dict[str, dict[str, Any]]:
    """Per step, over the cohort's handoffs that made it (both instants known, the later at or before
    ``as_of``): ``{"count", "median_days", "mean_days"}`` (the median of an even count is the mean of the two
    middle values; None when no handoff made the step). A step whose instants are out of order (a later
    stage stamped before an earlier one) is data to fix, not a duration: it is left out of the count."""
    out: dict[str, dict[str, Any]] = {}
    for key, start_of, end_of in STEPS:
        days = []
        for h in cohort:
            start, end = start_of(h), end_of(h)
            if by(h.mql_at, as_of) and start is not None and end is not None and start <= end <= as_of:
                days.append((end - start).total_seconds() / DAY)
        arr = np.asarray(days, dtype=float)
        out[key] = {
            "count": len(days),
            "median_days": float(np.median(arr)) if days else None,
            "mean_days": float(arr.mean()) if days else None,
        }
    return out


@dataclass(frozen=True)
class PlanRates:
    """The plan's stage rates: ``targets.acceptance_min`` and ``targets.rates`` of the pact."""

    acceptance_min: float
    mql_to_sql: float
    sql_to_opp: float
    close: float


@dataclass(frozen=True)
class _Stage:
    key: str
    plan_key: str
    label: str
    phrase: str  # "{label} {phrase} {rate} against {plan_phrase} {plan}"
    plan_phrase: str
    unit: tuple[str, str]  # what passes it: singular, plural
    entrants: str  # what enters it (plural), for "no ... yet"


STAGES = (
    _Stage(
        "mql_to_sal", "acceptance_min", "MQL→SAL acceptance", "is", "a minimum of", ("SAL", "SALs"), "MQLs"
    ),
    _Stage("mql_to_sql", "mql_to_sql", "MQL→SQL", "converts", "a plan of", ("SQL", "SQLs"), "MQLs"),
    _Stage(
        "sql_to_opportunity",
        "sql_to_opp",
        "SQL→opportunity",
        "converts",
        "a plan of",
        ("opportunity", "opportunities"),
        "SQLs",
    ),
    _Stage(
        "opportunity_to_customer",
        "close",
        "opportunity→customer",
        "converts",
        "a plan of",
        ("customer", "customers"),
        "opportunities",
    ),
)


def _counts(cohort: Sequence[HandoffFacts], as_of: datetime) -> dict[str, tuple[int, int]]:
    """(entered, passed) per stage, over the cohort."""
    mqls = [h for h in cohort if by(h.mql_at, as_of)]
    disposed = [h for h in mqls if by(h.disposition_at, as_of)]
    sqls = [h for h in mqls if by(h.sql_at, as_of)]
    opps = [h for h in sqls if by(h.opportunity_at, as_of)]
    won = [h for h in opps if by(h.customer_at, as_of)]
    return {
        "mql_to_sal": (len(disposed), sum(1 for h in disposed if h.disposition == "accepted")),
        "mql_to_sql": (len(mqls), len(sqls)),
        "sql_to_opportunity": (len(sqls), len(opps)),
        "opportunity_to_customer": (len(opps), len(won)),
    }


def pct(value: float) -> str:
    """31%, 17.5%, 33.3%: one decimal at most, none when whole."""
    text = f"{value * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def _how_many(value: float, unit: tuple[str, str]) -> str:
    """19 opportunities, 1 customer, 0.25 customers, 3.1 SALs: two decimals at most."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit[0] if text == '1' else unit[1]}"


def _finding(stage: _Stage, rate: float | None, plan: float, shortfall: float | None) -> str:
    if rate is None or shortfall is None:
        return f"{stage.label}: no {stage.entrants} in the cohort yet, no rate"
    head = f"{stage.label} {stage.phrase} {pct(rate)} against {stage.plan_phrase} {pct(plan)}"
    if math.isclose(shortfall, 0.0, abs_tol=1e-9):
        return f"{head}: on plan"
    if shortfall > 0:
        return f"{head}: {_how_many(shortfall, stage.unit)} short"
    return f"{head}: {_how_many(-shortfall, stage.unit)} ahead of plan"


def funnel_leak(cohort: Sequence[HandoffFacts], plan: PlanRates, as_of: datetime) -> list[dict[str, Any]]:
    """The cohort's stage rates against the plan's, the stage that loses most first.

    Each stage: ``{"stage", "label", "entered", "passed", "rate", "plan", "ratio", "shortfall",
    "finding"}``. ``rate`` = passed ÷ entered (None with no entrant); ``ratio`` = rate ÷ plan (None without
    a rate or with a plan of 0); ``shortfall`` = plan × entered − passed, how many more would have passed
    at the plan's rate (negative: ahead of plan; None without a rate). The stages are ordered by
    ``ratio``, lowest first (the largest relative loss against the plan, comparable across stages of very
    different sizes), then by shortfall, largest first, then in funnel order; stages without a ratio come
    last.

    The stages: MQL→SAL acceptance (accepted ÷ disposed, against ``acceptance_min``), MQL→SQL (reached
    SQL ÷ all, against ``mql_to_sql``), SQL→opportunity (of those that reached SQL, against
    ``sql_to_opp``) and opportunity→customer (of those that reached an opportunity, against ``close``).
    """
    return leak_lines(_counts(cohort, as_of), plan)


def leak_lines(counts: Mapping[str, tuple[int, int]], plan: PlanRates) -> list[dict[str, Any]]:
    """The audit's lines from each stage's (entered, passed), ordered as `funnel_leak` says (shared by the
    reference and the vectorised metrics)."""
    lines: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for order, stage in enumerate(STAGES):
        entered, passed = counts[stage.key]
        target = float(getattr(plan, stage.plan_key))
        rate = passed / entered if entered else None
        ratio = None if rate is None or not target else rate / target
        # exact from the plan's rate as written (0.7 × 43 − 27 = 3.1, not 3.0999999999999979)
        shortfall = None if rate is None else float(Fraction(repr(target)) * entered - passed)
        sort_key = (ratio is None, ratio or 0.0, -(shortfall or 0.0), order)
        lines.append(
            (
                sort_key,
                {
                    "stage": stage.key,
                    "label": stage.label,
                    "entered": entered,
                    "passed": passed,
                    "rate": rate,
                    "plan": target,
                    "ratio": ratio,
                    "shortfall": shortfall,
                    "finding": _finding(stage, rate, target, shortfall),
                },
            )
        )
    return [line for _, line in sorted(lines, key=lambda kv: kv[0])]


# ------------------------------------------------------------------------------------ over columns


_STEPS = ("mql_to_sal", "sal_to_sql", "sql_to_opportunity", "opportunity_to_customer")


def stage_times_vec(h: HandoffColumns, cohort: B, as_of: datetime) -> dict[str, dict[str, Any]]:
    """``stage_times`` over the rows in ``cohort`` (the ``PeriodFacts.cohort`` list)."""
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
        summary = summaries(np.zeros(days.size, np.int64), Values.of(days), 1)[0]
        out[key] = {
            "count": int(days.size),
            "median_days": summary["median"],
            "mean_days": float(days.mean()) if days.size else None,
        }
    return out


def funnel_counts_vec(h: HandoffColumns, cohort: B, as_of: datetime) -> dict[str, tuple[int, int]]:
    """``_counts``: (entered, passed) per stage over the rows in ``cohort``."""
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
    """``funnel_leak`` over the rows in ``cohort``."""
    return leak_lines(funnel_counts_vec(h, cohort, as_of), plan)
