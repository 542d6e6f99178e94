"""`leadpact doc`: the one-page SLA of the pact in force, as Markdown, HTML and a one-page PDF to sign."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from leadpact.cli import load_commands
from leadpact.cli.app import app
from tests_support import needs_pdf

load_commands()
runner = CliRunner()
AS_OF = "2026-11-24T12:00:00Z"

THREE_SEGMENTS: dict[str, Any] = {
    "enterprise": {
        "when": {"field": "employees", "op": ">=", "value": 1000},
        "mql": {"fit": 50, "engagement": 30},
        "touches": {"min": 10, "within_days": 21, "channels_min": 3},
        "response": {"high": {"business_hours": "5m", "after_hours": "30m"}},
    },
    "mid_market": {
        "when": {"field": "employees", "op": "between", "value": [200, 999]},
        "mql": {"fit": 45},
        "response": {"medium": {"within": "2h", "clock": "business"}},
        "disposition": {"within": "1bd"},
    },
    "smb": {},
}


def folder(tmp_path: Path, **changes: Any) -> Path:
    """A pact folder from `leadpact init`, with some top-level keys replaced."""
    sla = tmp_path / "sla"
    assert runner.invoke(app, ["init", str(sla)]).exit_code == 0
    if changes:
        pact = yaml.safe_load((sla / "pact.yaml").read_text(encoding="utf-8"))
        pact.update(changes)
        (sla / "pact.yaml").write_text(yaml.safe_dump(pact, allow_unicode=True), encoding="utf-8")
    return sla


def doc(sla: Path, *args: str) -> Any:
    result = runner.invoke(app, ["doc", "--pact", str(sla / "pact.yaml"), "--as-of", AS_OF, *args])
    assert result.exit_code == 0, result.output
    return result


def pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(str(path)).pages]


def test_the_markdown_lays_out_the_seeds_sections_with_the_pacts_numbers(tmp_path: Path) -> None:
    text = doc(folder(tmp_path), "--format", "md").stdout
    for heading in (
        "## 1. Revenue target",
        "## 2. Stage definitions",
        "## 3. Marketing commits to",
        "## 4. Sales commits to",
        "## 5. Accountability",
        "## 6. Review schedule",
        "## 7. Signatures",
    ):
        assert heading in text
    assert "$1,000,000 from marketing → $4,000,000 pipeline → 160 opportunities → 320 SQLs" in text
    assert "**1,067 MQLs a quarter (356 a month)**" in text
    assert "at least 70.0% of dispositioned MQLs accepted" in text
    assert "5 minutes in business hours, 1 hour after | 4 business hours | 1 business day" in text
    assert "below 80.0% of a week's MQL target → recovery plan within 48 hours" in text
    assert "below 90.0% on 4 business days running → corrective action within 24 hours" in text
    # 1 January 2027 is a holiday (a Friday): the quarterly review meets on the next business day
    assert "Next quarterly review: Monday 4 January 2027" in text
    assert text.count("name ______") == 2


def test_the_json_is_the_document_the_formats_render(tmp_path: Path) -> None:
    data = json.loads(doc(folder(tmp_path), "--json").stdout)
    assert data["plan"]["mqls_per_month"] == 356 and data["marketing"]["acceptance_min"] == 0.7
    assert data["reviews"]["next"] == {
        "weekly": "2026-11-30",
        "monthly": "2026-12-01",
        "quarterly": "2027-01-04",
    }
    assert [s["segment"] for s in data["sales"]["segments"]] == ["enterprise", "smb"]
    assert data["signatures"] == {"marketing": None, "sales": None}


def test_the_html_is_a_page_with_its_text_escaped(tmp_path: Path) -> None:
    html = doc(folder(tmp_path, name="R&D <pilot> SLA"), "--format", "html").stdout
    assert html.startswith("<!doctype html>")
    assert "<h1>R&amp;D &lt;pilot&gt; SLA</h1>" in html
    assert "employees &gt;= 1000" in html


@needs_pdf
@pytest.mark.parametrize("segments", [None, THREE_SEGMENTS], ids=["default pact", "three segments"])
def test_the_pdf_is_exactly_one_page(tmp_path: Path, segments: dict[str, Any] | None) -> None:
    sla = folder(tmp_path, **({} if segments is None else {"segments": segments}))
    out = tmp_path / "sla.pdf"
    result = doc(sla, "--out", str(out))
    assert f"wrote {out}" in result.stdout
    pages = pdf_pages(out)
    assert len(pages) == 1
    text = " ".join(pages[0].split())
    assert "1,067" in text and "356 MQLs a month" in text
    assert "Head of Marketing" in text and "Head of Sales" in text
    assert "Next quarterly review: Monday 4 January 2027" in text
    if segments is not None:
        assert "mid market" in text and "30 minutes after" in text
        assert "1 business day after first contact" in text


@needs_pdf
def test_recorded_signatures_fill_the_lines_and_a_stale_one_does_not(tmp_path: Path) -> None:
    signoff = {
        "marketing": {"name": "Dana Whitfield", "at": "2026-11-20"},
        "sales": {"name": "Sam Ortega", "version": "0000000000"},  # another version: stale
    }
    out = tmp_path / "signed.pdf"
    doc(folder(tmp_path, signoff=signoff), "--out", str(out))
    text = " ".join(pdf_pages(out)[0].split())
    assert "Dana Whitfield" in text and "2026-11-20" in text
    assert "Sam Ortega signed another version" in text


def test_an_unknown_format_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["doc", "--pact", str(folder(tmp_path) / "pact.yaml"), "--format", "docx"])
    assert result.exit_code == 2
    assert "docx" in result.output and "Traceback" not in result.output


def test_a_signature_recorded_by_sign_is_on_the_page_with_its_local_date(tmp_path: Path) -> None:
    sla = folder(tmp_path)
    pact = str(sla / "pact.yaml")
    # 02:00 UTC on 21 November is still 20 November in New York
    signed = runner.invoke(app, ["sign", "--as", "sales", "--name", "Sam Ortega", "--pact", pact,
                                 "--as-of", "2026-11-21T02:00:00Z"])  # fmt: skip
    assert signed.exit_code == 0, signed.output
    text = doc(sla, "--format", "md").stdout
    assert "- **Head of Sales:** Sam Ortega, 2026-11-20" in text
    assert "- **Head of Marketing:** name ______" in text


@needs_pdf
def test_a_pact_too_long_for_one_page_says_so(tmp_path: Path) -> None:
    many = {
        f"segment_{i}": {
            "when": {"field": "employees", "op": ">=", "value": 100 * (9 - i)},
            "touches": {"min": i + 2},
        }
        for i in range(9)
    }
    out = tmp_path / "long.pdf"
    result = doc(folder(tmp_path, segments=many), "--out", str(out))
    pages = len(pdf_pages(out))
    assert pages > 1
    assert f"runs to {pages} pages" in result.output


class _NoPango:
    """A meta-path finder that makes `import weasyprint` fail as it does where Pango is missing."""

    def find_spec(self, name: str, *_: Any) -> None:
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': cannot open shared object file")


def test_without_pango_a_pdf_is_one_line_saying_what_to_install_and_the_text_formats_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    sla = folder(tmp_path)
    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    out = tmp_path / "sla.pdf"
    args = ["doc", "--pact", str(sla / "pact.yaml"), "--as-of", AS_OF, "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and not out.exists()
    said = " ".join(result.output.split())
    assert "apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in said
    assert "--format html or md works without them" in said and "Traceback" not in said
    assert "# " in doc(sla, "--format", "md").stdout  # Markdown needs no Pango
