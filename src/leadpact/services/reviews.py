"""The reviews of DESIGN.md §11 as documents: what `leadpact report`, `GET /api/reports/{kind}` and the
reviews page render (`leadpact.reports`).

Every number is a `metrics --json` number: the period's document from `services.metrics.metrics`, and for the
trends the documents of the months or quarters around it. This module only gathers them with the lists that go
with them (violations with who owes what, escalations, decisions) and pairs measured rates with the pact's.

- weekly, the fixed agenda: the numbers against each commitment, every violation with who owes what, open
  escalations, corrective actions (decisions), assumptions to update;
- monthly: quality over six months, rejection patterns, conversion against the month before, sources, the
  closed loop, the decisions made and carried;
- quarterly: targets against actuals, the waterfall re-run on the quarter's rates, calibration, proposals;
- annual: the four quarters, capacity against volume.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from leadpact.domain.periods import (
    Period,
    ending_with,
    has_started,
    months_in,
    parse_period,
    period_containing,
    previous,
)
from leadpact.domain.planning import waterfall
from leadpact.domain.timeutil import iso_utc, parse_instant
from leadpact.services import review_learning
from leadpact.services.decisions import for_review
from leadpact.services.escalation_views import list_escalations
from leadpact.services.metrics import metrics, plan_inputs
from leadpact.services.plan import history_of
from leadpact.services.review_parts import (
    assumptions,
    capacity,
    changes,
    proposals,
    scorecard_rows,
    trimmed,
    waterfall_doc,
)
from leadpact.services.violations import list_violation_views
from leadpact.services.workspace import Workspace

#: report -> the kind of period it reviews
KINDS: dict[str, str] = {"weekly": "week", "monthly": "month", "quarterly": "quarter", "annual": "year"}
EXAMPLES = {"week": "2026-W10", "month": "2026-03", "quarter": "2026-Q1", "year": "2026"}
TREND_MONTHS = 6
#: how many past periods the reviews page offers of each report
RECENT = {"weekly": 6, "monthly": 6, "quarterly": 4, "annual": 2}


class ReportError(ValueError):
    """A report that cannot be made as asked (an unknown kind, a period of the wrong kind or not begun)."""


def report_period(kind: str, text: str | None, tz: str, now: datetime) -> Period:
    """The period a report reviews: `text`, which must be a period of the report's kind that has begun;
    without one, the last closed period of that kind (a weekly review on Monday looks at last week)."""
    if kind not in KINDS:
        raise ReportError(f"{kind!r} is not a report; the reports are {', '.join(KINDS)}")
    wanted = KINDS[kind]
    if text is None or not text.strip():
        return previous(period_containing(wanted, now, tz))  # type: ignore[arg-type]
    try:
        period = parse_period(text, tz)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    if period.kind != wanted:
        raise ReportError(
            f"{text.strip()} is a {period.kind}; a {kind} report reviews a {wanted} like {EXAMPLES[wanted]}"
        )
    if not has_started(period, now):
        raise ReportError(f"{period.label} has not begun yet")
    return period


def recent_periods(kind: str, tz: str, now: datetime) -> list[str]:
    """The periods the reviews page lists for a report: the current one (to date) and the closed ones before
    it, newest first."""
    current = period_containing(KINDS[kind], now, tz)  # type: ignore[arg-type]
    return [period.label for period in reversed(ending_with(current, RECENT[kind]))]


def _escalations(ws: Workspace, period: Period, now: datetime) -> list[dict[str, Any]]:
    """Escalations open (or overdue) now, and those opened in the period."""
    start, end = iso_utc(period.start), iso_utc(period.end)
    return [
        e
        for e in list_escalations(ws.engine, now=now)
        if e.get("state") != "resolved" or start <= (e.get("opened_at") or "") < end
    ]


def _decisions(ws: Workspace, period: Period, now: datetime) -> dict[str, Any]:
    """The decisions due in the period, done in it, and carried (still open at its end)."""
    return dict(for_review(ws.engine, period, now=now))


#: the share of high-intent leads a staffing plan aims to contact in time (`capacity --target`'s default)
STAFFING_GOAL = 0.9


def _staffing(ws: Workspace, as_of: datetime) -> dict[str, Any] | None:
    """The roster of the week of `as_of` (the review's end, or now for a year not over) against the arrivals
    of the weeks before it (`leadpact capacity`): predicted high-intent compliance and the hours short of
    reps; None without a roster."""
    from leadpact.services.capacity import NoRoster, capacity

    try:
        plan = capacity(ws, as_of=as_of, goal=STAFFING_GOAL)
    except NoRoster:
        return None
    short = [h for h in plan["by_hour"] if h.get("reps_needed") is not None and h["reps_needed"] > h["reps"]]
    return {
        "target": plan["target"],
        "week": plan["week"],
        "weeks_measured": plan["history"]["weeks"],
        "predicted_compliance": plan["predicted_compliance"],
        "hours_short": len(short),
        "most_short": max((h["reps_needed"] - h["reps"] for h in short), default=0),
    }


#: violations of a period's commitment, dated at the instant the period closes (its end): they belong to the
#: review of the period they judge, not to the next one's
CLOSING_KINDS = frozenset({"marketing_volume", "acceptance"})


def _violations(ws: Workspace, period: Period, now: datetime) -> dict[str, Any]:
    found = list_violation_views(
        ws.engine,
        now=now,
        versions=ws.versions,
        timezone=ws.pact.timezone,
        start=period.start,
        end=period.end + timedelta(microseconds=1),
    )

    def belongs(v: dict[str, Any]) -> bool:
        if not v["at"]:
            return False
        at = parse_instant(v["at"])
        if v["kind"] in CLOSING_KINDS:
            return period.start < at <= period.end
        return at < period.end

    items = [v for v in found if belongs(v)]
    owed = Counter((v["owed_by"], v["owner"] or "(unassigned)") for v in items)
    kinds = Counter((v["owed_by"], v["kind"]) for v in items)
    return {
        "items": items,
        "by_owner": [{"team": team, "owner": owner, "count": n} for (team, owner), n in sorted(owed.items())],
        "by_kind": [{"team": team, "kind": kind, "count": n} for (team, kind), n in sorted(kinds.items())],
    }


def review_document(ws: Workspace, kind: str, period_text: str | None, *, now: datetime) -> dict[str, Any]:
    """The review of `kind` for a period (default: the last closed one) as of `now`. Raises `ReportError`
    with a sentence for a bad kind or period."""
    pact = ws.pact
    period = report_period(kind, period_text, pact.timezone, now)

    def doc_of(p: Period) -> dict[str, Any]:
        return metrics(ws.engine, pact, ws.rules, p.label, as_of=now)

    m = doc_of(period)
    out: dict[str, Any] = {
        "kind": kind,
        "period": period.label,
        "start": iso_utc(period.start),
        "end": iso_utc(period.end),
        "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "closed": period.end <= now,
        "as_of": iso_utc(now),
        "timezone": pact.timezone,
        "pact": {"name": pact.name, "version": pact.version, "mode": pact.mode},
        "targets": {
            "acceptance_min": pact.targets.acceptance_min,
            "compliance_min": pact.escalation.sales_response.compliance_below,
            "volume_below": pact.escalation.marketing_volume.below,
            "touches_min": pact.touches.min,
        },
        "metrics": m,
        "scorecard": scorecard_rows(m, pact),
        "violations": _violations(ws, period, now),
        "escalations": _escalations(ws, period, now),
        "decisions": _decisions(ws, period, now),
    }
    if kind == "weekly":
        out["assumptions"] = assumptions(m, pact)
    elif kind == "monthly":
        months = ending_with(period, TREND_MONTHS)
        trend = [trimmed(doc_of(p)) for p in months[:-1]] + [trimmed(m)]
        out["trend"] = trend
        out["changes"] = changes(m, trend[-2] if len(trend) > 1 else None)
    elif kind == "quarterly":
        out["trend"] = [trimmed(doc_of(month)) for month in months_in(period)]
        inputs = plan_inputs(pact)
        history = history_of(m, period, months=3, as_of=now, inputs=inputs)
        out["waterfall"] = {
            "plan": waterfall_doc(waterfall(inputs)),
            "rerun": waterfall_doc(waterfall(inputs, history.rates)),
            "measured": history.measured,
            "kept": history.kept,
        }
        out.update(review_learning.quarterly(ws, period, now=now))  # calibration, curve, erlang (§13)
        usable = {name: history.measured[name] for name in history.rates}
        out["proposals"] = proposals(m, pact, usable, out["waterfall"])
    else:
        quarters = _quarters_of(period)
        out["trend"] = [trimmed(doc_of(q)) for q in quarters]
        out["capacity"] = capacity(m, ws, period)
        out["staffing"] = _staffing(ws, min(now, period.end))
    return out


def _quarters_of(year: Period) -> list[Period]:
    return [parse_period(f"{year.first_day.year}-Q{q}", year.tz) for q in range(1, 5)]
