"""`leadpact report`: the reviews of the worked month, every number the one `metrics --json` gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadpact.cli import load_commands
from leadpact.cli.app import app
from tests_support import EXAMPLE, init_worked_example, needs_pdf

load_commands()
runner = CliRunner()
AS_OF = "2026-11-24T00:00:00Z"


@pytest.fixture(scope="module")
def sla(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example's pact (the defaults with its overrides) and store, ingested once."""
    folder = tmp_path_factory.mktemp("report") / "sla"
    init_worked_example(folder)
    done = invoke(folder, "ingest", str(EXAMPLE / "events.jsonl"))
    assert "refused 0" in done.stdout
    return folder


def invoke(folder: Path, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--pact", str(folder / "pact.yaml")])
    assert result.exit_code == code, result.output
    return result


def report(folder: Path, *args: str, code: int = 0) -> Any:
    return invoke(folder, "report", *args, "--as-of", AS_OF, code=code)


def metrics_json(folder: Path, period: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        invoke(folder, "metrics", "--period", period, "--as-of", AS_OF, "--json").stdout
    )
    return data


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def expected_numbers(m: dict[str, Any]) -> list[str]:
    """How the month's headline numbers read in a report: rates with one decimal, counts, amounts."""
    return [
        f"MQLs {m['mql_count']}",
        pct(m["acceptance_rate"]),
        pct(m["mql_to_sql"]),
        pct(m["sql_to_opp"]),
        pct(m["response_compliance"]),
        pct(m["worked_rate"]),
        pct(m["sales_flagged_rate"]),
        f"{m['pipeline']['total']:,.0f}",
        f"{m['mql_target']:,.2f}",
    ]


def test_the_reports_metrics_are_the_metrics_of_the_same_period(sla: Path) -> None:
    for kind, period in (("weekly", "2026-W11"), ("monthly", "2026-03"), ("quarterly", "2026-Q1")):
        doc = json.loads(report(sla, kind, "--period", period, "--json").stdout)
        assert doc["metrics"] == metrics_json(sla, period)
    doc = json.loads(report(sla, "monthly", "--period", "2026-03", "--json").stdout)
    assert [t["period"] for t in doc["trend"]] == [
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    feb = metrics_json(sla, "2026-02")
    assert (
        doc["trend"][4]["mql_count"] == feb["mql_count"]
        and doc["trend"][4]["acceptance_rate"] == feb["acceptance_rate"]
    )


def test_the_monthly_markdown_reads_the_numbers_of_metrics(sla: Path) -> None:
    text = report(sla, "monthly", "--period", "2026-03", "--format", "md").stdout
    m = metrics_json(sla, "2026-03")
    for number in expected_numbers(m):
        assert number in text, number
    assert m["response_minutes"]["median"] == 21.0 and "median 21 minutes" in text
    assert "| wrong_company_size | 11 | 68.8% | flagged | adjust firmographic targeting |" in text
    assert "## Conversion against 2026-02" in text
    assert "as of 2026-11-23 19:00 EST" in text  # the pact's zone


def test_the_weekly_review_lists_who_owes_what_and_the_assumptions(sla: Path) -> None:
    text = report(sla, "weekly", "--period", "2026-W11", "--format", "md").stdout
    for heading in (
        "## The numbers against each commitment",
        "## Violations: who owes what",
        "## Escalations",
        "## Corrective actions",
        "## Assumptions to update",
    ):
        assert heading in text
    assert "| sales | r1 | 1 |" in text
    assert "r1 owed first contact for MX-0052" in text
    assert "| MQL→SAL acceptance | 70.0% | 57.1% | 7 | update |" in text


def test_the_quarterly_review_reruns_the_waterfall_on_the_quarters_rates(sla: Path) -> None:
    text = report(sla, "quarterly", "--period", "2026-Q1", "--format", "md").stdout
    q = metrics_json(sla, "2026-Q1")
    assert f"| MQL→SQL | 30.0% | {pct(q['mql_to_sql'])} |" in text
    assert "| MQLs a month | 356 |" in text
    assert "## Proposed changes to targets and criteria" in text
    assert "`reasons.wrong_company_size`" in text


def test_the_annual_review_has_four_quarters_and_capacity(sla: Path) -> None:
    text = report(sla, "annual", "--period", "2026", "--format", "md").stdout
    for quarter in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        assert f"| {quarter} |" in text
    assert "## Capacity against volume" in text and "| ana | sdr-smb | yes | 40 |" in text
    assert "No high-intent lead arrived in the last 8 weeks" in text  # as of November: nothing since April
    spring = invoke(
        sla, "report", "annual", "--period", "2026", "--format", "md", "--as-of", "2026-04-24T00:00:00Z"
    )
    assert "With the roster on shift in 2026-W17 and the arrivals of the 8 weeks before" in spring.stdout


@needs_pdf
def test_the_pdf_reads_back_the_numbers_metrics_gives(sla: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "march.pdf"
    report(sla, "monthly", "--period", "2026-03", "--format", "pdf", "--out", str(out))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(str(out)).pages).split())
    for number in expected_numbers(metrics_json(sla, "2026-03")):
        assert number in text, number
    assert "Reasons by month" in text and "MQLs against target" in text  # the charts' captions


def test_the_html_is_a_page_with_the_dashboards_charts_as_svg(sla: Path) -> None:
    html = report(sla, "monthly", "--period", "2026-03", "--format", "html").stdout
    assert html.startswith("<!doctype html>")
    assert html.count("<svg") >= 3  # volume trend, reasons trend, pipeline by source
    assert "<h1>Monthly review · 2026-03</h1>" in html
    assert '<td class="missed">missed</td>' in html  # acceptance 62.8% against 70.0%
    assert "<code>leadpact violations" not in html  # no list was cut short


@pytest.mark.parametrize(
    ("kind", "period", "message"),
    [
        ("weekly", "2026-03", "2026-03 is a month; a weekly report reviews a week like 2026-W10"),
        ("monthly", "2026-Q1", "2026-Q1 is a quarter; a monthly report reviews a month like 2026-03"),
        ("annual", "2031", "2031 has not begun yet"),
        ("quarterly", "2026-Q5", "2026-Q5"),
    ],
)
def test_a_period_of_the_wrong_kind_is_one_clear_line(
    sla: Path, kind: str, period: str, message: str
) -> None:
    result = report(sla, kind, "--period", period, code=2)
    assert message in result.output and "Traceback" not in result.output


def test_an_unknown_report_is_refused(sla: Path) -> None:
    result = report(sla, "daily", code=2)
    assert "daily" in result.output


def test_a_decision_shows_in_the_review_of_the_week_it_is_due(sla: Path, tmp_path: Path) -> None:
    invoke(
        sla, "decide", "Demo requests to Eva first", "--owner", "li@acme.example", "--due", "2026-03-12",
        "--team", "sales", "--as-of", "2026-03-09T15:00:00Z",
    )  # fmt: skip
    week = report(sla, "weekly", "--period", "2026-W11", "--format", "md").stdout
    assert "Due in the period: 1" in week
    assert "| Demo requests to Eva first | li@acme.example | sales | 2026-03-12 | overdue |" in week
    later = report(sla, "weekly", "--period", "2026-W12", "--format", "md").stdout
    assert "Due in the period: 0" in later and "Carried (still open): 1" in later


def test_the_quarterly_review_shows_the_latest_calibration_session(sla: Path, tmp_path: Path) -> None:
    import csv

    sheet = tmp_path / "sheet.csv"
    invoke(sla, "calibrate", "sample", "--period", "2026-03", "--size", "8", "--seed", "3",
           "--out", str(sheet), "--as-of", AS_OF)  # fmt: skip
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    for i, row in enumerate(rows):  # marketing says yes to all; sales to the first six: 6 of 8 agree
        row["marketing"], row["sales"] = "yes", "yes" if i < 6 else "no"
    with sheet.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    invoke(sla, "calibrate", "record", str(sheet))
    text = report(sla, "quarterly", "--period", "2026-Q1", "--format", "md").stdout
    assert "Session 1 (2026-03): 8 of 8 sampled leads judged by both teams; agreement 75.0%" in text
    assert "2 disagreements" in text
