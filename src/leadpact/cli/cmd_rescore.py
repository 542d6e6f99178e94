"""`leadpact rescore [--apply]` and `leadpact pact apply`: what a pact change does to open leads, and putting
it in force now (DESIGN.md §10)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, err_console, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.domain.timeutil import local_text
from leadpact.services.rescore import RescoreReport, apply_pact, preview
from leadpact.services.workspace import Workspace

pact_app = typer.Typer(help="The pact's versions: which is in force, and putting a new one in force.")
app.add_typer(pact_app, name="pact")


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("scoring open leads", total=None)
        yield lambda n: bar.advance(task, n)


def _sample(ids: list[str]) -> str:
    return f" (e.g. {', '.join(ids[:5])})" if ids else ""


def _show_preview(report: RescoreReport) -> None:
    console.print(
        f"pact {report.version_from or '—'} -> {report.version_to}: {report.scanned:,} open leads scored"
    )
    console.print(f"  {len(report.newly_cross):,} would be handed off now{_sample(report.newly_cross)}")
    console.print(
        f"  {len(report.fall_short):,} handed-off leads fall short of the new gate "
        f"(they stay handed off, flagged){_sample(report.fall_short)}"
    )
    console.print(f"  {report.fit_changed:,} fit scores change")


def _apply(ws: Workspace, now: datetime, as_json: bool) -> None:
    with _progress(as_json) as advance:
        report = apply_pact(ws, now=now, progress=advance)
    if as_json:
        print_json(report.to_json())
        return
    if report.version_from == report.version_to and not report.resumed:
        console.print(f"nothing to apply: {ws.pact_file} is the version in force ({report.version_to})")
        return
    _show_preview(report)
    when = local_text(report.at or now, ws.pact.timezone)
    console.print(
        f"[green]{'finished applying' if report.resumed else 'applied'}[/green]: version {report.version_to} "
        f"in force from {when}; {len(report.newly_cross):,} leads handed off and routed, "
        f"{len(report.fall_short):,} flagged",
        highlight=False,
    )


@app.command("rescore")
def rescore_command(
    apply: bool = typer.Option(False, "--apply", help="Put the pact file in force now (as `pact apply`)."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Score every open lead under the pact file; report who would be handed off or fall short of the gate."""
    ctx = open_context(pact, db, quiet_notice=True)
    now = now_utc()
    if apply:
        _apply(ctx, now, as_json)
        return
    with _progress(as_json) as advance:
        report = preview(ctx, now=now, progress=advance)
    if as_json:
        print_json(report.to_json())
        return
    if not ctx.file_differs:
        console.print(f"{ctx.pact_file} is the version in force ({ctx.pact.version}): nothing would change")
        return
    _show_preview(report)
    console.print("nothing changed (dry run); `leadpact pact apply` puts this pact in force now")


@pact_app.command("apply")
def pact_apply_command(
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Put the pact file in force now: hand off, route and clock the leads it qualifies; flag the ones it
    no longer would (or finish an apply that was cut off)."""
    ctx = open_context(pact, db, quiet_notice=True)
    _apply(ctx, now_utc(), as_json)
