"""`leadpact erase LEAD`: remove a person's data; keep the fact that it was erased."""

from __future__ import annotations

from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.cli.render import Times
from leadpact.services.erase import erase_lead


@app.command("erase")
def erase_command(
    lead_id: str = typer.Argument(..., metavar="LEAD"),
    reason: str | None = typer.Option(None, "--reason", help="Why (kept with the record of the erasure)."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Erase a lead's personal data (email, names, title, attributes, notes) from every event."""
    ctx = open_context(pact, db)
    done = erase_lead(ctx.engine, lead_id, now=now_utc(), reason=reason)
    if done is None:
        fail(f"no lead {lead_id!r}: no event names it")
    if as_json:
        print_json(
            {
                "lead_id": done.lead_id,
                "events": done.events,
                "erased_at": done.erased_at,
                "already": done.already,
            }
        )
    elif done.already:
        when = Times(ctx.pact.timezone).text(done.erased_at)
        console.print(f"{lead_id} was already erased on {when}", highlight=False)
    else:
        console.print(
            f"erased {lead_id}: personal data removed from {done.events} events; "
            "the erasure is recorded and later events for this lead are refused"
        )
