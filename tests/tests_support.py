"""Helpers the tests share (not fixtures)."""

from __future__ import annotations

import os

from sqlalchemy import Engine, text

PG_URL = os.environ.get("LEADPACT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("LEADPACT_REQUIRE_PG") == "1"


def truncate(engine: Engine) -> None:
    """Empty every table of a PostgreSQL store (fast, keeps the migrated schema)."""
    from leadpact.store.tables import metadata

    names = [t.name for t in metadata.sorted_tables]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
