"""`leadpact ingest FILE|-`: events in (JSON Lines or CSV), a result per event, a summary."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, err_console, fail, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.importers.readers import read_events
from leadpact.importers.text import NotText
from leadpact.services.ingest import IngestInterrupted, IngestReport, ingest


def _count_lines(path: Path) -> int | None:
    """The progress bar's total: a regular file's newlines (None for a pipe or a device, read only once)."""
    if not path.is_file():
        return None
    count = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                count += chunk.count(b"\n")
    except OSError:
        return None
    return count


def open_input(path: str) -> tuple[BinaryIO, str | None, int | None]:
    """The input as bytes, its name and its line count; one clear line and exit 1 when it cannot be read."""
    if path == "-":
        return sys.stdin.buffer, None, None
    file = Path(path)
    try:
        if file.is_dir():
            fail(f"{path} is a directory, not a file of events")
        if not file.exists():
            fail(f"no such file: {path}")
        return file.open("rb"), file.name, _count_lines(file)
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


@contextmanager
def ingest_progress(
    total: int | None, *, quiet: bool, reading: str = "reading events"
) -> Iterator[Callable[[str, int], None]]:
    """A progress bar on a terminal's stderr for one ingest call (its `progress` callback): events read,
    leads applied."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    shown = not quiet and err_console.is_terminal  # no bar in a pipe or a log
    with Progress(*columns, console=err_console, transient=True, disable=not shown) as bar:
        read = bar.add_task(reading, total=total)
        leads = bar.add_task("applying to leads", total=None, visible=False)

        def progress(step: str, n: int) -> None:
            if step == "read":
                bar.advance(read, n)
            else:
                bar.update(leads, visible=True)
                bar.advance(leads, n)

        yield progress


def run_ingest(ctx: object, path: str, *, atomic: bool, quiet: bool) -> IngestReport:
    from leadpact.cli.context import Context

    assert isinstance(ctx, Context)
    stream, name, total = open_input(path)
    try:
        try:
            events = read_events(stream, name)
        except NotText as exc:
            fail(f"{path if path != '-' else 'standard input'} is not a text file of events: {exc}")
        except OSError as exc:
            fail(f"cannot read {path}: {exc.strerror or exc}")
        with ingest_progress(total, quiet=quiet) as progress:
            now = now_utc()
            try:
                return ingest(
                    ctx.engine,
                    ctx.versions,
                    ctx.vocab,
                    events,
                    now=now,
                    atomic=atomic,
                    progress=progress,
                    routing=ctx.routing,
                    roster=ctx.roster,
                )
            except OSError as exc:  # the file went away or the disk failed while it was read: nothing stored
                fail(f"cannot read {path}: {exc.strerror or exc} (nothing was stored; run it again)")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


@app.command("ingest")
def ingest_command(
    file: str = typer.Argument(..., help="A JSON Lines or CSV file of events, or - for standard input."),
    atomic: bool = typer.Option(False, "--atomic", help="Store nothing unless every event is good."),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Also list each duplicate (else they are counted)."
    ),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Ingest events: each is stored once, reported as a duplicate, waits for its lead, or is refused."""
    ctx = open_context(pact, db)
    try:
        report = run_ingest(ctx, file, atomic=atomic, quiet=as_json)
    except IngestInterrupted as cut:
        s = cut.report.summary
        fail(
            f"the store stopped answering ({cut}) after {s['stored']:,} event(s) were stored; running the "
            "same command again completes it (what is stored comes back as duplicates)"
        )
    if as_json:
        print_json(report.to_json())
    else:
        show_report(report, verbose=verbose)
    if report.refused:
        raise typer.Exit(1)


def show_report(report: IngestReport, *, verbose: bool) -> None:
    """A line for each event that needs action (refused, waiting); duplicates counted unless --verbose."""
    for result in sorted(report.results, key=lambda r: r.line):
        if result.status == "refused":
            console.print(
                f"[red]line {result.line}[/red] {escape(result.id or '')} refused — "
                f"[bold]{escape(str(result.field))}[/bold]: {escape(str(result.reason))}",
                highlight=False,
            )
        elif result.status == "waiting":
            console.print(
                f"[yellow]line {result.line}[/yellow] {escape(result.id or '')} waiting — "
                f"{escape(str(result.reason))}",
                highlight=False,
            )
        elif result.status == "duplicate" and verbose:
            console.print(
                f"[dim]line {result.line} {escape(result.id or '')} duplicate (already stored)[/dim]",
                highlight=False,
            )
    s = report.summary
    duplicates = f"duplicate {s['duplicate']:,}"
    if s["duplicate"] and not verbose:
        duplicates += " (already stored; --verbose lists them)"
    console.print(
        f"stored {s['stored']:,}, {duplicates}, waiting {s['waiting']:,}, refused {s['refused']:,} · "
        f"{report.leads_touched:,} leads updated",
        highlight=False,
    )
    if report.rolled_back:
        console.print("[red]--atomic: something was refused, so nothing was stored[/red]")
