"""Escalations as people read and resolve them (DESIGN.md §10): the view `escalations --json` prints, its
evidence in a line, the list by state, and resolving one with the plan agreed. Opening them is the worker's
(`services.escalations.evaluate`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.escalation import OPEN, OVERDUE, RESOLVED, state
from leadpact.domain.timeutil import iso_utc, iso_utc_or_none
from leadpact.store import escalations as store


class EscalationNotFound(LookupError):
    pass


class EscalationResolved(ValueError):
    """The escalation was resolved already."""


class NotYourTeam(PermissionError):
    """A team's key resolving another team's escalation."""


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def evidence_line(rule: str, e: dict[str, Any]) -> str:
    """The numbers behind an escalation, in a line for people."""
    if rule == "marketing_volume":
        share = "" if e.get("share") is None else f" ({e['share']:.0%})"
        return f"{e['mql_count']} MQLs of {e['mql_target']:.1f}{share}, below {e['below']:.0%}"
    if rule == "sales_response":
        days = ", ".join(f"{d['day'][5:]} {_rate(d['response_compliance'])}" for d in e["days"])
        return f"first contact in time below {e['compliance_below']:.0%}: {days}"
    return f"misses {e['consecutive_weeks']} weeks running: {', '.join(e['weeks'])}"


def escalation_view(row: Any, now: datetime) -> dict[str, Any]:
    """An escalation as `escalations --json` prints it (DESIGN.md §10); `summary` is its evidence in words."""
    owners = json.loads(row["owner"])
    evidence = json.loads(row["evidence"])
    return {
        "id": int(row["seq"]),
        "rule": row["rule"],
        "team": row["team"],
        "period": row["period"],
        "action": row["action"],
        "opened_at": iso_utc(row["opened_at"]),
        "due_at": iso_utc_or_none(row["due_at"]),
        "state": state(row["resolved_at"], row["due_at"], now),
        "owner": ", ".join(owners) if owners else None,
        "owners": owners,
        "mode": row["mode"],
        "evidence": evidence,
        "summary": evidence_line(row["rule"], evidence),
        "plan": row["plan"],
        "resolved_at": iso_utc_or_none(row["resolved_at"]),
        "resolved_by": row["resolved_by"],
    }


def list_escalations(engine: Engine, *, now: datetime, state: str | None = None) -> list[dict[str, Any]]:
    """Escalations, oldest first; `state` open, overdue, resolved, or `unresolved` (open or overdue)."""
    if state not in (None, OPEN, OVERDUE, RESOLVED, "unresolved"):
        raise ValueError(f"{state!r} is not a state (open, overdue, resolved)")
    with engine.connect() as conn:
        rows = store.list_escalations(conn, unresolved=state in (OPEN, OVERDUE, "unresolved"))
    views = [escalation_view(r, now) for r in rows]
    if state in (OPEN, OVERDUE, RESOLVED):
        views = [v for v in views if v["state"] == state]
    return views


def resolve_escalation(
    engine: Engine,
    escalation_id: int,
    *,
    plan: str,
    by: str | None,
    now: datetime,
    team: str | None = None,
) -> dict[str, Any]:
    """Resolve an open or overdue escalation with the plan agreed; `team` (a team's key) may resolve only its
    own team's. Raises EscalationNotFound, EscalationResolved, NotYourTeam; ValueError for an empty plan."""
    plan = plan.strip()
    if not plan:
        raise ValueError("the plan is empty: say what will be done")
    with engine.begin() as conn:
        row = store.get_escalation(conn, escalation_id)
        if row is None:
            raise EscalationNotFound(f"no escalation {escalation_id}")
        if team is not None and row["team"] != team:
            raise NotYourTeam(f"escalation {escalation_id} is {row['team']}'s to resolve, not {team}'s")
        if not store.resolve(conn, escalation_id, plan=plan, by=by, at=now):
            raise EscalationResolved(f"escalation {escalation_id} was resolved already")
        row = store.get_escalation(conn, escalation_id)
    return escalation_view(row, now)
