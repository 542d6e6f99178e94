"""Who may do what, over every route: each route × each role and no key → the status the role gets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount
from webkit import bearer

from builders import GOOD_FIT, activity, created, touch

NONE = "(no key)"
WHO = ("admin", "marketing", "sales", "viewer", "ingest", NONE)


def expect(admin: int, marketing: int, sales: int, viewer: int, ingest: int, none: int) -> dict[str, int]:
    return dict(zip(WHO, (admin, marketing, sales, viewer, ingest, none), strict=True))


READ = expect(200, 200, 200, 200, 403, 401)
PAGE = expect(200, 200, 200, 200, 403, 303)  # a reader's page; without a session the browser signs in
PUBLIC = expect(200, 200, 200, 200, 200, 200)

MARKETING_FACT = created("M1", "2026-03-02T09:00:00-05:00")
ACTIVITY = [activity("L1", "2026-03-02T10:00:00-05:00", "pricing_page_view")]
SALES_FACT = touch("L1", "2026-03-02T10:05:00-05:00")

# (method, path, request options, expected status by caller)
MATRIX: list[tuple[str, str, dict[str, Any], dict[str, int]]] = [
    ("POST", "/api/events", {"json": MARKETING_FACT}, expect(200, 200, 403, 403, 200, 401)),
    ("POST", "/api/events", {"json": ACTIVITY}, expect(200, 200, 403, 403, 200, 401)),
    ("POST", "/api/events", {"json": SALES_FACT}, expect(200, 403, 200, 403, 200, 401)),
    ("GET", "/api/leads/{lead_id}", {"path": "/api/leads/L1"}, READ),
    ("GET", "/api/metrics", {"params": {"period": "2026-03"}}, READ),
    ("GET", "/api/clocks", {"params": {"state": "open"}}, READ),
    ("GET", "/api/violations", {}, READ),
    ("GET", "/api/queue", {}, READ),
    ("GET", "/api/plan", {}, READ),
    ("GET", "/api/routing/fairness", {}, READ),
    ("GET", "/api/pact", {}, READ),
    ("GET", "/api/pact/versions", {}, READ),
    ("GET", "/api/escalations", {"params": {"state": "open"}}, READ),
    ("POST", "/api/escalations/{escalation_id}/resolve", {"path": "/api/escalations/999/resolve",
     "json": {"plan": "a plan"}}, expect(404, 404, 404, 403, 403, 401)),  # the role first, then the row
    ("GET", "/api/decisions", {}, READ),
    ("POST", "/api/decisions", {"json": {"text": "x", "owner": "dana@acme.example", "due": "2026-03-20"}},
     expect(201, 201, 201, 403, 403, 401)),
    ("POST", "/api/decisions/{decision_id}/done", {"path": "/api/decisions/999/done"},
     expect(404, 404, 404, 403, 403, 401)),
    ("GET", "/api/commitments", {"params": {"periods": 1}}, READ),
    ("GET", "/api/reports/{kind}", {"path": "/api/reports/weekly", "params": {"format": "md"}}, READ),
    ("GET", "/api/doc", {"params": {"format": "md"}}, READ),
    ("GET", "/api/stream", {"stream": True}, READ),
    ("POST", "/hooks/hubspot", {"json": []}, expect(401, 401, 401, 401, 401, 401)),  # signed, not keyed
    ("GET", "/", {}, PAGE),
    ("GET", "/sales", {}, PAGE),
    ("GET", "/marketing", {}, PAGE),
    ("GET", "/leads", {}, PAGE),
    ("GET", "/leads/{lead_id}", {"path": "/leads/L1"}, PAGE),
    ("GET", "/pact", {}, PAGE),
    ("GET", "/pact/whatif", {}, PAGE),
    ("GET", "/reviews", {}, PAGE),
    ("GET", "/reviews/{kind}/{period}", {"path": "/reviews/monthly/2026-03"}, PAGE),
    ("GET", "/login", {}, PUBLIC),
    ("POST", "/login", {"data": {"key": "x"}}, expect(403, 403, 403, 403, 403, 403)),  # no CSRF token
    ("POST", "/logout", {}, expect(303, 303, 303, 303, 303, 303)),
    ("GET", "/openapi.json", {}, PUBLIC),
    ("GET", "/docs", {}, PUBLIC),
    ("GET", "/static/{path}", {"path": "/static/leadpact.css"}, PUBLIC),
]  # fmt: skip


@pytest.fixture
def seeded(client: TestClient, keys: dict[str, str]) -> TestClient:
    lead = created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT)
    demo = activity("L1", "2026-03-02T09:30:00-05:00", "demo_request", id="L1-demo")
    done = client.post("/api/events", json=[lead, demo], headers=bearer(keys["admin"]))
    assert done.status_code == 200 and done.json()["summary"]["stored"] == 2
    return client


def _routes(routes: list[Any]) -> Iterator[Any]:
    """Every route, inside the routers included too (FastAPI keeps an included router as one entry)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def test_the_matrix_names_every_route(web_app: FastAPI) -> None:
    listed = {(method, path) for method, path, _, _ in MATRIX}
    seen = 0
    for route in _routes(web_app.routes):
        seen += 1
        if isinstance(route, Mount):
            assert ("GET", f"{route.path}/{{path}}") in listed
            continue
        for method in getattr(route, "methods", set()) - {"HEAD"}:
            assert (method, route.path) in listed, f"{method} {route.path} has no row in the role matrix"
    assert seen >= len({path for _, path, _, _ in MATRIX})  # the walk reached the included routers


@pytest.mark.parametrize(
    ("method", "path", "options", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_each_role_gets_what_the_matrix_says(
    seeded: TestClient,
    keys: dict[str, str],
    method: str,
    path: str,
    options: dict[str, Any],
    expected: dict[str, int],
) -> None:
    options = dict(options)
    url = options.pop("path", path)
    streaming = options.pop("stream", False)
    got = {}
    for who in WHO:
        headers = {} if who == NONE else bearer(keys[who])
        seeded.cookies.clear()
        if streaming:
            with seeded.stream(method, url, headers=headers, **options) as response:
                got[who] = response.status_code
        else:
            got[who] = seeded.request(
                method, url, headers=headers, follow_redirects=False, **options
            ).status_code
    assert got == expected


def test_an_unknown_or_malformed_key_is_401_with_the_error_shape(seeded: TestClient) -> None:
    for header in ("Bearer lpk_nope", "Bearer ", "Basic dXNlcjpwYXNz", "lpk_only"):
        response = seeded.get("/api/pact", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_key_stops_at_once(seeded: TestClient, keys: dict[str, str], web_app: FastAPI) -> None:
    from datetime import UTC, datetime

    from leadpact.services.keys import caller_for_key, revoke_key

    engine = web_app.state.holder.workspace.engine
    assert seeded.get("/api/pact", headers=bearer(keys["viewer"])).status_code == 200
    caller = caller_for_key(engine, keys["viewer"])
    assert caller is not None
    assert revoke_key(engine, caller.key_id, now=datetime.now(UTC)) == "revoked"
    assert seeded.get("/api/pact", headers=bearer(keys["viewer"])).status_code == 401
