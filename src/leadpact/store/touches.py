"""Reading the touches of a window as columns (capacity reads how reps work). Flush, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection


def touch_rows(conn: Connection, start_us: int, end_us: int) -> list[tuple[Any, ...]]:
    """(rep, at µs, automated as a bool) of the touches stamped in [start, end), the fields read by the
    database (SQLite's JSON gives 1/0, PostgreSQL's text 'true'/'false')."""
    postgres = conn.dialect.name == "postgresql"
    field = "(data::json ->> '{0}')" if postgres else "json_extract(data, '$.{0}')"
    mark = "%s" if postgres else "?"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            f"SELECT {field.format('rep')}, at, {field.format('automated')} FROM events "
            f"WHERE type = 'touch' AND at >= {mark} AND at < {mark}",
            (start_us, end_us),
        )
        return [(rep, int(at), auto in (1, True, "true")) for rep, at, auto in cursor.fetchall()]
    finally:
        cursor.close()
