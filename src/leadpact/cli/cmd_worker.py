"""`leadpact worker [--once]`: warnings, breaches, violations, outbox delivery."""

from __future__ import annotations

import fcntl
import time
from pathlib import Path
from typing import IO

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.cli.render import Times
from leadpact.notify.outbox import DROPPED
from leadpact.notify.reasons import describe, merge_groups
from leadpact.services.packs import prune_log, refresh_stale
from leadpact.services.routing import drain_queue
from leadpact.services.signals import record_reason_signals
from leadpact.services.worker import WorkerReport, deliver, record_due


def _sqlite_lock(url: str) -> IO[str] | None:
    """On SQLite one worker runs: hold an exclusive lock beside the database file (released on any exit)."""
    if not url.startswith("sqlite:///") or ":memory:" in url:
        return None
    handle = open(url.removeprefix("sqlite:///") + ".worker.lock", "w")  # noqa: SIM115 - held for the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        fail(
            "another worker is already running on this SQLite store (one worker runs on SQLite; "
            "use PostgreSQL for several)"
        )
    return handle


def _add(total: WorkerReport, report: WorkerReport) -> None:
    for name, value in report.to_json().items():
        if isinstance(value, int):
            setattr(total, name, getattr(total, name) + value)
    total.failures = merge_groups(total.failures, report.failures)


def _delivery_text(report: WorkerReport) -> str:
    """``delivered 3, failed 50: 48 × connection refused (https://...), 2 × HTTP 500 (slack:X)``."""
    text = f"delivered {report.delivered}, failed {report.failed}"
    if report.failures:
        text += f": {describe(report.failures)}"
    if report.dead:
        text += f"; {report.dead} given up (`leadpact outbox --failed`)"
    if report.dropped:
        text += f"; dropped {report.dropped} ({DROPPED})"
    return text


#: seconds between two refreshes of the stale month packs
PACKS_EVERY = 5.0


@app.command("worker")
def worker_command(
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
    interval: float = typer.Option(0.25, "--interval", help="Seconds between passes."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Record due warnings and breaches exactly once, and deliver notifications."""
    ctx = open_context(pact, db)
    lock = _sqlite_lock(ctx.url)
    total = WorkerReport()
    routing = ctx.routing
    signals_at = packs_at = 0.0
    times = Times(ctx.pact.timezone)
    try:
        while True:
            report = record_due(
                ctx.engine,
                now=now_utc(),
                mode=ctx.pact.mode,
                roster=ctx.roster,
                routing=routing,
                timezone=ctx.pact.timezone,
            )
            if routing is not None:
                report.assigned = drain_queue(ctx.engine, routing, now=now_utc())
            if time.monotonic() - signals_at >= 60:  # the feedback loop needs no sub-second pace
                signals = record_reason_signals(
                    ctx.engine, pact=ctx.pact, rules=ctx.rules, now=now_utc(), roster=ctx.roster
                )
                signals_at = time.monotonic()
                prune_log(ctx.engine, now=now_utc())
                if signals and not as_json:
                    console.print(f"{signals} reason signal(s) recorded for marketing")
            if once or time.monotonic() - packs_at >= PACKS_EVERY:  # keep read months ready
                report.packs = refresh_stale(ctx.engine)
                packs_at = time.monotonic()
            deliver(ctx.engine, now=now_utc(), report=report, roster=ctx.roster, clock=now_utc)
            _add(total, report)
            busy = report.warnings or report.breaches or report.delivered or report.failed or report.dropped
            if not as_json and busy:
                console.print(
                    f"{times.text(now_utc())}  warnings {report.warnings}, breaches {report.breaches}, "
                    f"{_delivery_text(report)}",
                    highlight=False,
                    markup=False,
                )
            if once:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        if lock is not None:
            lock.close()
    if as_json:
        print_json(total.to_json())
    elif once:
        console.print(
            f"claimed {total.claimed} clock(s): {total.warnings} warning(s), {total.breaches} breach(es) "
            f"recorded; messages {_delivery_text(total)}",
            highlight=False,
            markup=False,
        )
