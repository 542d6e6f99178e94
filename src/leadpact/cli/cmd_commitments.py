"""`leadpact commitments`: each team's commitments met or missed per week or month, and the runs of misses
(DESIGN.md §10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import folding, listing, whole
from leadpact.services.commitments import commitments_document


def _actual(key: str, value: float | int | None) -> str:
    if value is None:
        return "—"
    if key in ("mql_volume", "feedback"):
        return str(value)
    return f"{value:.1%}"


def _target(key: str, value: float) -> str:
    if key == "mql_volume":
        return f"{value:.1f}"
    if key == "feedback":
        return "none flagged"
    return f"≥ {value:.0%}"


def _marks(periods: list[dict[str, Any]]) -> str:
    """Oldest to newest: ✓ met, ✗ missed, · nothing to judge."""
    return "".join("·" if p["met"] is None else "✓" if p["met"] else "✗" for p in periods)


@app.command("commitments")
def commitments_command(
    periods: int = typer.Option(6, "--periods", help="How many closed weeks and months to judge."),
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Both teams' commitments, met or missed per closed week or month, with the current and longest run of
    misses: the pattern of missed commitments."""
    if periods < 1 or periods > 520:
        fail("--periods must be between 1 and 520", 2)
    ctx = open_context(pact, db)
    now = as_of_or_now(as_of)
    doc = commitments_document(ctx.engine, ctx.pact, ctx.rules, now=now, periods=periods)
    if as_json:
        print_json(doc)
        return
    table = listing()
    whole(table, "team", "per")
    folding(table, "commitment", min_width=14)
    whole(table, "last", "target", "history", "runs")
    for key, c in doc["commitments"].items():
        last = c["periods"][-1]
        style = "" if last["met"] is None else "green" if last["met"] else "red"
        shown = _actual(key, last["actual"])
        table.add_row(
            c["team"],
            c["per"],
            c["label"],
            f"[{style}]{shown}[/{style}]" if style else shown,
            _target(key, last["target"]),
            _marks(c["periods"]),
            f"{c['current_run']} now\n{c['longest_run']} max",
        )
    console.print(table)
    console.print(
        f"last {periods} closed weeks and months, oldest first (✓ met, ✗ missed, · nothing to judge); "
        "runs: misses in a row",
        highlight=False,
    )
