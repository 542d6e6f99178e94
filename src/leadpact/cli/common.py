"""What every subcommand shares: finding the pact, the database, printing JSON, failing cleanly."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from leadpact.jsondoc import dumps

console = Console()
err_console = Console(stderr=True)

PactOption = typer.Option(None, "--pact", help="The pact file (else $LEADPACT_PACT, else ./pact.yaml).")
DbOption = typer.Option(None, "--db", help="Database URL (else $LEADPACT_DB, else SQLite beside the pact).")
JsonOption = typer.Option(False, "--json", help="Print JSON for scripts.")


def pact_path(option: Path | None) -> Path:
    """The pact is found at --pact, else LEADPACT_PACT, else ./pact.yaml (DESIGN.md §3)."""
    if option is not None:
        return option
    env = os.environ.get("LEADPACT_PACT")
    return Path(env) if env else Path("pact.yaml")


def roster_path(pact: Path) -> Path:
    return pact.parent / "team.yaml"


def db_url(option: str | None, pact: Path) -> str:
    """--db, else LEADPACT_DB, else an SQLite file beside the pact."""
    if option:
        return option
    env = os.environ.get("LEADPACT_DB")
    if env:
        return env
    return f"sqlite:///{(pact.parent / 'leadpact.db').resolve()}"


def print_json(data: Any) -> None:
    sys.stdout.write(dumps(data) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr (never wrapped, so scripts can grep it) and the exit code."""
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
