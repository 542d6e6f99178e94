"""What changed in the store since the last look: what the live stream (`/api/stream`) tells its clients.

`look` reads a few counters from indexes (`store.changes.heads`); `clock_news` says which leads got events,
which clock alerts were recorded and which handoffs were assigned since an earlier look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.periods import Period
from leadpact.domain.timeutil import iso_utc, to_us
from leadpact.services.escalation_views import escalation_view, list_escalations
from leadpact.store import changes as store_changes
from leadpact.store import escalations as store_escalations

NEWS_LIMIT = 200  # items of each kind in one `clock` message


@dataclass(frozen=True)
class Look:
    """The store's counters at one instant (all only grow)."""

    events: int
    assignments: int
    violations: int
    versions: int
    alerts_at: int  # µs of the newest clock alert's recording
    month_marks: int  # the sum of the current month's day marks
    month: str  # which month the marks are of
    escalations: int = 0  # the newest escalation's id
    resolved: int = 0  # how many escalations are resolved

    def escalations_changed(self, before: Look) -> bool:
        return (before.escalations, before.resolved) != (self.escalations, self.resolved)

    def metrics_changed(self, before: Look | None) -> bool:
        return (
            before is None
            or before.month != self.month
            or before.month_marks != self.month_marks
            or before.alerts_at != self.alerts_at
        )

    def clocks_changed(self, before: Look) -> bool:
        return (before.events, before.assignments, before.violations, before.alerts_at) != (
            self.events,
            self.assignments,
            self.violations,
            self.alerts_at,
        )


def look(engine: Engine, month: Period) -> Look:
    with engine.connect() as conn:
        ev, asg, vio, ver, alerts, marks, esc, resolved = store_changes.heads(
            conn, to_us(month.start), to_us(month.end)
        )
    return Look(ev, asg, vio, ver, alerts, marks, month.label, esc, resolved)


def escalation_news(engine: Engine, before: Look, after: Look, now: datetime) -> dict[str, Any]:
    """The `escalation` message: escalations opened since an earlier look (as `escalations --json` lists them,
    at most `NEWS_LIMIT`), and how many are unresolved now."""
    unresolved = list_escalations(engine, now=now, state="unresolved")
    with engine.connect() as conn:
        rows = store_escalations.recorded_since(conn, before.escalations, NEWS_LIMIT)
    return {
        "as_of": iso_utc(now),
        "opened": [escalation_view(r, now) for r in rows],
        "unresolved": len(unresolved),
        "resolved_since": after.resolved - before.resolved,
    }


def clock_news(engine: Engine, before: Look, after: Look, now: datetime) -> dict[str, Any]:
    """The `clock` message: leads whose timeline changed, clock alerts recorded and assignments made between
    two looks (each list at most `NEWS_LIMIT`; `more` says a list was cut)."""
    with engine.connect() as conn:
        leads = (
            store_changes.leads_after(conn, before.events, NEWS_LIMIT + 1)
            if after.events > before.events
            else []
        )
        alerts = (
            store_changes.alerts_after(conn, before.alerts_at, NEWS_LIMIT + 1)
            if after.alerts_at > before.alerts_at
            else []
        )
        assigned = (
            store_changes.assignments_after(conn, before.assignments, NEWS_LIMIT + 1)
            if after.assignments > before.assignments
            else []
        )
    return {
        "as_of": iso_utc(now),
        "leads": sorted(leads[:NEWS_LIMIT]),
        "alerts": [
            {
                "lead_id": a["lead_id"],
                "handoff": a["n"],
                "kind": a["kind"],
                "level": a["level"],
                "at": iso_utc(a["at"]),
                "due_at": iso_utc(a["due_at"]),
                "recorded_at": iso_utc(a["recorded_at"]),
            }
            for a in alerts[:NEWS_LIMIT]
        ],
        "assignments": [
            {
                "lead_id": a["lead_id"],
                "handoff": a["n"],
                "rep": a["rep"],
                "team": a["team"],
                "kind": a["kind"],
                "at": iso_utc(a["at"]),
            }
            for a in assigned[:NEWS_LIMIT]
        ],
        "violations_recorded": after.violations > before.violations,
        "more": any(len(x) > NEWS_LIMIT for x in (leads, alerts, assigned)),
    }
