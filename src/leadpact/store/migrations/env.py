"""Alembic environment: the URL comes from a passed connection, `-x db=URL`, or $LEADPACT_DB."""

from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import create_engine

from leadpact.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("LEADPACT_DB")
    if not url:
        raise SystemExit("set LEADPACT_DB or pass -x db=URL (e.g. sqlite:///leadpact.db)")
    return url


def _run(conn: Any) -> None:
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    engine = create_engine(_url())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
