"""The web layer's fixtures: a pact folder, a store URL on either database, the app, keys of every role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webkit import make_keys, settings_for

from leadpact.cli import app, load_commands
from leadpact.web.app import create_app
from tests_support import truncate

load_commands()


@pytest.fixture
def sla(tmp_path: Path) -> Path:
    """A pact folder made by `leadpact init` (pact.yaml and team.yaml)."""
    folder = tmp_path / "sla"
    result = CliRunner().invoke(app, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a new SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    truncate(request.getfixturevalue("pg_engine"))
    url: str = request.getfixturevalue("pg_server")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def web_app(sla: Path, sqlite_url: str) -> Iterator[FastAPI]:
    application = create_app(settings_for(sla, sqlite_url))
    yield application
    application.state.holder.workspace.engine.dispose()


@pytest.fixture
def keys(web_app: FastAPI) -> dict[str, str]:
    return make_keys(web_app)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, raise_server_exceptions=False) as c:
        yield c
