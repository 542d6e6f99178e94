"""What every subcommand shares: finding the pact, the database, printing JSON, failing cleanly."""

from __future__ import annotations

import json
import math
import os
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

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


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        from leadpact.domain.timeutil import iso_utc

        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> str:
    """Strict JSON: NaN and Infinity are not JSON, so no output holds them (a script's parser would fail)."""
    try:
        return json.dumps(data, default=_default, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        if "not JSON compliant" not in str(exc):
            raise
    # The last line of defence: the inputs are kept finite where they come in (event and pact limits), so
    # reaching here is a bug to report; the output stays valid JSON meanwhile, and says where.
    spots: list[str] = []
    clean = _finite(data, "", spots)
    err_console.print(
        f"[yellow]warning:[/yellow] not a finite number, printed as null: {escape(', '.join(spots[:5]))}",
        highlight=False,
    )
    return json.dumps(clean, default=_default, ensure_ascii=False, allow_nan=False)


def _finite(value: Any, where: str, spots: list[str]) -> Any:
    """`value` with every NaN or infinite number replaced by None; `spots` collects where they were."""
    if isinstance(value, Decimal):
        value = float(value) if value.is_finite() else float("nan")
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        spots.append(where or "(top)")
        return None
    if isinstance(value, dict):
        return {k: _finite(v, f"{where}.{k}" if where else str(k), spots) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v, f"{where}[{i}]", spots) for i, v in enumerate(value)]
    return value


def print_json(data: Any) -> None:
    sys.stdout.write(dumps(data) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr (never wrapped, so scripts can grep it) and the exit code."""
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
