"""`GET /api/reports/{kind}` and `GET /api/doc`: what `leadpact report` and `leadpact doc` print, by HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webkit import bearer, cli, make_keys, settings_for

from leadpact.web.app import create_app
from tests_support import EXAMPLE, init_worked_example, needs_pdf

AS_OF = "2026-11-24T00:00:00Z"


@pytest.fixture
def worked(tmp_path: Path, store_url: str) -> Path:
    """The worked month's pact and events in a store (either database)."""
    folder = tmp_path / "sla"
    pact_file = str(init_worked_example(folder))
    done = cli("ingest", str(EXAMPLE / "events.jsonl"), "--pact", pact_file, "--db", store_url)
    assert done.exit_code == 0 and "refused 0" in done.stdout, done.output
    return folder


@pytest.fixture
def served(worked: Path, store_url: str) -> Iterator[tuple[TestClient, dict[str, str], Path, str]]:
    application = create_app(settings_for(worked, store_url))
    with TestClient(application, raise_server_exceptions=False) as client:
        yield client, make_keys(application), worked, store_url
    application.state.holder.workspace.engine.dispose()


def test_a_report_over_http_is_the_one_the_cli_prints(
    served: tuple[TestClient, dict[str, str], Path, str],
) -> None:
    client, keys, folder, url = served
    for kind, period in (("weekly", "2026-W11"), ("monthly", "2026-03")):
        got = client.get(
            f"/api/reports/{kind}",
            params={"period": period, "format": "md", "as_of": AS_OF},
            headers=bearer(keys["viewer"]),
        )
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("text/markdown")
        printed = cli(
            "report", kind, "--period", period, "--format", "md", "--as-of", AS_OF,
            "--pact", str(folder / "pact.yaml"), "--db", url,
        )  # fmt: skip
        assert printed.exit_code == 0
        assert got.text == printed.stdout


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
@needs_pdf
def test_a_report_as_pdf_and_html(served: tuple[TestClient, dict[str, str], Path, str]) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    client, keys, _, _ = served
    query = {"period": "2026-03", "as_of": AS_OF}
    pdf = client.get("/api/reports/monthly", params={**query, "format": "pdf"}, headers=bearer(keys["sales"]))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="report-monthly-2026-03.pdf"'
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages).split())
    assert "MQLs 45" in text and "62.8%" in text and "84.0%" in text
    html = client.get("/api/reports/monthly", params=query, headers=bearer(keys["marketing"]))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<h1>Monthly review · 2026-03</h1>" in html.text and "<svg" in html.text


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("path", "params", "field", "says"),
    [
        ("/api/reports/weekly", {"period": "2026-03"}, "period", "2026-03 is a month; a weekly report"),
        ("/api/reports/annual", {"period": "2099"}, "period", "2099 has not begun yet"),
        ("/api/reports/monthly", {"format": "docx"}, "format", "'html', 'pdf' or 'md'"),
        ("/api/reports/daily", {}, "kind", "'weekly', 'monthly', 'quarterly' or 'annual'"),
        ("/api/doc", {"format": "odt"}, "format", "'html', 'pdf' or 'md'"),
    ],
)
def test_a_bad_question_is_422_naming_its_field(
    served: tuple[TestClient, dict[str, str], Path, str],
    path: str,
    params: dict[str, str],
    field: str,
    says: str,
) -> None:
    client, keys, _, _ = served
    got = client.get(path, params={**params, "as_of": AS_OF}, headers=bearer(keys["viewer"]))
    assert got.status_code == 422
    error = got.json()["error"]
    assert error.get("field") == field and says in error["message"]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
@needs_pdf
def test_the_one_page_sla_over_http_links_the_dashboard(
    served: tuple[TestClient, dict[str, str], Path, str],
) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    client, keys, _, _ = served
    md = client.get("/api/doc", params={"format": "md"}, headers=bearer(keys["viewer"]))
    assert md.status_code == 200 and "356 MQLs a month" in md.text
    assert "**Dashboard:** http://testserver/" in md.text
    pdf = client.get("/api/doc", headers=bearer(keys["viewer"]))
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(PdfReader(BytesIO(pdf.content)).pages) == 1
