"""One implementation: on the worked example, every route answers what the CLI prints with `--json` for the
same question (lists: the CLI's items, page after page)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from webkit import bearer, cli, live_server

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "march-2026"
AS_OF = "2026-11-24T00:00:00Z"


@pytest.fixture
def worked(tmp_path: Path, store_url: str) -> tuple[Path, str]:
    """The worked month in a store: its pact (init's team.yaml beside it), its events ingested by the CLI."""
    folder = tmp_path / "worked"
    assert cli("init", str(folder)).exit_code == 0
    shutil.copy(EXAMPLE / "pact-overrides.yaml", folder / "pact.yaml")
    pact = folder / "pact.yaml"
    done = cli("ingest", str(EXAMPLE / "events.jsonl"), "--pact", str(pact), "--db", store_url, "--json")
    assert json.loads(done.stdout)["summary"]["refused"] == 0, done.output
    return pact, store_url


def _cli_json(pact: Path, url: str, *args: str) -> Any:
    done = cli(*args, "--pact", str(pact), "--db", url, "--json")
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def _all_pages(http: httpx.Client, path: str, key: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        query = {**params, "limit": 7, **({"cursor": cursor} if cursor else {})}
        page = http.get(path, params=query, headers=bearer(key))
        assert page.status_code == 200, page.text
        body = page.json()
        assert set(body) == {"items", "next_cursor"} and len(body["items"]) <= 7
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_routes_answer_what_the_cli_prints(worked: tuple[Path, str]) -> None:
    pact, url = worked
    key = _cli_json(pact, url, "keys", "create", "--role", "viewer", "--name", "compare")["key"]
    leads = sorted(
        {json.loads(line)["lead_id"] for line in (EXAMPLE / "events.jsonl").read_text().splitlines()}
    )
    with live_server(pact, url) as server, httpx.Client(base_url=server.base, timeout=60) as http:

        def get(path: str, **params: Any) -> Any:
            response = http.get(path, params=params, headers=bearer(key))
            assert response.status_code == 200, response.text
            return response.json()

        assert get("/api/metrics", period="2026-03", as_of=AS_OF) == _cli_json(
            pact, url, "metrics", "--period", "2026-03", "--as-of", AS_OF
        )
        for lead in leads[:: max(1, len(leads) // 8)]:
            assert get(f"/api/leads/{lead}", as_of=AS_OF) == _cli_json(
                pact, url, "lead", lead, "--as-of", AS_OF
            )
        assert get("/api/plan") == _cli_json(pact, url, "plan")
        assert get("/api/plan", period="2026-03") == _cli_json(pact, url, "plan", "--period", "2026-03")
        assert get("/api/routing/fairness", period="2026-03") == _cli_json(
            pact, url, "routing", "fairness", "--period", "2026-03"
        )
        clocks = _cli_json(pact, url, "clocks")["clocks"]
        assert clocks and _all_pages(http, "/api/clocks", key) == clocks
        breached = _cli_json(pact, url, "clocks", "--breached")["clocks"]
        assert breached and _all_pages(http, "/api/clocks", key, state="breached") == breached
        mine = _cli_json(pact, url, "clocks", "--open", "--rep", "ana")["clocks"]
        assert _all_pages(http, "/api/clocks", key, state="open", rep="ana") == mine
        violations = _cli_json(pact, url, "violations", "--period", "2026-03")["violations"]
        assert violations and _all_pages(http, "/api/violations", key, period="2026-03") == violations
        assert _all_pages(http, "/api/queue", key) == [
            {**item, "waiting_minutes": pytest.approx(item["waiting_minutes"], abs=5)}
            for item in _cli_json(pact, url, "queue")["queue"]
        ]
        pact_doc = get("/api/pact")
        assert pact_doc["file"] == {"version": pact_doc["version"], "differs": False}
        assert pact_doc["signatures"] == {"marketing": None, "sales": None}
