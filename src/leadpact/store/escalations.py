"""Queries on escalations. Flush, never commit.

An escalation is inserted with ON CONFLICT DO NOTHING on its (rule, team, period): however many workers
evaluate at once, one row goes in and only the worker whose insert took it sends the messages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select, update

from leadpact.store.clocks import insert_new
from leadpact.store.tables import escalations, events


def open_escalation(conn: Connection, row: dict[str, Any]) -> int | None:
    """Insert the escalation unless its (rule, team, period) exists; its id when this call inserted it."""
    values = {**row, "owner": json.dumps(row["owner"]), "evidence": json.dumps(row["evidence"])}
    taken = insert_new(conn, escalations, [values], ("seq",))
    return int(next(iter(taken))[0]) if taken else None


def opened_periods(conn: Connection, rule: str, team: str) -> set[str]:
    query = select(escalations.c.period).where(escalations.c.rule == rule, escalations.c.team == team)
    return {str(p) for (p,) in conn.execute(query)}


def list_escalations(conn: Connection, *, unresolved: bool = False) -> list[RowMapping]:
    query = select(escalations).order_by(escalations.c.opened_at, escalations.c.seq)
    if unresolved:
        query = query.where(escalations.c.resolved_at.is_(None))
    return list(conn.execute(query).mappings())


def get_escalation(conn: Connection, seq: int) -> RowMapping | None:
    return conn.execute(select(escalations).where(escalations.c.seq == seq)).mappings().first()


def resolve(conn: Connection, seq: int, *, plan: str, by: str | None, at: datetime) -> bool:
    """Resolve an unresolved escalation; False when it is resolved already (or does not exist)."""
    result = conn.execute(
        update(escalations)
        .where(escalations.c.seq == seq, escalations.c.resolved_at.is_(None))
        .values(plan=plan, resolved_by=by, resolved_at=at)
    )
    return bool(result.rowcount)


def recorded_since(conn: Connection, after_seq: int, limit: int = 100) -> Sequence[RowMapping]:
    """Escalations opened after `after_seq` (the live stream's cursor)."""
    query = select(escalations).where(escalations.c.seq > after_seq).order_by(escalations.c.seq).limit(limit)
    return list(conn.execute(query).mappings())


def first_received_at(conn: Connection) -> datetime | None:
    """When the store received its first event (None: nothing yet). Periods that ended before it are history
    brought in later: nothing about them is escalated (DESIGN.md §12)."""
    row = conn.execute(select(events.c.received_at).order_by(events.c.seq).limit(1)).first()
    return None if row is None else row[0]
