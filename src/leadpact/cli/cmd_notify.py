"""``leadpact notify test``: one message to each configured target, delivered at once.

Targets: every webhook and Slack channel of ``team.yaml``, and when email is configured the marketing
owner and every team manager. The test goes through the outbox like any notification (so the same
signing, keys and headers are exercised); it is tried once — a failed test row is left ``dead`` with its
error instead of being retried by the worker.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.notify.outbox import deliver_due, enqueue, row_key
from leadpact.notify.targets import Target, current_targets, email_targets, targets_from_roster
from leadpact.notify.transport import HttpSmtpTransport

notify_app = typer.Typer(help="Notification targets (team.yaml `notify`).", no_args_is_help=True)
app.add_typer(notify_app, name="notify")

NOTHING = (
    "No notification targets are configured (team.yaml has no `notify` section, or no roster): "
    "the null notifier is in use and nothing was sent."
)


def configured_targets(roster: Any) -> list[Target]:
    if roster is None:
        return []
    people = [roster.marketing.owner, *(team.manager for team in roster.teams.values())]
    return [*targets_from_roster(roster, os.environ), *email_targets(roster, people, os.environ)]


@notify_app.command("test")
def notify_test_command(
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Send one test message to each configured target and report each: sent, or failed and why."""
    ctx = open_context(pact, db)
    targets = configured_targets(ctx.roster)
    if not targets:
        if as_json:
            print_json({"configured": False, "targets": [], "message": NOTHING})
        else:
            console.print(NOTHING)
        return
    now = now_utc()
    key = f"test:{uuid.uuid4().hex[:12]}"
    payload = {"message": "leadpact notifications reach this target", "pact": ctx.pact.name, "at": now}
    with ctx.engine.begin() as conn:
        enqueue(conn, key=key, topic="test", payload=payload, targets=targets, now=now)
    keys = {row_key(key, t): t for t in targets}
    with HttpSmtpTransport(os.environ) as transport:
        report = deliver_due(
            ctx.engine,
            now=now,
            transport=transport,
            targets=current_targets(ctx.roster, os.environ),
            clock=now_utc,
            batch=len(keys),
            max_attempts=1,
            keys=list(keys),
        )
    by_key = {d.key: d for d in report.deliveries}
    results: list[dict[str, Any]] = []
    for k, target in keys.items():
        done = by_key.get(k)
        ok = done is not None and done.outcome == "sent"
        error = None if ok else (done.error if done else "not delivered (claimed by another worker?)")
        results.append(
            {
                "channel": target.channel,
                "target": target.ref,
                "key": k,
                "status": "sent" if ok else "failed",
                "error": error,
            }
        )
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
        width = max(len(r["target"]) for r in results)
        for r in results:
            status = (
                Text("sent", "green")
                if r["status"] == "sent"
                else Text.assemble(("failed", "red"), f": {r['error']}")
            )
            line = Text.assemble(f"{r['channel']:<8} {r['target']:<{width}}  ", status)
            console.print(line, soft_wrap=True)
        console.print(f"{len(results) - len(failed)} sent, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)
