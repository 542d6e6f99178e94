"""`leadpact rescore [--apply]`: what a scoring change does to open leads; --apply puts it in force now."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, err_console, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.services.ingest import reproject
from leadpact.services.rescore import rescore


@app.command("rescore")
def rescore_command(
    apply: bool = typer.Option(
        False, "--apply", help="Put this pact in force now and hand off who it qualifies."
    ),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Score every open lead under the pact file; report who newly crosses or falls short of the gate."""
    ctx = open_context(pact, db)
    now = now_utc()
    versions = ctx.versions(now, record=apply)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("scoring open leads", total=None)
        report = rescore(
            ctx.engine, versions, ctx.pact.version, now=now, progress=lambda n: bar.advance(task, n)
        )
    if apply and report.newly_cross:
        report.applied = reproject(ctx.engine, versions, report.newly_cross, now=now)
    if as_json:
        print_json(report.to_json())
        return
    console.print(
        f"pact {report.version_from or '—'} -> {report.version_to}: {report.scanned:,} open leads scored"
    )
    console.print(
        f"  {len(report.newly_cross):,} would newly cross the gate"
        + (f" (e.g. {', '.join(report.newly_cross[:5])})" if report.newly_cross else "")
    )
    console.print(
        f"  {len(report.fall_short):,} handed-off leads fall short of it now (they stay MQL, flagged)"
        + (f" (e.g. {', '.join(report.fall_short[:5])})" if report.fall_short else "")
    )
    console.print(f"  {report.fit_changed:,} fit scores change")
    if apply:
        console.print(
            f"[green]applied[/green]: version {report.version_to} in force from {now:%Y-%m-%d %H:%M} UTC; "
            f"{report.applied:,} leads handed off now"
        )
    else:
        console.print("nothing changed (dry run); --apply puts this pact in force now")
