"""`leadpact report weekly|monthly|quarterly|annual [--period P] [--format html|pdf|md] [--out FILE]`: the
reviews of DESIGN.md §11, every number the `metrics --json` number of the same period."""

from __future__ import annotations

from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.output import write_document
from leadpact.reports.choices import Format, Kind

KindArgument = typer.Argument(..., help="weekly, monthly, quarterly or annual.")
PeriodOption = typer.Option(
    None,
    "--period",
    help="The week (2026-W10), month (2026-03), quarter (2026-Q1) or year (2026) reviewed; default the last "
    "closed one.",
)
FormatOption = typer.Option(Format.html, "--format", help="html, pdf or md.")
OutOption = typer.Option(
    None, "--out", help="Write to this file (else stdout; a PDF at a terminal goes to report-KIND-P.pdf)."
)
AsOfOption = typer.Option(None, "--as-of", help="Evaluate at this instant (else now).")


@app.command("report")
def report_command(
    kind: Kind = KindArgument,
    period: str | None = PeriodOption,
    fmt: Format = FormatOption,
    out: Path | None = OutOption,
    as_of: str | None = AsOfOption,
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """A review: weekly (the fixed agenda), monthly (trends), quarterly (targets), annual (capacity)."""
    from leadpact.reports.render import PdfUnavailable, render_report
    from leadpact.services.reviews import ReportError, review_document

    ws = open_context(pact, db)
    try:
        doc = review_document(ws, kind.value, period, now=as_of_or_now(as_of))
    except ReportError as exc:
        fail(f"--period: {exc}", 2)
    if as_json:
        print_json(doc)
        return
    try:
        data = render_report(doc, fmt.value)
    except PdfUnavailable as exc:
        fail(str(exc))
    write_document(data, fmt.value, out, f"report-{kind.value}-{doc['period']}.{fmt.value}")
