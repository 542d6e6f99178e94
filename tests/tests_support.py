"""Helpers the tests share (not fixtures)."""

from __future__ import annotations

from sqlalchemy import Engine, text


def truncate(engine: Engine) -> None:
    """Empty every table of a PostgreSQL store (fast, keeps the migrated schema)."""
    from leadpact.store.tables import metadata

    names = [t.name for t in metadata.sorted_tables]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
