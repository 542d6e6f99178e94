"""`leadpact doc [--format pdf|html|md] [--out FILE]`: the one-page SLA (DESIGN.md §11)."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, err_console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.output import write_document


class DocFormat(StrEnum):
    pdf = "pdf"
    html = "html"
    md = "md"


FormatOption = typer.Option(DocFormat.pdf, "--format", help="pdf (one page, to sign), html or md.")
OutOption = typer.Option(
    None, "--out", help="Write to this file (else stdout; a PDF at a terminal goes to sla-VERSION.pdf)."
)
AsOfOption = typer.Option(None, "--as-of", help="Count the next review dates from this instant.")


@app.command("doc")
def doc_command(
    fmt: DocFormat = FormatOption,
    out: Path | None = OutOption,
    as_of: str | None = AsOfOption,
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """The one-page SLA: revenue target, stages, both teams' commitments, accountability, reviews,
    signatures."""
    from leadpact.reports.render import PdfUnavailable, render_doc
    from leadpact.services.sla_doc import sla_document

    ws = open_context(pact, db)
    doc = sla_document(ws, now=as_of_or_now(as_of), dashboard_url=os.environ.get("LEADPACT_PUBLIC_URL"))
    if as_json:
        print_json(doc)
        return
    try:
        data, pages = render_doc(doc, fmt.value)
    except PdfUnavailable as exc:
        fail(str(exc))
    write_document(data, fmt.value, out, f"sla-{doc['version']}.{fmt.value}")
    if pages > 1:
        err_console.print(
            f"[yellow]note:[/yellow] this pact's SLA runs to {pages} pages (long names, many segments or "
            "sources); the Markdown and HTML carry the same text",
            highlight=False,
        )
