"""The Typer application every ``cmd_*`` module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="leadpact",
    help="The marketing-sales SLA as running code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
