"""The pact page's what-if: pact.yaml replayed over a period beside the pact in force, the numbers of
`leadpact replay --json` for the same period and instant (the worked month, the clock held)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webkit import cli, settings_for

from leadpact.services.keys import create_key
from leadpact.web.app import create_app
from leadpact.web.deps import get_now
from leadpact.web.formatting import pct

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "march-2026"
NOW = datetime(2026, 4, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path, str]]:
    folder = tmp_path_factory.mktemp("whatif") / "sla"
    assert cli("init", str(folder)).exit_code == 0
    shutil.copy(EXAMPLE / "pact-overrides.yaml", folder / "pact.yaml")
    url = f"sqlite:///{folder.parent / 'store.db'}"
    done = cli("ingest", str(EXAMPLE / "events.jsonl"), "--pact", str(folder / "pact.yaml"), "--db", url)
    assert done.exit_code == 0, done.output
    text = (folder / "pact.yaml").read_text().replace("business_hours: 5m", "business_hours: 30m")
    (folder / "pact.yaml").write_text(text)  # edited, not applied: the version in force stays
    app = create_app(settings_for(folder, url))
    app.dependency_overrides[get_now] = lambda: NOW
    key = create_key(app.state.holder.workspace.engine, role="viewer", name="whatif", now=NOW).key
    with TestClient(app, raise_server_exceptions=False) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
        assert token is not None
        client.post("/login", data={"key": key, "csrf_token": token.group(1), "next": "/"})
        yield client, folder, url
    app.state.holder.workspace.engine.dispose()


def test_the_pact_page_offers_the_what_if_and_it_shows_replays_numbers(
    site: tuple[TestClient, Path, str],
) -> None:
    client, folder, url = site
    page = client.get("/pact").text
    assert 'hx-get="/pact/whatif"' in page
    fragment = client.get("/pact/whatif", params={"period": "2026-03"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200, fragment.text
    args = ["replay", "--pact", str(folder / "pact.yaml"), "--db", url, "--period", "2026-03"]
    doc = json.loads(cli(*args, "--as-of", NOW.isoformat(), "--json").stdout)
    for key in ("response_compliance", "acceptance_rate"):
        for side in ("current", "proposed"):
            shown = re.search(rf'data-whatif="{key}-{side}">([^<]*)<', fragment.text)
            assert shown is not None and shown.group(1) == pct(doc[side][key])
    assert doc["proposed"]["response_compliance"] > doc["current"]["response_compliance"]  # 30 minutes, not 5
    assert 'id="chart-whatif"' in fragment.text and "<html" not in fragment.text


def test_a_bad_period_is_said_in_the_fragment(site: tuple[TestClient, Path, str]) -> None:
    client, _folder, _url = site
    fragment = client.get("/pact/whatif", params={"period": "2026-13"})
    assert fragment.status_code == 200 and "period:" in fragment.text and "Traceback" not in fragment.text
