"""API fuzzing over /openapi.json (schemathesis) against a real server on both stores: no server error, and
every answer has a documented status, content type and schema. About 25 examples per operation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from webkit import bearer, cli, live_server

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def fuzz_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    folder: Path = tmp_path_factory.mktemp("fuzz") / "sla"
    assert cli("init", str(folder)).exit_code == 0
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'fuzz.db'}"
    else:
        from tests_support import truncate

        truncate(request.getfixturevalue("pg_engine"))
        url = request.getfixturevalue("pg_server")
    pact = str(folder / "pact.yaml")
    made = cli("keys", "create", "--role", "admin", "--name", "fuzz", "--pact", pact, "--db", url, "--json")
    key = json.loads(made.stdout)["key"]
    with live_server(folder / "pact.yaml", url) as server:
        yield server.base, key


@pytest.fixture(scope="module")
def api_schema(fuzz_server: tuple[str, str]) -> schemathesis.BaseSchema:
    base, _ = fuzz_server
    return schemathesis.openapi.from_url(base + "/openapi.json").exclude(path="/api/stream")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_answers_as_documented(
    case: schemathesis.Case, fuzz_server: tuple[str, str]
) -> None:
    base, key = fuzz_server
    case.call_and_validate(base_url=base, headers=bearer(key), checks=CHECKS)
