"""What the dashboard's pages show (DESIGN.md §9), each page one call: the numbers are `metrics --json`'s
(`services.metrics.metrics`, the API's and the CLI's service), the lists those of `clocks`, `queue` and
`lead`; nothing here computes a metric again. Periods are in the pact's zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.periods import Period, ending_with, following, parse_period, period_containing, previous
from leadpact.domain.scorecard import Commitments, largest_leak, scorecard
from leadpact.pact import Pact
from leadpact.services.escalation_views import list_escalations
from leadpact.services.metrics import metrics
from leadpact.services.routing_views import queue_view
from leadpact.services.violations import clock_page, clock_view
from leadpact.services.workspace import Workspace
from leadpact.store import clocks as store_clocks

#: at most this many open clocks on the sales page (the soonest due first)
OPEN_LIMIT = 1000
#: at most this many of the month's unworked breaches (the latest first)
OVERDUE_LIMIT = 1000
DUE_NEXT = 12  # the open clocks due soonest, whoever owns them
TREND_MONTHS = 6
NONE_KEY = "(none)"


def commitments_of(pact: Pact) -> Commitments:
    return Commitments(
        acceptance_min=float(pact.targets.acceptance_min),
        volume_below=float(pact.escalation.marketing_volume.below),
        compliance_min=float(pact.escalation.sales_response.compliance_below),
        touches_min=int(pact.touches.min),
    )


def current_month(ws: Workspace, now: datetime) -> Period:
    return period_containing("month", now, ws.pact.timezone)


def month_of(ws: Workspace, label: str) -> Period:
    """The month `label` names (2026-03) in the pact's zone; ValueError for anything else."""
    period = parse_period(label, ws.pact.timezone)
    if period.kind != "month":
        raise ValueError(f"{label!r} is not a month like 2026-03")
    return period


def month_metrics(ws: Workspace, now: datetime, period: Period | None = None) -> dict[str, Any]:
    """`leadpact metrics --period <month> --json` as of `now` (default the month containing it)."""
    label = (period or current_month(ws, now)).label
    return metrics(ws.engine, ws.pact, ws.rules, label, as_of=now)


def month_nav(ws: Workspace, now: datetime, period: Period) -> dict[str, str | None]:
    """The months either side of `period` a page links to (none after the current month)."""
    later = following(period)
    return {
        "previous": previous(period).label,
        "next": later.label if later.start <= current_month(ws, now).start else None,
        "current": current_month(ws, now).label,
    }


def overview(ws: Workspace, now: datetime, month: Period | None = None) -> dict[str, Any]:
    """A month (default the current one): its metrics document, both teams' scorecard, the largest funnel
    leak, and the escalations still open (open or overdue, as `escalations --open --json` lists them)."""
    month = month or current_month(ws, now)
    doc = month_metrics(ws, now, month)
    return {
        "metrics": doc,
        "scorecard": scorecard(doc, commitments_of(ws.pact)),
        "largest_leak": largest_leak(doc),
        "escalations": list_escalations(ws.engine, now=now, state="unresolved"),
        "nav": month_nav(ws, now, month),
    }


def _reps(ws: Workspace) -> dict[str, dict[str, Any]]:
    if ws.roster is None:
        return {}
    return {
        rep.id: {"id": rep.id, "name": rep.name, "team": rep.team, "active": rep.active}
        for rep in ws.roster.reps
    }


def _unworked(engine: Engine, start: datetime, now: datetime) -> tuple[list[dict[str, Any]], dict[Any, int]]:
    """This month's clocks past due that nobody has worked (latest first, at most `OVERDUE_LIMIT`), and the
    month's breaches per owner."""
    with engine.connect() as conn:
        rows = store_clocks.unworked_breaches(conn, start=start, now=now, limit=OVERDUE_LIMIT)
        counts = store_clocks.breaches_by_owner(conn, start=start, now=now)
        recorded = store_clocks.recorded_levels(conn, sorted({r["lead_id"] for r in rows}))
    views = [clock_view(r, now, recorded.get((r["lead_id"], r["n"], r["kind"]), set())) for r in rows]
    return views, counts


def sales(ws: Workspace, now: datetime) -> dict[str, Any]:
    """Per rep: open clocks (soonest due first), this month's breaches and the ones still unworked, and the
    month's metrics of the rep (`by_rep`); across reps the clocks due next and the latest breached clocks
    nobody has met yet; the handoffs waiting for a rep."""
    month = current_month(ws, now)
    doc = month_metrics(ws, now, month)
    open_clocks, more = clock_page(ws.engine, now=now, status="open", limit=OPEN_LIMIT)
    overdue, breaches = _unworked(ws.engine, month.start, now)
    reps = _reps(ws)
    by_rep = doc.get("by_rep") or {}
    rows: dict[str, dict[str, Any]] = {}

    def row(owner: str | None) -> dict[str, Any]:
        key = owner or NONE_KEY
        if key not in rows:
            info = reps.get(key, {"id": key, "name": key, "team": None, "active": True})
            rows[key] = {**info, "open": [], "overdue": [], "breaches": 0, "metrics": by_rep.get(key)}
        return rows[key]

    for rep_id in reps:
        row(rep_id)
    for clock in open_clocks:
        row(clock["owner"])["open"].append(clock)
    for clock in overdue:
        row(clock["owner"])["overdue"].append(clock)
    for owner, n in breaches.items():
        row(owner)["breaches"] = n
    for key in by_rep:
        if key != NONE_KEY:
            row(key)
    ordered = sorted(rows.values(), key=lambda r: (r["id"] == NONE_KEY, r["team"] or "", r["id"]))
    return {
        "period": month.label,
        "metrics": doc,
        "reps": ordered,
        "due_next": open_clocks[:DUE_NEXT],
        "overdue": overdue[:DUE_NEXT],
        "overdue_count": len(overdue),
        "overdue_more": len(overdue) == OVERDUE_LIMIT,
        "open_count": len(open_clocks),
        "open_more": more is not None,
        "queue": queue_view(ws.engine, now),
    }


def marketing(
    ws: Workspace, now: datetime, month: Period | None = None, months: int = TREND_MONTHS
) -> dict[str, Any]:
    """A month (default the current one) by source, and the `months` months up to it (oldest first) for
    the trends."""
    period = month or current_month(ws, now)
    docs = [month_metrics(ws, now, p) for p in ending_with(period, months)]
    return {"metrics": docs[-1], "trend": docs, "nav": month_nav(ws, now, period)}
