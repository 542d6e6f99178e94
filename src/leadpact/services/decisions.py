"""Decisions of the reviews (DESIGN.md §10): `leadpact decide` records who does what by when; a review lists
the decisions due in its period, those done in it, and those carried over (still open at its end).
`for_review` is what the reports call."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.periods import Period, local_date
from leadpact.domain.timeutil import iso_utc, iso_utc_or_none
from leadpact.store import decisions as store

TEAMS = ("marketing", "sales")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DecisionNotFound(LookupError):
    pass


class DecisionDone(ValueError):
    """The decision was marked done already."""


class NotYourDecision(PermissionError):
    """A team's key marking another team's decision done."""


def decision_view(row: Any, *, today: date) -> dict[str, Any]:
    """A decision as `decisions --json` prints it; `state` open, overdue (past its due date) or done."""
    due = date.fromisoformat(row["due"])
    done = row["done_at"] is not None
    return {
        "id": int(row["seq"]),
        "text": row["text"],
        "owner": row["owner"],
        "team": row["team"],
        "due": row["due"],
        "state": "done" if done else "overdue" if due < today else "open",
        "made_at": iso_utc(row["made_at"]),
        "made_by": row["made_by"],
        "done_at": iso_utc_or_none(row["done_at"]),
        "done_by": row["done_by"],
    }


def check_decision(text: str, owner: str, due: str, team: str | None) -> tuple[str, str, date, str | None]:
    """The decision's fields, cleaned; ValueError naming the field and the reason."""
    text, owner = text.strip(), owner.strip()
    if not text:
        raise ValueError("text: the decision is empty")
    if len(text) > 10_000:
        raise ValueError("text: longer than 10,000 characters")
    if not _EMAIL.match(owner) or len(owner) > 320:
        raise ValueError(f"owner: {owner!r} is not an email address")
    try:
        due_date = date.fromisoformat(due.strip())
    except ValueError:
        raise ValueError(f"due: {due!r} is not a date like 2026-03-20") from None
    if team is not None and team not in TEAMS:
        raise ValueError(f"team: {team!r} is not marketing or sales")
    return text, owner, due_date, team


def decide(
    engine: Engine,
    *,
    text: str,
    owner: str,
    due: str,
    team: str | None = None,
    by: str | None = None,
    now: datetime,
    tz: str,
) -> dict[str, Any]:
    """Record a decision; ValueError names a bad field."""
    text, owner, due_date, team = check_decision(text, owner, due, team)
    row = {
        "text": text,
        "owner": owner,
        "team": team,
        "due": due_date.isoformat(),
        "made_at": now,
        "made_by": by,
    }
    with engine.begin() as conn:
        seq = store.add_decision(conn, row)
        stored = store.get_decision(conn, seq)
    return decision_view(stored, today=local_date(now, tz))


def list_decisions(
    engine: Engine, *, now: datetime, tz: str, open_only: bool = False
) -> list[dict[str, Any]]:
    """Decisions by due date; `open_only`: those not done (open or overdue)."""
    with engine.connect() as conn:
        rows = store.list_decisions(conn, open_only=open_only)
    today = local_date(now, tz)
    return [decision_view(r, today=today) for r in rows]


def mark_done(
    engine: Engine, decision_id: int, *, by: str | None, now: datetime, tz: str, team: str | None = None
) -> dict[str, Any]:
    """Mark a decision done; `team` (a team's key) only its own team's. Raises DecisionNotFound, DecisionDone,
    NotYourDecision."""
    with engine.begin() as conn:
        row = store.get_decision(conn, decision_id)
        if row is None:
            raise DecisionNotFound(f"no decision {decision_id}")
        if team is not None and row["team"] not in (None, team):
            raise NotYourDecision(f"decision {decision_id} is {row['team']}'s, not {team}'s")
        if not store.mark_done(conn, decision_id, by=by, at=now):
            raise DecisionDone(f"decision {decision_id} was done already")
        row = store.get_decision(conn, decision_id)
    return decision_view(row, today=local_date(now, tz))


def for_review(engine: Engine, period: Period, *, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The decisions a review of `period` lists: `due` (due on a day of the period), `done` (done in it) and
    `carried` (made before its end and still open at its end, or at `now` for a period not over yet). A
    decision may be in two lists (due and carried: it was due and is not done)."""
    end = min(period.end, now)
    with engine.connect() as conn:
        rows = store.list_decisions(conn)
    today = local_date(end, period.tz)
    first, last = period.first_day.isoformat(), period.last_day.isoformat()
    due, done, carried = [], [], []
    for row in rows:
        if row["made_at"] > end:
            continue
        view = decision_view(row, today=today)
        finished = row["done_at"] is not None and row["done_at"] <= end
        if not finished:
            view = {**view, "state": "overdue" if row["due"] < today.isoformat() else "open", "done_at": None,
                    "done_by": None}  # fmt: skip
        if first <= row["due"] <= last:
            due.append(view)
        if finished and period.start <= row["done_at"]:
            done.append(view)
        if not finished:
            carried.append(view)
    return {"due": due, "done": done, "carried": carried}
