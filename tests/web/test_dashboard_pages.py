"""The dashboard's pages over HTTP on the worked month (the clock held at NOW): each answers a signed-in
browser and sends anyone else to /login; the numbers shown are `metrics --json`'s, formatted for people; the
live part comes alone for htmx; assets are vendored, never fetched from elsewhere."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webkit import cli, settings_for

from leadpact.services.keys import create_key
from leadpact.web.app import create_app
from leadpact.web.deps import get_now
from leadpact.web.formatting import count, minutes, money, pct
from tests_support import truncate

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "march-2026"
NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)  # a Friday in the worked month, 11:00 in New York
PAGES = ["/", "/sales", "/marketing", "/leads", "/leads/MX-0043", "/pact"]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def worked(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, str]]:
    """A server app on the worked month's store (SQLite, then PostgreSQL), its clock held at NOW, and a
    viewer key."""
    folder = tmp_path_factory.mktemp("dash") / "worked"
    assert cli("init", str(folder)).exit_code == 0
    shutil.copy(EXAMPLE / "pact-overrides.yaml", folder / "pact.yaml")
    if request.param == "sqlite":
        url = f"sqlite:///{folder.parent / 'store.db'}"
    else:
        truncate(request.getfixturevalue("pg_engine"))
        url = request.getfixturevalue("pg_server")
    done = cli("ingest", str(EXAMPLE / "events.jsonl"), "--pact", str(folder / "pact.yaml"), "--db", url)
    assert done.exit_code == 0, done.output
    app = create_app(settings_for(folder, url))
    app.dependency_overrides[get_now] = lambda: NOW
    key = create_key(app.state.holder.workspace.engine, role="viewer", name="dash", now=NOW).key
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, key
    app.state.holder.workspace.engine.dispose()


def sign_in(client: TestClient, key: str) -> None:
    client.cookies.clear()
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
    assert token is not None
    done = client.post("/login", data={"key": key, "csrf_token": token.group(1), "next": "/"})
    assert done.status_code == 200 and "Scorecard" in done.text


def metric(page: str, name: str) -> str:
    found = re.search(rf'data-metric="{re.escape(name)}">([^<]*)<', page)
    assert found is not None, f"no {name} on the page"
    return html.unescape(found.group(1))


def metrics_doc(client: TestClient, key: str) -> dict[str, Any]:
    response = client.get(
        "/api/metrics", params={"period": "2026-03", "as_of": NOW.isoformat()},
        headers={"Authorization": f"Bearer {key}"},
    )  # fmt: skip
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


@pytest.mark.parametrize("path", PAGES)
def test_a_page_sends_a_browser_without_a_session_to_login_and_back(
    worked: tuple[TestClient, str], path: str
) -> None:
    client, _key = worked
    client.cookies.clear()
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_a_signed_in_browser_with_the_nav_and_no_outside_asset(
    worked: tuple[TestClient, str], path: str
) -> None:
    client, key = worked
    sign_in(client, key)
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    for link in ('href="/"', 'href="/sales"', 'href="/marketing"', 'href="/leads"', 'href="/pact"',
                 'href="/reviews"'):  # fmt: skip
        assert link in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for script in re.findall(r'<script src="([^"]+)"', page.text):
        assert client.get(script).status_code == 200, script


def test_the_overview_shows_the_numbers_of_metrics_json(worked: tuple[TestClient, str]) -> None:
    client, key = worked
    doc = metrics_doc(client, key)
    sign_in(client, key)
    page = client.get("/").text
    assert metric(page, "mql_count") == count(doc["mql_count"])
    assert metric(page, "projected") == count(doc["projected"])
    for rate in ("mql_pace", "acceptance_rate", "response_compliance", "worked_rate", "min_touch_rate",
                 "disposition_compliance", "sales_flagged_rate"):  # fmt: skip
        assert metric(page, rate) == pct(doc[rate]), rate
    assert metric(page, "pipeline.total") == money(doc["pipeline"]["total"])
    assert metric(page, "touches_per_lead") == count(doc["touches_per_lead"])
    assert f"median {minutes(doc['response_minutes']['median'])}" in page
    assert "March 2026" in page
    for reason, r in doc["reasons"].items():  # reasons with their actions
        assert reason in page and html.escape(r["action"]) in page
    leak = doc["funnel_leak"][0]
    if leak["ratio"] is not None and leak["ratio"] < 1:
        assert f"Largest leak: {leak['label']}." in html.unescape(page)
    assert 'id="escalations"' in page and "No open escalations." in page


def test_the_charts_are_the_specs_of_leadpact_charts_for_the_same_document(
    worked: tuple[TestClient, str],
) -> None:
    from leadpact.charts.metrics import funnel_chart, pace_chart

    client, key = worked
    doc = metrics_doc(client, key)
    sign_in(client, key)
    page = client.get("/").text
    specs = {
        name: json.loads(html.unescape(spec))
        for name, spec in re.findall(r'id="chart-(\w+)"[^>]*data-spec=\'([^\']*)\'', page)
    }
    assert set(specs) == {"pace", "tiers", "pipeline", "funnel", "reasons"}
    assert specs["funnel"] == json.loads(json.dumps(funnel_chart(doc)))
    assert specs["pace"] == json.loads(json.dumps(pace_chart(doc)))


def test_a_live_refresh_after_the_session_ended_sends_the_whole_page_to_login(
    worked: tuple[TestClient, str],
) -> None:
    client, _key = worked
    client.cookies.clear()
    response = client.get("/sales", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/login?next=/sales"


def test_htmx_gets_the_live_part_alone(worked: tuple[TestClient, str]) -> None:
    client, key = worked
    sign_in(client, key)
    whole = client.get("/sales").text
    assert 'sse-connect="/api/stream"' in whole and 'hx-trigger="sse:metrics, sse:clock"' in whole
    part = client.get("/sales", headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert "<html" not in part.text and "sse-connect" not in part.text and "Sales" in part.text


def test_the_sales_page_lists_each_rep_of_the_roster_and_counts_down_open_clocks(
    worked: tuple[TestClient, str],
) -> None:
    client, key = worked
    sign_in(client, key)
    page = client.get("/sales").text
    open_clocks = client.get(
        "/api/clocks", params={"state": "open", "limit": 1000}, headers={"Authorization": f"Bearer {key}"}
    ).json()["items"]
    assert open_clocks, "the worked month has open clocks at NOW"
    for clock in open_clocks:
        assert f'data-due="{clock["due_at"]}"' in page
    assert len(re.findall(r'class="countdown"', page)) >= len(open_clocks)
    doc = metrics_doc(client, key)
    shown = set(re.findall(r'data-rep="([^"]+)"', page))
    assert {"ana", "ben", "eva"} | (set(doc["by_rep"]) - {"(none)"}) <= shown
    assert "Unassigned: waiting for a rep" in page
    assert "Breached, not worked yet" in page


def test_the_sales_page_lists_the_breached_clocks_nobody_has_worked_yet(
    worked: tuple[TestClient, str],
) -> None:
    client, key = worked
    sign_in(client, key)
    early = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # MX-0010's first contact was due the day before
    client.app.dependency_overrides[get_now] = lambda: early  # type: ignore[attr-defined]
    try:
        page = client.get("/sales").text
        breached = client.get(
            "/api/clocks",
            params={"state": "breached", "limit": 1000},
            headers={"Authorization": f"Bearer {key}"},
        ).json()["items"]
    finally:
        client.app.dependency_overrides[get_now] = lambda: NOW  # type: ignore[attr-defined]
    now = early.isoformat().replace("+00:00", "Z")
    unworked = [c for c in breached if c["due_at"] >= "2026-03-01T05:00:00Z"
                and (c["met_at"] or "9") > now and (c["cancelled_at"] or "9") > now]  # fmt: skip
    assert "MX-0010" in {c["lead_id"] for c in unworked}
    assert f"{len(unworked)} this month</small>" in page
    month = [c for c in breached if "2026-03-01T05:00:00Z" <= c["due_at"] < now]
    for owner in {c["owner"] or "(none)" for c in month}:
        expected = sum(1 for c in month if (c["owner"] or "(none)") == owner)
        assert f'data-breaches="{owner}">{expected}<' in page, owner
    section = page[page.index('id="breached"') : page.index('class="reps"')]
    for clock in unworked[:12]:
        assert f'data-due="{clock["due_at"]}"' in section and clock["lead_id"] in section


def test_the_marketing_page_shows_six_months_and_the_month_by_source(worked: tuple[TestClient, str]) -> None:
    client, key = worked
    doc = metrics_doc(client, key)
    sign_in(client, key)
    page = client.get("/marketing").text
    assert metric(page, "mql_count") == count(doc["mql_count"])
    assert metric(page, "acceptance_rate") == pct(doc["acceptance_rate"])
    for month in ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"):
        assert f'<td class="id">{month}</td>' in page
    for source in doc["by_source"]:
        assert f"<td>{source}</td>" in page


def test_the_lead_page_finds_a_lead_by_id_and_says_when_there_is_none(worked: tuple[TestClient, str]) -> None:
    client, key = worked
    sign_in(client, key)
    found = client.get("/leads", params={"id": " MX-0043 "}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == "/leads/MX-0043"
    page = client.get("/leads/MX-0043").text
    lead = client.get("/api/leads/MX-0043", headers={"Authorization": f"Bearer {key}"}).json()
    assert "<h1>MX-0043" in page and all(e["id"] in page for e in lead["timeline"])
    assert lead["fields"]["email"] in page
    missing = client.get("/leads/NOPE-1")
    assert missing.status_code == 404 and "No lead NOPE-1" in missing.text


def test_the_pact_page_shows_the_version_in_force_and_its_yaml(worked: tuple[TestClient, str]) -> None:
    client, key = worked
    pact = client.get("/api/pact", headers={"Authorization": f"Bearer {key}"}).json()
    sign_in(client, key)
    page = client.get("/pact").text
    assert pact["version"] in page and "timezone: America/New_York" in page


def test_every_page_renders_an_empty_store(client: TestClient, keys: dict[str, str]) -> None:
    """A store with no event yet: every number is a dash or a zero, never an error."""
    for path in ["/", "/sales", "/marketing", "/leads", "/pact"]:
        page = client.get(path, headers={"Authorization": f"Bearer {keys['viewer']}"})
        assert page.status_code == 200, (path, page.text[-500:])
    overview = client.get("/", headers={"Authorization": f"Bearer {keys['viewer']}"}).text
    assert metric(overview, "mql_count") == "0" and metric(overview, "acceptance_rate") == "—"
    assert "No data" in overview and "No rejections or disqualifications this month." in overview


def test_the_overview_and_marketing_pages_show_another_month_when_asked(
    worked: tuple[TestClient, str],
) -> None:
    client, key = worked
    february = client.get(
        "/api/metrics", params={"period": "2026-02", "as_of": NOW.isoformat()},
        headers={"Authorization": f"Bearer {key}"},
    ).json()  # fmt: skip
    sign_in(client, key)
    page = client.get("/", params={"month": "2026-02"}).text
    assert "February 2026" in page and metric(page, "mql_count") == count(february["mql_count"])
    assert metric(page, "acceptance_rate") == pct(february["acceptance_rate"])
    assert 'href="/?month=2026-01"' in page and 'href="/"' in page  # back a month, or to the current one
    assert 'hx-get="/?month=2026-02"' in page  # the live refresh keeps the month
    current = client.get("/").text
    assert 'href="/?month=2026-02"' in current and "?month=2026-04" not in current  # nothing after now
    marketing = client.get("/marketing", params={"month": "2026-02"}).text
    assert metric(marketing, "mql_count") == count(february["mql_count"])
    assert '<td class="id">2025-09</td>' in marketing and '<td class="id">2026-03</td>' not in marketing
    for bad in ("2026-13", "2026-W10", "march"):
        refused = client.get("/", params={"month": bad})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "month", bad
