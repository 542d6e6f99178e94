"""Queries on the reviews' decisions. Flush, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from leadpact.store.tables import decisions


def add_decision(conn: Connection, row: dict[str, Any]) -> int:
    result = conn.execute(insert(decisions).values(**row).returning(decisions.c.seq))
    return int(result.scalar_one())


def get_decision(conn: Connection, seq: int) -> RowMapping | None:
    return conn.execute(select(decisions).where(decisions.c.seq == seq)).mappings().first()


def list_decisions(conn: Connection, *, open_only: bool = False) -> list[RowMapping]:
    query = select(decisions).order_by(decisions.c.due, decisions.c.seq)
    if open_only:
        query = query.where(decisions.c.done_at.is_(None))
    return list(conn.execute(query).mappings())


def mark_done(conn: Connection, seq: int, *, by: str | None, at: datetime) -> bool:
    """Mark a decision done; False when it was done already (or does not exist)."""
    result = conn.execute(
        update(decisions)
        .where(decisions.c.seq == seq, decisions.c.done_at.is_(None))
        .values(done_at=at, done_by=by)
    )
    return bool(result.rowcount)
