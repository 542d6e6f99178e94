"""Migrations: `alembic upgrade head` from empty builds exactly the schema the code declares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

from leadpact.store.tables import metadata

ROOT = Path(__file__).resolve().parents[2]


def test_the_migrated_schema_matches_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_alembic_upgrade_head_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "LEADPACT_DB": url},
    )
    assert done.returncode == 0, done.stderr
    names = set(inspect(create_engine(url)).get_table_names())
    assert {"events", "leads", "handoffs", "clocks", "clock_alerts", "violations", "outbox"} <= names
    down = subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"db={url}", "downgrade", "base"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert down.returncode == 0, down.stderr
    assert set(inspect(create_engine(url)).get_table_names()) <= {"alembic_version"}


def test_alembic_upgrade_head_from_empty_on_postgresql() -> None:
    import uuid

    import pytest
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tests_support import PG_URL, REQUIRE_PG

    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        if REQUIRE_PG:
            pytest.fail(f"LEADPACT_REQUIRE_PG=1 but no PostgreSQL at {PG_URL}: {exc}")
        pytest.skip(f"no PostgreSQL answers at {PG_URL}")
    name = f"leadpact_m_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-x", f"db={url}", "upgrade", "head"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        engine = create_engine(url)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from leadpact.store.db import alembic_config, head

    assert head() == ScriptDirectory.from_config(alembic_config()).get_current_head()
