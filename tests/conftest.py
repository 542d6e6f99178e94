"""Shared fixtures: the default pact, and a migrated store on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from leadpact.store.db import make_engine, migrate
from tests_support import PG_URL, REQUIRE_PG


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server named by LEADPACT_TEST_PG, migrated once."""
    base = make_url(PG_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        admin.dispose()
        reason = f"no PostgreSQL answers at {PG_URL} ({str(exc).splitlines()[0]})"
        if REQUIRE_PG:
            pytest.fail(f"LEADPACT_REQUIRE_PG=1 but {reason}")
        pytest.skip(reason)
    name = f"leadpact_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_server: str) -> Iterator[Engine]:
    engine = make_engine(pg_server)
    migrate(engine)
    yield engine
    engine.dispose()


from tests_support import truncate as _truncate  # noqa: E402


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def engine(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    """A migrated, empty store: a fresh SQLite file, or the session's PostgreSQL database truncated."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'leadpact.db'}")
        migrate(eng)
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        _truncate(eng)
        yield eng


@pytest.fixture(scope="session")
def pact() -> Any:
    from leadpact.pact import Pact

    return Pact()
