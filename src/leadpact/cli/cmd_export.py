"""`leadpact export events|leads|handoffs|clocks|violations|metrics --format csv|parquet|jsonl [--out FILE]`
(DESIGN.md §12)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, err_console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.exporters.writers import FORMATS
from leadpact.services.export import KINDS, export

OutOption = typer.Option(None, "--out", help="The file to write (else standard output).")


@app.command("export")
def export_command(
    what: str = typer.Argument(..., help="events, leads, handoffs, clocks, violations or metrics."),
    fmt: str = typer.Option("jsonl", "--format", help="csv, jsonl or parquet."),
    period: str | None = typer.Option(None, "--period", help="Only rows dated in it (metrics: its month)."),
    out: Path | None = OutOption,
    as_of: str | None = typer.Option(None, "--as-of", help="metrics: evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Export the store: events as they can be ingested again (history included), tables, metrics."""
    if what not in KINDS:
        fail(f"{what!r} is not something to export; expected {', '.join(KINDS)}")
    if fmt not in FORMATS:
        fail(f"--format: {fmt!r} is not a format; expected {', '.join(FORMATS)}")
    if fmt == "parquet" and out is None and sys.stdout.isatty():
        fail("--format parquet writes binary: give --out FILE (or redirect standard output)")
    ctx = open_context(pact, db, quiet_notice=True)
    now = as_of_or_now(as_of)
    try:
        stream = sys.stdout.buffer if out is None else out.open("wb")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    try:
        written = export(ctx, what, fmt, stream, period=period, now=now)
    except ValueError as exc:
        fail(f"--period: {exc}", 2)
    except OSError as exc:
        fail(f"cannot write {out or 'standard output'}: {exc.strerror or exc}")
    finally:
        if out is not None:
            stream.close()
        else:
            stream.flush()
    summary = {"exported": what, "format": fmt, "rows": written, "out": None if out is None else str(out)}
    if out is not None:
        if as_json:
            print_json(summary)
        else:
            err_console.print(f"{written:,} {what} row(s) written to {out}", highlight=False)
