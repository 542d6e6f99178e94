"""`leadpact worker [--once]`: warnings, breaches, violations, outbox delivery."""

from __future__ import annotations

from pathlib import Path

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.cli.render import Times
from leadpact.notify.outbox import DROPPED
from leadpact.notify.reasons import describe
from leadpact.services.worker import WorkerReport
from leadpact.services.worker_loop import Pass, WorkerBusy, run_worker, sqlite_worker_lock


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
    try:
        lock = sqlite_worker_lock(ctx.url)
    except WorkerBusy as exc:
        fail(str(exc))

    times = Times(ctx.pact.timezone)

    def show(done: Pass) -> None:
        report = done.report
        if as_json:
            return
        if done.signals:
            console.print(f"{done.signals} reason signal(s) recorded for marketing")
        if done.violations:
            console.print(f"{done.violations} violation(s) of marketing's commitments recorded")
        if done.escalations:
            console.print(f"{done.escalations} escalation(s) opened (`leadpact escalations --open`)")
        if report.warnings or report.breaches or report.delivered or report.failed or report.dropped:
            console.print(
                f"{times.text(now_utc())}  warnings {report.warnings}, breaches {report.breaches}, "
                f"{_delivery_text(report)}",
                highlight=False,
                markup=False,
            )

    try:
        total = run_worker(ctx, clock=now_utc, once=once, interval=interval, on_pass=show)
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
