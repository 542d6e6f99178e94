"""`leadpact escalations [--open]` and `leadpact escalations resolve ID --plan TEXT`: the actions the
protocol demands after misses, and closing them with the plan agreed (DESIGN.md §10)."""

from __future__ import annotations

from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import Times, folding, listing, whole
from leadpact.services.escalation_views import (
    EscalationNotFound,
    EscalationResolved,
    list_escalations,
    resolve_escalation,
)

escalations_app = typer.Typer(
    help="Escalations: what the protocol demands after misses, and who owes it by when.",
    invoke_without_command=True,
)
app.add_typer(escalations_app, name="escalations")

STATE_STYLE = {"open": "yellow", "overdue": "red", "resolved": "green"}


@escalations_app.callback()
def escalations_command(
    typer_ctx: typer.Context,
    open_only: bool = typer.Option(False, "--open", help="Only those still open (open or overdue)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Every escalation with its owner, due time and state (open, overdue, resolved)."""
    if typer_ctx.invoked_subcommand is not None:
        return
    ctx = open_context(pact, db)
    now = as_of_or_now(as_of)
    views = list_escalations(ctx.engine, now=now, state="unresolved" if open_only else None)
    if as_json:
        print_json({"escalations": views})
        return
    times = Times(ctx.pact.timezone)
    table = listing()
    whole(table, "id", "rule\nperiod", "state\ndue")
    folding(table, "owner / what", min_width=20)
    for v in views:
        style = STATE_STYLE[v["state"]]
        what = f"{v['owner'] or '— (no owner in team.yaml)'}\n{v['action']}: {v['summary']}"
        if v["plan"]:
            what += f"\nplan ({v['resolved_by'] or 'unnamed'}): {v['plan']}"
        table.add_row(
            str(v["id"]),
            f"{v['rule']}\n{v['period']}",
            f"[{style}]{v['state']}[/{style}]\n{times.cell(v['due_at'])}",
            what,
        )
    console.print(table)
    console.print(f"{len(views)} escalation(s); {times.footer()}", highlight=False)


@escalations_app.command("resolve")
def resolve_command(
    escalation_id: int = typer.Argument(..., metavar="ID", help="The escalation's id."),
    plan_text: str = typer.Option(..., "--plan", help="The plan agreed."),
    by: str | None = typer.Option(None, "--by", help="Who resolves it."),
    as_of: str | None = typer.Option(None, "--as-of", hidden=True, help="Record it at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Resolve an escalation with the plan agreed."""
    ctx = open_context(pact, db)
    try:
        view = resolve_escalation(ctx.engine, escalation_id, plan=plan_text, by=by, now=as_of_or_now(as_of))
    except (EscalationNotFound, EscalationResolved, ValueError) as exc:
        fail(str(exc))
    if as_json:
        print_json(view)
        return
    console.print(f"escalation {view['id']} ({view['rule']} {view['period']}) resolved", highlight=False)
