"""`leadpact keys create|list|revoke`: API keys and their roles (DESIGN.md §9)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, err_console, fail, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.domain.access import ROLES

keys_app = typer.Typer(
    help="API keys: who may read and write through the API and the dashboard.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def create_command(
    role: str = typer.Option(..., "--role", help=f"One of {', '.join(ROLES)}."),
    name: str = typer.Option(..., "--name", help="Who or what holds the key (shown in `keys list`)."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Make a key; it is printed once, and only its hash is stored."""
    from leadpact.services.keys import KeyProblem, create_key

    ctx = open_context(pact, db)
    try:
        made = create_key(ctx.engine, role=role, name=name, now=now_utc())
    except KeyProblem as exc:
        fail(str(exc), 2)
    if as_json:
        print_json(made.to_json())
        return
    console.print(f"key {made.id} ({made.role}) for {made.name}:", highlight=False, markup=False)
    console.print(made.key, highlight=False, markup=False, soft_wrap=True)
    err_console.print("shown once: keep it now (only its hash is stored)", highlight=False)


@keys_app.command("list")
def list_command(
    pact: Path | None = PactOption, db: str | None = DbOption, as_json: bool = JsonOption
) -> None:
    """Every key: id, name, role, when made, when revoked (never the key itself)."""
    from leadpact.services.keys import list_keys

    ctx = open_context(pact, db)
    keys = list_keys(ctx.engine)
    if as_json:
        print_json({"keys": keys})
        return
    table = Table("id", "name", "role", "created", "revoked")
    for k in keys:
        table.add_row(k["id"], k["name"], k["role"], k["created_at"], k["revoked_at"] or "")
    console.print(table)


@keys_app.command("revoke")
def revoke_command(
    key_id: str = typer.Argument(..., metavar="ID"), pact: Path | None = PactOption, db: str | None = DbOption
) -> None:
    """Revoke a key: in effect at once, for running servers and their signed-in sessions too."""
    from leadpact.services.keys import revoke_key

    ctx = open_context(pact, db)
    done = revoke_key(ctx.engine, key_id, now=now_utc())
    if done is None:
        fail(f"no key {key_id!r} (`leadpact keys list` shows them)")
    console.print(
        f"key {key_id} {'was already revoked' if done == 'already' else 'revoked'}", highlight=False
    )
