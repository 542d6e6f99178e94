"""Reading whole tables a page at a time, by primary key, for `leadpact export` (DESIGN.md §12).
Flush, never commit; read only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, and_, select, tuple_

from leadpact.store.tables import clocks, handoffs, leads, violations

TABLES: dict[str, Table] = {"leads": leads, "handoffs": handoffs, "clocks": clocks, "violations": violations}
#: the instant a row of each table is dated by, for --period
DATED: dict[str, str] = {
    "leads": "created_at",
    "handoffs": "start_at",
    "clocks": "due_at",
    "violations": "at",
}


def columns_of(name: str) -> list[str]:
    return [c.name for c in TABLES[name].columns]


def rows_page(
    conn: Connection,
    name: str,
    *,
    after: tuple[Any, ...] | None,
    limit: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[RowMapping]:
    """The next `limit` rows of a table after the key `after` (None: from the first), by primary key; only
    those dated inside [start, end) when given."""
    table = TABLES[name]
    key = list(table.primary_key.columns)
    query = select(table).order_by(*key).limit(limit)
    if after is not None:
        query = query.where(tuple_(*key) > tuple_(*after))
    if start is not None and end is not None:
        dated = table.c[DATED[name]]
        query = query.where(and_(dated >= start, dated < end))
    return list(conn.execute(query).mappings())


def key_of(name: str, row: RowMapping) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in TABLES[name].primary_key.columns)


def column_kinds(name: str) -> list[tuple[str, str]]:
    """Each column of a table and its kind for a writer: str, int, float, bool or time."""
    from sqlalchemy import Boolean, Float, Integer

    from leadpact.store.types import Instant

    out = []
    for c in TABLES[name].columns:
        kind = (
            "time"
            if isinstance(c.type, Instant)
            else "bool"
            if isinstance(c.type, Boolean)
            else "float"
            if isinstance(c.type, Float)
            else "int"
            if isinstance(c.type, Integer)
            else "str"
        )
        out.append((c.name, kind))
    return out
