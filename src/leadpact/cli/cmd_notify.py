"""``leadpact notify test``: one message to each configured target, delivered at once.

Targets: every webhook and Slack channel of ``team.yaml``, and when email is configured the marketing
owner and every team manager. The test goes through the outbox like any notification (so the same
signing, keys and headers are exercised); it is tried once — a failed test row is left ``dead`` with its
error instead of being retried by the worker.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.text import Text

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.cli.render import folding, listing, whole
from leadpact.services.outbox import send_test

notify_app = typer.Typer(help="Notification targets (team.yaml `notify`).", no_args_is_help=True)
app.add_typer(notify_app, name="notify")

NOTHING = (
    "No notification targets are configured (team.yaml has no `notify` section, or no roster): "
    "the null notifier is in use and nothing was sent."
)


@notify_app.command("test")
def notify_test_command(
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Send one test message to each configured target and report each: sent, or failed and why."""
    ctx = open_context(pact, db)
    results = send_test(
        ctx.engine, roster=ctx.roster, pact_name=ctx.pact.name, env=os.environ, now=now_utc(), clock=now_utc
    )
    if not results:
        if as_json:
            print_json({"configured": False, "targets": [], "message": NOTHING})
        else:
            console.print(NOTHING)
        return
    failed = [r for r in results if r["status"] == "failed"]
    if as_json:
        print_json(
            {
                "configured": True,
                "targets": results,
                "sent": len(results) - len(failed),
                "failed": len(failed),
            }
        )
    else:
        table = listing()
        whole(table, "channel")
        folding(table, "target", min_width=16, ratio=None)
        folding(table, "result", min_width=16, ratio=None)
        for r in results:
            status = (
                Text("sent", "green")
                if r["status"] == "sent"
                else Text.assemble(("failed", "red"), f": {r['error']}")
            )
            table.add_row(r["channel"], Text(r["target"]), status)
        console.print(table)
        console.print(f"{len(results) - len(failed)} sent, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)
