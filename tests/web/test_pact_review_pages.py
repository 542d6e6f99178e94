"""The pact page (the one-page SLA, version, signatures, the diff from the previous version) and the reviews
pages (recent periods listed, one review rendered), over HTTP on the worked month with the clock held."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from webkit import cli, settings_for

from leadpact.services.keys import create_key
from leadpact.web.app import create_app
from leadpact.web.deps import get_now
from tests_support import EXAMPLE, init_worked_example

NOW = datetime(2026, 4, 20, 15, 0, tzinfo=UTC)  # a Monday, 11:00 in New York
PAGES = ["/pact", "/reviews", "/reviews/monthly/2026-03"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Path, str]]:
    """The worked month's store under a second pact version (acceptance_min raised), signed by sales."""
    folder = tmp_path_factory.mktemp("pages") / "sla"
    pact_file = init_worked_example(folder)
    pact = yaml.safe_load(pact_file.read_text(encoding="utf-8"))
    url = f"sqlite:///{folder.parent / 'store.db'}"
    common = ("--pact", str(pact_file), "--db", url)
    assert cli("ingest", str(EXAMPLE / "events.jsonl"), *common).exit_code == 0
    pact["targets"]["acceptance_min"] = 0.75
    pact_file.write_text(yaml.safe_dump(pact, allow_unicode=True), encoding="utf-8")
    applied = cli("pact", "apply", *common)
    assert applied.exit_code == 0, applied.output
    signed = cli("sign", "--as", "sales", "--name", "Sam Ortega", *common)
    assert signed.exit_code == 0, signed.output
    app = create_app(settings_for(folder, url))
    app.dependency_overrides[get_now] = lambda: NOW
    key = create_key(app.state.holder.workspace.engine, role="viewer", name="pages", now=NOW).key
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, key, pact_file, url
    app.state.holder.workspace.engine.dispose()


def sign_in(client: TestClient, key: str) -> None:
    client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/login").text)
    assert token is not None
    done = client.post("/login", data={"key": key, "csrf_token": token.group(1), "next": "/reviews"})
    assert done.status_code == 200


def text_of(page: str) -> str:
    """The page's words, tags dropped, entities read, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("path", PAGES)
def test_a_browser_without_a_session_is_sent_to_sign_in(
    site: tuple[TestClient, str, Path, str], path: str
) -> None:
    client = site[0]
    client.cookies.clear()
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"


def test_the_pact_page_shows_the_document_the_version_its_signatures_and_the_diff(
    site: tuple[TestClient, str, Path, str],
) -> None:
    client, key, pact_file, url = site
    versions = cli("pact", "versions", "--json", "--pact", str(pact_file), "--db", url)
    first, second = [v["version"] for v in yaml.safe_load(versions.stdout)["versions"]]
    sign_in(client, key)
    page = client.get("/pact")
    assert page.status_code == 200
    words = text_of(page.text)
    assert f"version {second}" in words and f"{second} (in force)" in words
    assert "Sam Ortega" in words and "not signed" in words  # sales signed, marketing not yet
    # the one-page SLA, with the version in force's numbers and the dashboard's address
    assert '<article class="lp-doc">' in page.text
    assert (
        "at least 75.0% of dispositioned MQLs accepted" in words and "Dashboard: http://testserver/" in words
    )
    assert 'href="/api/doc?format=pdf"' in page.text
    # what changed from the previous version, key by key
    assert f"{first} → {second}" in words
    assert "targets.acceptance_min changed 0.7 0.75" in words


def test_the_reviews_page_lists_recent_periods_of_each_review(
    site: tuple[TestClient, str, Path, str],
) -> None:
    client, key, _, _ = site
    sign_in(client, key)
    page = client.get("/reviews")
    assert page.status_code == 200
    for kind, period in (("weekly", "2026-W17"), ("weekly", "2026-W16"), ("monthly", "2026-03"),
                         ("quarterly", "2026-Q1"), ("annual", "2026")):  # fmt: skip
        assert f'href="/reviews/{kind}/{period}"' in page.text
        assert f'href="/api/reports/{kind}?period={period}&amp;format=pdf"' in page.text


def test_a_review_renders_in_the_dashboard_with_the_numbers_of_metrics(
    site: tuple[TestClient, str, Path, str],
) -> None:
    client, key, _, _ = site
    m = client.get(
        "/api/metrics",
        params={"period": "2026-03", "as_of": NOW.isoformat()},
        headers={"Authorization": f"Bearer {key}"},
    ).json()
    sign_in(client, key)
    page = client.get("/reviews/monthly/2026-03")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Monthly review · 2026-03" in words
    for rate in ("acceptance_rate", "mql_to_sql", "sql_to_opp", "response_compliance"):
        assert f"{m[rate] * 100:.1f}%" in words, rate
    assert f"MQLs {m['mql_count']}" in words and "<svg" in page.text
    assert 'aria-current="page"' in page.text or 'href="/reviews"' in page.text


def test_a_review_that_cannot_be_made_says_why(site: tuple[TestClient, str, Path, str]) -> None:
    client, key, _, _ = site
    sign_in(client, key)
    wrong = client.get("/reviews/weekly/2026-03")
    assert wrong.status_code == 422 and "2026-03 is a month; a weekly report reviews a week" in text_of(
        wrong.text
    )
    unknown = client.get("/reviews/daily/2026-03")
    assert unknown.status_code == 404 and "'daily' is not a report" in text_of(unknown.text)
