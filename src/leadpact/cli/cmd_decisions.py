"""`leadpact decide`, `leadpact decisions [--open]`, `leadpact decisions done ID`: the reviews' decisions, who
owes them and by when (DESIGN.md §10)."""

from __future__ import annotations

from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import folding, listing, whole
from leadpact.services.decisions import DecisionDone, DecisionNotFound, decide, list_decisions, mark_done

decisions_app = typer.Typer(
    help="The reviews' decisions: who does what by when.", invoke_without_command=True
)
app.add_typer(decisions_app, name="decisions")

STATE_STYLE = {"open": "yellow", "overdue": "red", "done": "green"}
AsOfOption = typer.Option(None, "--as-of", hidden=True, help="Evaluate (or record) at this instant.")


@app.command("decide")
def decide_command(
    text: str = typer.Argument(..., help="What was decided."),
    owner: str = typer.Option(..., "--owner", help="Who owes it (an email)."),
    due: str = typer.Option(..., "--due", help="By when, a date: 2026-03-20."),
    team: str | None = typer.Option(None, "--team", help="marketing or sales."),
    by: str | None = typer.Option(None, "--by", help="Who records it."),
    as_of: str | None = AsOfOption,
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Record a decision of a review."""
    ctx = open_context(pact, db)
    try:
        view = decide(
            ctx.engine, text=text, owner=owner, due=due, team=team, by=by, now=as_of_or_now(as_of),
            tz=ctx.pact.timezone,
        )  # fmt: skip
    except ValueError as exc:
        fail(str(exc), 2)
    if as_json:
        print_json(view)
        return
    console.print(f"decision {view['id']} recorded: {view['owner']} by {view['due']}", highlight=False)


@decisions_app.callback()
def decisions_command(
    typer_ctx: typer.Context,
    open_only: bool = typer.Option(False, "--open", help="Only those not done (open or overdue)."),
    as_of: str | None = AsOfOption,
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """The decisions, by due date, with their owners and states (open, overdue, done)."""
    if typer_ctx.invoked_subcommand is not None:
        return
    ctx = open_context(pact, db)
    views = list_decisions(ctx.engine, now=as_of_or_now(as_of), tz=ctx.pact.timezone, open_only=open_only)
    if as_json:
        print_json({"decisions": views})
        return
    table = listing()
    whole(table, "id", "due", "state")
    folding(table, "owner / decision", min_width=20)
    for v in views:
        style = STATE_STYLE[v["state"]]
        team = f" ({v['team']})" if v["team"] else ""
        table.add_row(
            str(v["id"]), v["due"], f"[{style}]{v['state']}[/{style}]", f"{v['owner']}{team}\n{v['text']}"
        )
    console.print(table)
    console.print(f"{len(views)} decision(s)", highlight=False)


@decisions_app.command("done")
def done_command(
    decision_id: int = typer.Argument(..., metavar="ID", help="The decision's id."),
    by: str | None = typer.Option(None, "--by", help="Who did it."),
    as_of: str | None = AsOfOption,
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Mark a decision done."""
    ctx = open_context(pact, db)
    try:
        view = mark_done(ctx.engine, decision_id, by=by, now=as_of_or_now(as_of), tz=ctx.pact.timezone)
    except (DecisionNotFound, DecisionDone) as exc:
        fail(str(exc))
    if as_json:
        print_json(view)
        return
    console.print(f"decision {view['id']} done", highlight=False)
