"""`leadpact clocks` and `leadpact violations`: the clock queue, and who owes what."""

from __future__ import annotations

from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import Times, folding, lead_cycle, listing, narrow, whole
from leadpact.services.violations import list_clock_views, list_violation_views

STATUS_STYLE = {"open": "yellow", "met": "green", "breached": "red", "cancelled": "dim"}


@app.command("clocks")
def clocks_command(
    open_only: bool = typer.Option(False, "--open", help="Only clocks still running."),
    breached: bool = typer.Option(False, "--breached", help="Only breached clocks."),
    rep: str | None = typer.Option(None, "--rep", help="Only this rep's clocks."),
    kind: str | None = typer.Option(None, "--kind", help="first_contact, disposition or touches."),
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """The clock queue: every SLA clock with its due time and status as of now."""
    if open_only and breached:
        fail("--open and --breached exclude each other")
    ctx = open_context(pact, db)
    now = as_of_or_now(as_of)
    status = "open" if open_only else "breached" if breached else None
    views = list_clock_views(ctx.engine, now=now, status=status, rep=rep, kind=kind)
    if as_json:
        print_json({"as_of": now, "clocks": views})
        return
    times = Times(ctx.pact.timezone)
    table = listing()
    whole(table, "due", "lead", "clock", "status", "owner")
    folding(table, "rule", min_width=12)
    alerts = not narrow()  # what the worker recorded; the status says what matters
    if alerts:
        folding(table, "alerts", min_width=8)
    for v in views:
        style = STATUS_STYLE.get(v["status"], "")
        table.add_row(
            times.cell(v["due_at"]),
            lead_cycle(v["lead_id"], v["handoff"]),
            v["kind"],
            f"[{style}]{v['status']}[/{style}]",
            v["owner"] or "—",
            v["rule"],
            *([_alerts(v["alerts"])] if alerts else []),
        )
    console.print(table)
    console.print(f"{len(views)} clock(s) as of {times.text(now)}; {times.footer()}", highlight=False)


def _alerts(levels: list[str]) -> str:
    """``warned at 50%, 80%; breach recorded`` from the worker's levels (``warn:0.5``, ``breach``)."""
    warned = [f"{float(level.split(':', 1)[1]):.0%}" for level in levels if level.startswith("warn:")]
    parts = [f"warned at {', '.join(warned)}"] if warned else []
    if "breach" in levels:
        parts.append("breach recorded")
    return "; ".join(parts)


@app.command("violations")
def violations_command(
    period: str | None = typer.Option(None, "--period", help="2026-03, 2026-W10, 2026-Q1, 2026, or a..b."),
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Who owes what: breached clocks and the commitments the timeline shows were missed."""
    from leadpact.domain.periods import parse_period

    ctx = open_context(pact, db)
    now = as_of_or_now(as_of)
    start = end = None
    if period:
        try:
            p = parse_period(period, ctx.pact.timezone)
        except ValueError as exc:
            fail(f"--period: {exc}", 2)
        start, end = p.start, p.end
    views = list_violation_views(
        ctx.engine, now=now, versions=ctx.versions, timezone=ctx.pact.timezone, start=start, end=end
    )
    if as_json:
        print_json({"period": period, "as_of": now, "violations": views})
        return
    times = Times(ctx.pact.timezone)
    table = listing()
    whole(table, "when\nrecorded", "lead\nkind", "owed by")
    folding(table, "what", min_width=20)
    for v in views:
        table.add_row(
            f"{times.cell(v['at'])}\n{times.cell(v['recorded_at'], empty='not yet')}",
            f"{v['lead_id']}\n{v['kind']}",
            f"{v['owed_by']}\n{v['owner'] or '—'}",
            v["what"],
        )
    console.print(table)
    console.print(f"{len(views)} violation(s); {times.footer()}", highlight=False)
