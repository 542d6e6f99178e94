"""`leadpact import hubspot|salesforce|csv FILE`: a CRM export in (DESIGN.md §12)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from leadpact.cli.app import app
from leadpact.cli.cmd_ingest import ingest_progress, open_input, show_report
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, err_console, fail, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.importers.crm import OBJECTS, VENDORS
from leadpact.importers.mapping import EMPTY, ImportMapping, load_mapping
from leadpact.importers.readers import CsvRecords
from leadpact.importers.text import NotText, lines_of
from leadpact.pact import PactError
from leadpact.services.crm_import import ImportRefused, ImportReport, import_table
from leadpact.services.ingest import IngestInterrupted


def _mapping(path: Path | None, ctx: Any) -> ImportMapping:
    if path is None:
        return EMPTY
    reps = None if ctx.roster is None else [rep.id for rep in ctx.roster.reps]
    try:
        return load_mapping(path, sources=ctx.pact.sources, reasons=ctx.pact.reasons, reps=reps)
    except PactError as exc:
        for issue in exc.issues:
            err_console.print(f"  {issue.located()}", highlight=False, markup=False)
        fail(f"{path}: {len(exc.issues)} error(s) in the mapping file")


MappingOption = typer.Option(
    None, "--mapping", help="A YAML file: columns -> fields, vendor values -> the pact's words."
)


@app.command("import")
def import_command(
    vendor: str = typer.Argument(..., help="hubspot (contacts export), salesforce (lead export) or csv."),
    file: str = typer.Argument(..., help="The CSV export, or - for standard input."),
    obj: str | None = typer.Option(
        None, "--object", help="contacts, leads, tasks or opportunities (default: the vendor's lead export)."
    ),
    mapping: Path | None = MappingOption,
    history: bool = typer.Option(
        False,
        "--history",
        help="The CRM's past, taken as given: its MQL and stage dates in date order, its owners, no "
        "routing, clocks judged and never notified.",
    ),
    no_touches: bool = typer.Option(
        False,
        "--no-touches",
        help="With --history: the export has no touch data, so its handoffs have no response or touch "
        "metrics (null, not 0) and no clocks.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Map and check every row; store nothing."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also list each duplicate."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Import a CRM export: each row becomes its lead's events; importing it again stores nothing new."""
    if no_touches and not history:
        fail("--no-touches describes history: use it with --history")
    if vendor not in VENDORS:
        fail(f"{vendor!r} is not a source to import from; expected {', '.join(VENDORS)}")
    if obj is not None and obj not in OBJECTS:
        fail(f"--object: {obj!r} is not an object to import; expected {', '.join(OBJECTS)}")
    ctx = open_context(pact, db)
    chosen = _mapping(mapping, ctx)
    stream, _name, _total = open_input(file)
    try:
        try:
            lines, encoding = lines_of(stream, spreadsheet=True)
            table = CsvRecords(lines, encoding)
        except NotText as exc:
            fail(f"{file if file != '-' else 'standard input'} is not a text file (CSV): {exc}")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}")
        try:
            with ingest_progress(None, quiet=as_json, reading="reading rows' events") as progress:
                result = import_table(
                    ctx,
                    table,
                    vendor=vendor,
                    obj=obj,
                    mapping=chosen,
                    history=history,
                    touches_tracked=not no_touches,
                    dry_run=dry_run,
                    now=now_utc(),
                    progress=progress,
                )
        except ImportRefused as exc:
            fail(f"{file}: {exc}")
        except IngestInterrupted as cut:
            fail(
                f"the store stopped answering ({cut}) after {cut.report.summary['stored']:,} event(s) were "
                "stored; running the same command again completes it"
            )
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc} (nothing was stored; run it again)")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if as_json:
        print_json(result.to_json())
    else:
        _render(result, verbose=verbose)
    if result.report.refused and not dry_run:
        raise typer.Exit(1)


def _render(result: ImportReport, *, verbose: bool) -> None:
    for note in result.notes:
        console.print(f"[yellow]note[/yellow] {escape(note)}", highlight=False)
    for column in result.unmapped_columns:
        console.print(f"[yellow]unmapped column[/yellow] {escape(column)} (not imported)", highlight=False)
    for column in result.ignored_columns:
        console.print(
            f"[yellow]ignored column[/yellow] {escape(column)} (an earlier column gives the same field)",
            highlight=False,
        )
    if result.dry_run:
        for row in result.sample:
            for event in row["events"]:
                data = " ".join(f"{k}={v}" for k, v in event.get("data", {}).items() if k != "attributes")
                text = f"line {row['line']}: {event['type']} {event['lead_id']} {event['at'][:16]} {data}"
                console.print(escape(text[:79]), highlight=False, soft_wrap=True)
        refused = result.report.refused
        for r in sorted(result.report.results, key=lambda r: r.line):
            console.print(
                f"[red]line {r.line}[/red] {escape(r.id or '')} would be refused — "
                f"[bold]{escape(str(r.field))}[/bold]: {escape(str(r.reason))}",
                highlight=False,
            )
        console.print(
            f"dry run: {result.rows_read:,} rows read, {refused:,} event(s) would be refused; nothing stored",
            highlight=False,
        )
        return
    show_report(result.report, verbose=verbose)
    console.print(f"{result.rows_read:,} rows read", highlight=False)
