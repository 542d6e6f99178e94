"""The `leadpact plan --json` document (DESIGN.md §7), and the plan of the pact in force (`GET /api/plan`).

Amounts are per quarter; counts are rounded up for show, and the document keeps the exact values under
``exact`` (floats of the exact fractions, and the fractions themselves as "p/q" strings under
``exact.fractions`` for the waterfall's steps).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from leadpact.domain.calendar.business import BusinessCalendar
from leadpact.domain.periods import Period, parse_period, period_containing, previous
from leadpact.domain.planning import (
    PlanInputs,
    Sensitivity,
    SourceMix,
    Waterfall,
    exact,
    mql_target,
    sensitivity,
    source_mix,
    waterfall,
)
from leadpact.domain.timeutil import iso_utc
from leadpact.pact import Pact
from leadpact.services.metrics import metrics, plan_inputs
from leadpact.services.workspace import Workspace

#: flag -> the waterfall input it replaces
FLAG_RATES = {
    "--marketing-share": "marketing_share",
    "--close-rate": "close",
    "--deal-size": "avg_deal",
    "--sql-to-opp": "sql_to_opp",
    "--mql-to-sql": "mql_to_sql",
}
# --- JSON -------------------------------------------------------------------------------------


def num(value: Fraction) -> int | float:
    """An exact value for JSON: an int when whole, else the nearest float."""
    return value.numerator if value.denominator == 1 else float(value)


def _money(value: Fraction) -> int | float:
    """Money to the cent (half up); an int when whole."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return cents // 100 if cents % 100 == 0 else cents / 100


def plan_document(
    plan: Waterfall,
    mix: SourceMix | None,
    sens: tuple[Sensitivity, ...],
    origins: Mapping[str, str],
    period: Period | None = None,
    target: Fraction | None = None,
) -> dict[str, Any]:
    """The ``leadpact plan --json`` document (DESIGN.md §7). Amounts are per quarter."""
    inputs = plan.inputs
    doc: dict[str, Any] = {
        "basis": "quarter",
        "revenue_per_quarter": _money(plan.revenue),
        "marketing_revenue": _money(plan.marketing_revenue),
        "pipeline": _money(plan.pipeline),
        "opportunities": math.ceil(plan.opportunities),
        "sqls": math.ceil(plan.sqls),
        "mqls_per_quarter": plan.mqls_per_quarter,
        "mqls_per_month": plan.mqls_per_month,
        "by_source": {},
        "source_mix": None,
        "exact": {
            "revenue_per_quarter": num(plan.revenue),
            "marketing_revenue": num(plan.marketing_revenue),
            "pipeline": num(plan.pipeline),
            "opportunities": num(plan.opportunities),
            "sqls": num(plan.sqls),
            "mqls_per_quarter": num(plan.mqls),
            "mqls_per_month": num(plan.month_target),
            "by_source": {},
            "fractions": {
                "pipeline": str(plan.pipeline),
                "opportunities": str(plan.opportunities),
                "sqls": str(plan.sqls),
                "mqls_per_quarter": str(plan.mqls),
                "mqls_per_month": str(plan.month_target),
            },
        },
        "inputs": {
            "revenue": num(inputs.revenue),
            "per": inputs.per,
            **{name: num(inputs.rate(name)) for name in FLAG_RATES.values()},
            "origin": dict(origins),
        },
        "sensitivity": {
            row.name: {
                "value": num(row.base),
                "low": _sens_point(row.low, row.mqls_low),
                "high": _sens_point(row.high, row.mqls_high),
                "elasticity": None if row.elasticity is None else float(row.elasticity),
            }
            for row in sens
        },
    }
    if mix is not None:
        for line in mix.lines:
            doc["by_source"][line.source] = {
                "share": num(line.share),
                "mql_to_sql": num(line.rate),
                "rate_from": line.rate_from,
                "mqls_per_quarter": math.ceil(line.mqls),
                "mqls_per_month": math.ceil(line.mqls / 3),
                "sqls_per_quarter": math.ceil(line.sqls),
            }
            doc["exact"]["by_source"][line.source] = {
                "mqls_per_quarter": num(line.mqls),
                "mqls_per_month": num(line.mqls / 3),
                "sqls_per_quarter": num(line.sqls),
            }
        mix_quarter, mix_month = math.ceil(mix.mqls), math.ceil(mix.mqls / 3)
        doc["source_mix"] = {
            "blended_rate": num(mix.blended_rate),
            "pact_rate": num(mix.pact_rate),
            "mqls_per_quarter": mix_quarter,
            "mqls_per_month": mix_month,
            "difference_per_quarter": mix_quarter - plan.mqls_per_quarter,
            "difference_per_month": mix_month - plan.mqls_per_month,
            "share_total": num(mix.share_total),
            "normalised": mix.share_total != 1,
            "unplanned_rates": list(mix.unplanned_rates),
        }
        doc["exact"]["source_mix"] = {
            "blended_rate": num(mix.blended_rate),
            "mqls_per_quarter": num(mix.mqls),
            "mqls_per_month": num(mix.mqls / 3),
            "difference_per_quarter": num(mix.difference),
        }
    if period is not None and target is not None:
        doc["period"] = {
            "label": period.label,
            "kind": period.kind,
            "start": period.start,
            "end": period.end,
            "first_day": period.first_day,
            "last_day": period.last_day,
        }
        doc["mql_target"] = num(target)
    return doc


def _sens_point(value: Fraction, mqls: Fraction) -> dict[str, Any]:
    return {
        "value": num(value),
        "mqls_per_quarter": math.ceil(mqls),
        "mqls_per_month": math.ceil(mqls / 3),
        "exact_mqls_per_quarter": num(mqls),
    }


def plan_view(pact: Pact, *, period: str | None = None) -> dict[str, Any]:
    """The plan of this pact's targets, as `leadpact plan --json` prints it with no flag (and `--period`);
    ValueError names a bad period or target."""
    inputs = plan_inputs(pact)
    origins = {name: "pact" for name in ("revenue", "per", *FLAG_RATES.values())}
    plan = waterfall(inputs)
    mix = source_mix(plan, dict(pact.targets.sources), dict(pact.targets.source_rates))
    window = target = None
    if period is not None:
        window = parse_period(period, pact.timezone)
        target = mql_target(
            window, plan, BusinessCalendar(pact.calendar_spec("default")).business_days_between
        )
    return plan_document(plan, mix, sensitivity(inputs), origins, window, target)


# --- rates from history (`plan --from-history`) ---------------------------------------------


@dataclass
class History:
    """What ``--from-history`` measured over the closed months before ``as_of``."""

    period: Period
    months: int
    as_of: datetime
    rates: dict[str, Fraction] = field(default_factory=dict)  # usable waterfall rates
    kept: dict[str, str] = field(default_factory=dict)  # rate -> why the pact's value stays
    sources: dict[str, Fraction] = field(default_factory=dict)  # MQL->SQL by source
    measured: dict[str, float | None] = field(default_factory=dict)  # every rate as measured
    counts: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "start": iso_utc(self.period.start),
            "end": iso_utc(self.period.end),
            "months": self.months,
            "as_of": iso_utc(self.as_of),
            "measured": dict(self.measured),
            "by_source": {name: num(rate) for name, rate in self.sources.items()},
            "counts": dict(self.counts),
        }


def history_window(tz: str, as_of: datetime, months: int) -> Period:
    """The ``months`` whole calendar months (in the pact's time zone) that closed before ``as_of``'s month."""
    last = previous(period_containing("month", as_of, tz))
    first = last
    for _ in range(months - 1):
        first = previous(first)
    return parse_period(_range_text(first, last), tz)


def _range_text(first: Period, last: Period) -> str:
    return f"{first.first_day.isoformat()}..{last.last_day.isoformat()}"


def _measured(rate: float) -> Fraction:
    """A measured rate k/n back as the exact fraction (the nearest with a denominator up to 10**7)."""
    return Fraction(rate).limit_denominator(10**7)


def measure_history(ws: Workspace, *, months: int, as_of: datetime, inputs: PlanInputs) -> History:
    """The rates the metrics engine measures over the last ``months`` closed months before ``as_of``:
    MQL->SQL (by MQL instant), SQL->opp (by SQL instant), close = customers ÷ opportunities, the average deal
    = won revenue ÷ customers (each dated by its own instant, DESIGN.md §5), and MQL->SQL per source. A rate
    with no data, or one the waterfall cannot take (a rate of 0), keeps the pact's value, and ``kept`` says
    why."""
    window = history_window(ws.pact.timezone, as_of, months)
    doc = metrics(ws.engine, ws.pact, ws.rules, _range_text(window, window), as_of=as_of)
    return history_of(doc, window, months=months, as_of=as_of, inputs=inputs)


def history_of(
    doc: dict[str, Any], window: Period, *, months: int, as_of: datetime, inputs: PlanInputs
) -> History:
    """The waterfall's rates a metrics document measures (`measure_history`'s rules), for any period: the
    quarterly review re-runs the waterfall on its quarter's."""
    customers, opportunities = int(doc["customers"]), int(doc["opportunities"])
    won = float(doc["revenue"]["total"])
    candidates: dict[str, Fraction | None] = {
        "mql_to_sql": None if doc["mql_to_sql"] is None else _measured(doc["mql_to_sql"]),
        "sql_to_opp": None if doc["sql_to_opp"] is None else _measured(doc["sql_to_opp"]),
        "close": Fraction(customers, opportunities) if opportunities else None,
        "avg_deal": exact(won) / customers if customers and won > 0 else None,
    }
    history = History(
        period=window,
        months=months,
        as_of=as_of,
        measured={name: None if v is None else float(v) for name, v in candidates.items()},
        counts={
            "mqls": doc["mql_count"],
            "opportunities": opportunities,
            "customers": customers,
            "won_revenue": won,
        },
    )
    for name, value in candidates.items():
        if value is None:
            history.kept[name] = "pact (no history)"
            continue
        try:
            inputs.with_rates({name: value})
        except ValueError:
            history.kept[name] = f"pact (history {float(value):g} unusable)"
            continue
        history.rates[name] = value
    for source, entry in doc["by_source"].items():
        if source != "(none)" and entry.get("mql_to_sql") is not None:
            history.sources[source] = _measured(entry["mql_to_sql"])
    return history
