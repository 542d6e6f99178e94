"""What the benchmarks share: the PostgreSQL server they use, and empty stores to measure on."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG = os.environ.get("LEADPACT_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_database(name: str) -> str:
    """The URL of database `name` on the benchmark server (not created)."""
    return make_url(PG).set(database=name).render_as_string(hide_password=False)


def fresh(url: str) -> str:
    """Empty the store at `url` (an SQLite file and its WAL files deleted, a PostgreSQL database dropped and
    created again); returns `url`."""
    if url.startswith("sqlite"):
        db = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        return url
    name = make_url(url).database
    admin = create_engine(make_url(PG), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url
