"""Accountability over HTTP (DESIGN.md §9, §10): a real server answers what the CLI prints for escalations,
decisions, commitments and pact versions (both stores); a team's key resolves and closes only its own."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from webkit import bearer, cli, live_server

from accountability_support import ENV, ROSTER, day_of_leads, local, pact_with
from leadpact.domain.rules import rules_from_pact
from leadpact.services.escalations import evaluate
from leadpact.store.db import open_store

MONDAY = local(date(2026, 3, 16), 12)
AS_OF = MONDAY.isoformat()


@pytest.fixture
def accountable(tmp_path: Path, store_url: str) -> tuple[Path, str]:
    """A pact folder and a store with three escalations (marketing's W10, W11 and the joint one) and two
    decisions (one each team's)."""
    folder = tmp_path / "sla"
    assert cli("init", str(folder)).exit_code == 0
    pact_file = folder / "pact.yaml"
    engine = open_store(store_url)
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=2, touched=True)
    evaluate(engine, pact=pact, rules=rules_from_pact(pact), now=MONDAY, roster=ROSTER, env=ENV)
    engine.dispose()
    for team, owner in (("marketing", "dana@acme.example"), ("sales", "li@acme.example")):
        made = cli("decide", f"{team} acts", "--owner", owner, "--due", "2026-03-20", "--team", team,
                   "--pact", str(pact_file), "--db", store_url, "--as-of", AS_OF)  # fmt: skip
        assert made.exit_code == 0, made.output
    return pact_file, store_url


def _cli(pact: Path, url: str, *args: str) -> Any:
    done = cli(*args, "--pact", str(pact), "--db", url, "--json")
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def _pages(http: httpx.Client, path: str, key: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        page = http.get(path, params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})},
                        headers=bearer(key))  # fmt: skip
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def test_routes_answer_what_the_cli_prints_and_teams_resolve_their_own(accountable: tuple[Path, str]) -> None:
    pact, url = accountable
    keys = {
        role: _cli(pact, url, "keys", "create", "--role", role, "--name", f"{role}-head")["key"]
        for role in ("viewer", "marketing", "sales")
    }
    assert (
        cli("sign", "--as", "marketing", "--name", "Dana Cho", "--pact", str(pact), "--db", url).exit_code
        == 0
    )
    with live_server(pact, url) as server, httpx.Client(base_url=server.base, timeout=60) as http:
        viewer = keys["viewer"]
        escalations = _cli(pact, url, "escalations", "--as-of", AS_OF)["escalations"]
        assert len(escalations) == 3
        assert _pages(http, "/api/escalations", viewer, as_of=AS_OF) == escalations
        opened = [e for e in escalations if e["state"] == "open"]
        assert _pages(http, "/api/escalations", viewer, as_of=AS_OF, state="open") == opened
        decisions = _cli(pact, url, "decisions", "--as-of", AS_OF)["decisions"]
        assert _pages(http, "/api/decisions", viewer, as_of=AS_OF) == decisions
        commitments = _cli(pact, url, "commitments", "--periods", "2", "--as-of", AS_OF)
        got = http.get("/api/commitments", params={"periods": 2, "as_of": AS_OF}, headers=bearer(viewer))
        assert got.status_code == 200 and got.json() == commitments
        versions = http.get("/api/pact/versions", headers=bearer(viewer))
        assert versions.json() == _cli(pact, url, "pact", "versions")
        in_force = http.get("/api/pact", headers=bearer(viewer)).json()
        assert (
            in_force["signatures"]["marketing"]["name"] == "Dana Cho"
            and in_force["signatures"]["sales"] is None
        )
        assert in_force["signed"] == {"marketing": True, "sales": False}

        first = escalations[0]  # marketing's: a sales key may not resolve it
        path = f"/api/escalations/{first['id']}/resolve"
        refused = http.post(path, json={"plan": "not ours"}, headers=bearer(keys["sales"]))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        empty = http.post(path, json={"plan": ""}, headers=bearer(keys["marketing"]))
        assert empty.status_code == 422
        done = http.post(path, json={"plan": "two extra webinars"}, headers=bearer(keys["marketing"]))
        assert done.status_code == 200, done.text
        body = done.json()
        assert (body["state"], body["plan"], body["resolved_by"]) == (
            "resolved",
            "two extra webinars",
            "marketing-head",
        )
        again = http.post(path, json={"plan": "again"}, headers=bearer(keys["marketing"]))
        assert again.status_code == 409
        listed = _cli(pact, url, "escalations")["escalations"]
        assert next(e for e in listed if e["id"] == first["id"]) == body

        sales_decision = next(d for d in decisions if d["team"] == "sales")
        not_ours = http.post(f"/api/decisions/{sales_decision['id']}/done", headers=bearer(keys["marketing"]))
        assert not_ours.status_code == 403
        closed = http.post(f"/api/decisions/{sales_decision['id']}/done", headers=bearer(keys["sales"]))
        assert closed.status_code == 200 and closed.json()["done_by"] == "sales-head"
        decision = {"text": "call within 5 minutes", "owner": "li@acme.example", "due": "2026-03-27"}
        made = http.post("/api/decisions", json=decision, headers=bearer(keys["sales"]))
        assert made.status_code == 201 and made.json()["team"] == "sales"
        other = http.post(
            "/api/decisions", json={**decision, "team": "marketing"}, headers=bearer(keys["sales"])
        )
        assert other.status_code == 403
        bad = http.post("/api/decisions", json={"text": "x", "owner": "li", "due": "2026-03-27"},
                        headers=bearer(keys["sales"]))  # fmt: skip
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "owner"
        after = _cli(pact, url, "decisions", "--open")["decisions"]
        assert [d["text"] for d in after] == ["marketing acts", "call within 5 minutes"]


def test_the_stream_tells_of_an_escalation_opened_and_resolved(tmp_path: Path, sqlite_url: str) -> None:
    import queue
    import threading

    from test_web_live import _read_stream, _wait_for

    folder = tmp_path / "sla"
    assert cli("init", str(folder)).exit_code == 0
    pact_file = folder / "pact.yaml"
    key = _cli(pact_file, sqlite_url, "keys", "create", "--role", "viewer", "--name", "watch")["key"]
    engine = open_store(sqlite_url)
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=2, touched=True)
    got: queue.Queue[tuple[float, str, dict[str, Any]]] = queue.Queue()
    stop = threading.Event()
    with live_server(pact_file, sqlite_url) as server:
        thread = threading.Thread(target=_read_stream, args=(server.base, key, got, stop), daemon=True)
        thread.start()
        _wait_for(got, "metrics", lambda d: d["full"], 20)
        evaluate(engine, pact=pact, rules=rules_from_pact(pact), now=MONDAY, roster=ROSTER, env=ENV)
        _wait_for(got, "escalation", lambda d: len(d["opened"]) == 3 and d["unresolved"] == 3, 5)
        opened = _cli(pact_file, sqlite_url, "escalations")["escalations"]
        where = ["--pact", str(pact_file), "--db", sqlite_url]
        done = cli("escalations", "resolve", str(opened[0]["id"]), "--plan", "webinars", *where)
        assert done.exit_code == 0, done.output
        _wait_for(got, "escalation", lambda d: d["resolved_since"] == 1 and d["unresolved"] == 2, 5)
        stop.set()
    engine.dispose()
