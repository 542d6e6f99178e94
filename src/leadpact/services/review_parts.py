"""The parts of a review that pair `metrics --json` numbers with the pact's: the scorecard, the assumptions to
update, the changes against the period before, the re-run waterfall, the proposals, capacity against volume.
Nothing here measures: every measured number is read from a metrics document."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadpact.domain.commitments import commitments, judge
from leadpact.domain.periods import Period
from leadpact.domain.planning import Waterfall
from leadpact.pact import Pact
from leadpact.services.commitments import targets_of
from leadpact.services.plan import plan_document
from leadpact.services.workspace import Workspace

#: a measured rate this far (relative) from the pact's is an assumption to update
DRIFT = 0.10
#: commitments whose actual is a count (the rest are rates)
COUNTED = frozenset({"mql_volume", "feedback"})
TREND_KEYS = (
    "period",
    "start",
    "end",
    "mql_count",
    "rehandoff_count",
    "mql_target",
    "mql_pace",
    "projected",
    "acceptance_rate",
    "pending_dispositions",
    "mql_to_sql",
    "sql_to_opp",
    "response_compliance",
    "response_minutes",
    "disposition_compliance",
    "min_touch_rate",
    "worked_rate",
    "touches_per_lead",
    "sales_flagged_rate",
    "hygiene_rate",
    "reasons",
    "pipeline",
    "revenue",
    "opportunities",
    "customers",
)
SOURCE_KEYS = ("mql_count", "mql_target", "mql_pace", "acceptance_rate", "mql_to_sql", "pipeline")
CHANGE_KEYS = (
    "acceptance_rate",
    "mql_to_sql",
    "sql_to_opp",
    "response_compliance",
    "disposition_compliance",
    "worked_rate",
    "sales_flagged_rate",
)


def scorecard_rows(m: dict[str, Any], pact: Pact) -> list[dict[str, Any]]:
    """Each commitment judged on the period's document as `leadpact commitments` judges it (met, missed, or
    None with nothing to measure), marketing's first."""
    targets = targets_of(pact)
    rows = []
    for c in commitments(targets):
        judged = judge(c, m, targets)
        rows.append(
            {
                "key": c.key,
                "team": c.team,
                "commitment": c.label,
                "judged_per": c.per,
                "actual": judged["actual"],
                "target": judged["target"],
                "at_most": c.at_most,
                "met": judged["met"],
                "unit": "count" if c.key in COUNTED else "rate",
            }
        )
    return rows


def trimmed(m: dict[str, Any]) -> dict[str, Any]:
    """What a trend keeps of a period's metrics document (its numbers unchanged)."""
    out = {k: m.get(k) for k in TREND_KEYS}
    out["by_source"] = {
        source: {k: entry.get(k) for k in SOURCE_KEYS} for source, entry in (m.get("by_source") or {}).items()
    }
    return out


def _drifted(planned: float | None, measured: float | None) -> bool:
    if planned is None or measured is None or planned == 0:
        return False
    return abs(measured - planned) / planned > DRIFT


def _assumption(
    key: str, label: str, planned: float | None, measured: float | None, n: Any
) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "planned": planned,
        "measured": measured,
        "basis": n,
        "update": _drifted(planned, measured),
    }


def assumptions(m: dict[str, Any], pact: Pact) -> list[dict[str, Any]]:
    """The pact's planning rates beside the period's: which assumption the numbers say to update."""
    t = pact.targets
    rows = [
        _assumption(
            "targets.acceptance_min",
            "MQL→SAL acceptance",
            t.acceptance_min,
            m.get("acceptance_rate"),
            m.get("mql_count"),
        ),
        _assumption(
            "targets.rates.mql_to_sql", "MQL→SQL", t.rates.mql_to_sql, m.get("mql_to_sql"), m.get("mql_count")
        ),
        _assumption(
            "targets.rates.sql_to_opp", "SQL→opportunity", t.rates.sql_to_opp, m.get("sql_to_opp"), None
        ),
    ]
    by_source = m.get("by_source") or {}
    for source, rate in t.source_rates.items():
        entry = by_source.get(source) or {}
        rows.append(
            _assumption(
                f"targets.source_rates.{source}",
                f"MQL→SQL from {source}",
                rate,
                entry.get("mql_to_sql"),
                entry.get("mql_count"),
            )
        )
    return rows


def changes(now: dict[str, Any], before: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each conversion rate against the period before, in percentage points."""
    out = []
    for key in CHANGE_KEYS:
        a = None if before is None else before.get(key)
        b = now.get(key)
        out.append(
            {
                "key": key,
                "before": a,
                "now": b,
                "points": None if a is None or b is None else (b - a) * 100,
                "before_period": None if before is None else before.get("period"),
            }
        )
    return out


def waterfall_doc(w: Waterfall) -> dict[str, Any]:
    return plan_document(w, None, (), {})


def proposals(
    m: dict[str, Any], pact: Pact, measured: dict[str, float | None], wf: dict[str, Any]
) -> list[dict[str, Any]]:
    """Changes to targets and criteria the quarter's numbers argue for: rates that drifted, acceptance below
    the minimum, reasons flagged, the MQLs the re-run waterfall needs."""
    out: list[dict[str, Any]] = []
    rates = pact.targets.rates
    planned = {
        "mql_to_sql": rates.mql_to_sql,
        "sql_to_opp": rates.sql_to_opp,
        "close": rates.close,
        "avg_deal": rates.avg_deal,
    }
    for name, value in planned.items():
        if _drifted(value, measured.get(name)):
            out.append(
                {
                    "kind": "rate",
                    "key": f"targets.rates.{name}",
                    "planned": value,
                    "measured": measured[name],
                    "unit": "amount" if name == "avg_deal" else "rate",
                }
            )
    acceptance = m.get("acceptance_rate")
    if acceptance is not None and acceptance < pact.targets.acceptance_min:
        out.append(
            {
                "kind": "gate",
                "key": "scoring.mql",
                "planned": pact.targets.acceptance_min,
                "measured": acceptance,
            }
        )
    for reason, r in (m.get("reasons") or {}).items():
        if r.get("flagged"):
            out.append(
                {"kind": "reason", "key": f"reasons.{reason}", "share": r["share"], "action": r.get("action")}
            )
    plan_month, rerun_month = wf["plan"]["mqls_per_month"], wf["rerun"]["mqls_per_month"]
    if rerun_month != plan_month:
        out.append({"kind": "volume", "key": "targets", "planned": plan_month, "measured": rerun_month})
    return out


def capacity(m: dict[str, Any], ws: Workspace, period: Period) -> dict[str, Any]:
    """Each active rep's new-lead capacity over the period's business days (roster `capacity.per_day`) beside
    the handoffs they received (`by_rep` of the metrics)."""
    calendar = ws.pact.business_calendar("default")
    days = calendar.business_days_between(period.first_day, period.last_day + timedelta(days=1))
    by_rep = m.get("by_rep") or {}
    reps = []
    for rep in [] if ws.roster is None else ws.roster.reps:
        per_day = rep.capacity.per_day if rep.capacity is not None else None
        reps.append(
            {
                "rep": rep.id,
                "name": rep.name,
                "team": rep.team,
                "active": rep.active,
                "per_day": per_day,
                "capacity": None if per_day is None else per_day * days,
                "handoffs": (by_rep.get(rep.id) or {}).get("mql_count", 0),
            }
        )
    limited = [r for r in reps if r["active"]]
    total = (
        None
        if not limited or any(r["capacity"] is None for r in limited)
        else sum(r["capacity"] for r in limited)
    )
    return {"business_days": days, "reps": reps, "capacity": total, "handoffs": m.get("mql_count")}
