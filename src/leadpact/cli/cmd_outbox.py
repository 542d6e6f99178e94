"""`leadpact outbox`: the notification outbox — each message, its target, status and last error; `retry`
sends given-up messages again, `purge` deletes old delivered or given-up ones."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.cli.render import Times
from leadpact.services.outbox import FINISHED, list_messages, purge_messages, retry_messages

outbox_app = typer.Typer(
    help="The notification outbox: what was sent, what failed and why; retry and purge.",
    invoke_without_command=True,
)
app.add_typer(outbox_app, name="outbox")

STATUS_STYLE = {"pending": "yellow", "sent": "green", "dead": "red", "dropped": "magenta"}
IdsArgument = typer.Argument(
    None, metavar="ID...", help="Message ids (see `leadpact outbox`).", show_default=False
)
#: characters of a last error shown in the table (--json has it whole)
ERROR_SHOWN = 120
_AGE = re.compile(r"^\s*(\d+)\s*(d|h|m)\s*$")


def _age(text: str) -> timedelta:
    match = _AGE.match(text)
    if match is None:
        fail(f'--older-than: "{text}" is not an age like 30d, 12h or 90m', 2)
    n, unit = int(match.group(1)), match.group(2)
    return timedelta(days=n) if unit == "d" else timedelta(hours=n) if unit == "h" else timedelta(minutes=n)


def _times(m: dict[str, Any], times: Times) -> str:
    """The creation time, then the next attempt (pending) or the sending time (sent), its date only when
    it differs from the creation's: the status says which the second line is."""
    created = times.cell(m["created_at"], empty="")
    later = m["next_attempt_at"] or m["sent_at"]
    if later is None:
        return created
    text = times.cell(later)
    return f"{created}\n{text[11:] if text[:10] == created[:10] else text}"


def _error(text: str | None) -> str:
    if not text:
        return "—"
    return text if len(text) <= ERROR_SHOWN else text[: ERROR_SHOWN - 1] + "…"


def _table(messages: list[dict[str, Any]], times: Times) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("message → target", overflow="fold", min_width=14, ratio=3)
    table.add_column("status", no_wrap=True)
    table.add_column("created\nnext/sent", no_wrap=True)
    table.add_column("last error", overflow="fold", min_width=12, ratio=2)
    for m in messages:
        message = Text(m["topic"], style="bold")
        message.append(f"\n{m['target']}")
        status = Text(m["status"], style=STATUS_STYLE.get(m["status"], ""))
        status.append(f"\n{m['attempts']} tr{'y' if m['attempts'] == 1 else 'ies'}", style="dim")
        table.add_row(str(m["id"]), message, status, _times(m, times), Text(_error(m["last_error"])))
    return table


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in counts.items())


@outbox_app.callback()
def outbox_command(
    typer_ctx: typer.Context,
    failed: bool = typer.Option(False, "--failed", help="Only messages given up (dead)."),
    pending: bool = typer.Option(False, "--pending", help="Only messages still to be sent."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many, newest first."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Each message, newest first: topic, target, status, attempts, times and last error."""
    if typer_ctx.invoked_subcommand is not None:
        return
    ctx = open_context(pact, db)
    statuses = [s for s, wanted in (("dead", failed), ("pending", pending)) if wanted] or None
    listing = list_messages(ctx.engine, statuses=statuses, limit=limit)
    if as_json:
        print_json({"messages": listing.messages, "counts": listing.counts})
        return
    times = Times(ctx.pact.timezone)
    if listing.messages:
        console.print(_table(listing.messages, times))
    else:
        console.print("No messages" + (" of that status." if statuses else " in the outbox."))
    console.print(f"outbox: {_counts(listing.counts)} ({times.footer()})", highlight=False)


@outbox_app.command("retry")
def retry_command(
    ids: list[int] | None = IdsArgument,
    failed: bool = typer.Option(False, "--failed", help="Every message given up (dead)."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Send given-up messages again: pending, due now, attempts reset (the worker sends them)."""
    if not ids and not failed:
        fail("name the messages to retry (ids from `leadpact outbox`), or pass --failed", 2)
    ctx = open_context(pact, db)
    result = retry_messages(ctx.engine, ids=ids or [], failed=failed, now=now_utc())
    if result.missing:
        fail(f"no message with id {', '.join(map(str, result.missing))} in the outbox; nothing was retried")
    if as_json:
        print_json({"retried": result.retried, "skipped": result.skipped})
        return
    for s in result.skipped:
        console.print(f"message {s['id']} is {s['status']}, not given up: left alone", highlight=False)
    if result.retried:
        shown = ", ".join(map(str, result.retried[:20])) + (", …" if len(result.retried) > 20 else "")
        console.print(
            f"{len(result.retried)} message(s) pending again, due now: {shown}. "
            "The worker sends them on its next pass.",
            highlight=False,
        )
    else:
        console.print("nothing to retry", highlight=False)


@outbox_app.command("purge")
def purge_command(
    sent: bool = typer.Option(False, "--sent", help="Delivered messages."),
    dead: bool = typer.Option(False, "--dead", help="Given-up and dropped messages."),
    older_than: str = typer.Option(
        "30d", "--older-than", help="Only messages at least this old (30d, 12h, 90m)."
    ),
    include_pending: bool = typer.Option(
        False, "--include-pending", help="Also delete messages not yet sent (they will never be sent)."
    ),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Delete old sent and given-up messages; pending ones only with --include-pending."""
    age = _age(older_than)
    ctx = open_context(pact, db)
    chosen = [*(["sent"] if sent else []), *(["dead", "dropped"] if dead else [])] or list(FINISHED)
    if include_pending:
        chosen.append("pending")
    result = purge_messages(ctx.engine, statuses=chosen, older_than=age, now=now_utc())
    if as_json:
        print_json({"deleted": result.deleted, "total": result.total, "before": result.before})
        return
    what = ", ".join(f"{n} {status}" for status, n in result.deleted.items())
    before = Times(ctx.pact.timezone).text(result.before)
    console.print(f"deleted {result.total} message(s) created before {before}: {what}", highlight=False)
