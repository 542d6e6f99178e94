"""The worker's loop, shared by `leadpact worker` and the worker child of `leadpact serve`.

Each pass records due warnings and breaches (`services.worker.record_due`), routes queued handoffs to reps
who became available, delivers the outbox; every minute it records reason signals, marketing's violations
and escalations (`services.escalations`), and prunes the change log; every few seconds it refreshes stale
month packs and looks for a pact version put in force elsewhere.

On SQLite one worker runs: `sqlite_worker_lock` holds an exclusive lock beside the database file for the
worker's life (released on any exit, even a kill); a second worker finds it taken.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from leadpact.notify.reasons import merge_groups
from leadpact.services.escalations import evaluate as evaluate_escalations
from leadpact.services.packs import prune_log, refresh_stale
from leadpact.services.routing import drain_queue
from leadpact.services.signals import record_reason_signals
from leadpact.services.worker import WorkerReport, deliver, record_due
from leadpact.services.workspace import Workspace

#: seconds between two refreshes of the stale month packs
PACKS_EVERY = 5.0
#: seconds between two looks for a pact version put in force elsewhere
PACT_EVERY = 5.0
#: seconds between two recordings of reason signals (the feedback loop needs no sub-second pace)
SIGNALS_EVERY = 60.0


class WorkerBusy(Exception):
    """Another worker already runs on this SQLite store."""


def sqlite_worker_lock(url: str) -> IO[str] | None:
    """On SQLite, the lock that lets one worker run (None on other stores); `WorkerBusy` when it is held."""
    if not url.startswith("sqlite:///") or ":memory:" in url:
        return None
    handle = open(url.removeprefix("sqlite:///") + ".worker.lock", "w")  # noqa: SIM115 - held for the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise WorkerBusy(
            "another worker is already running on this SQLite store (one worker runs on SQLite; "
            "use PostgreSQL for several)"
        ) from None
    return handle


def sqlite_worker_running(url: str) -> bool:
    """Whether a worker holds this SQLite store's lock now (False on other stores)."""
    try:
        lock = sqlite_worker_lock(url)
    except WorkerBusy:
        return True
    if lock is not None:
        lock.close()
    return False


def add_report(total: WorkerReport, report: WorkerReport) -> None:
    for name, value in report.to_json().items():
        if isinstance(value, int):
            setattr(total, name, getattr(total, name) + value)
    total.failures = merge_groups(total.failures, report.failures)


@dataclass
class Pass:
    """What one pass did, for whoever shows it (`signals`: reason signals recorded this pass)."""

    report: WorkerReport
    signals: int = 0
    escalations: int = 0  # escalations opened this pass
    violations: int = 0  # marketing's violations recorded this pass (closed weeks and months)


def run_worker(
    ws: Workspace,
    *,
    clock: Callable[[], datetime],
    once: bool = False,
    interval: float = 0.25,
    on_pass: Callable[[Pass], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> WorkerReport:
    """Run passes until `once` is done, `should_stop()` says so, or KeyboardInterrupt; the sum of the passes.
    The caller holds the SQLite lock (`sqlite_worker_lock`) for as long as this runs."""
    total = WorkerReport()
    signals_at = packs_at = pact_at = time.monotonic() - SIGNALS_EVERY
    try:
        while not should_stop():
            if time.monotonic() - pact_at >= PACT_EVERY:
                pact_at = time.monotonic()
                ws.refresh(clock())
            routing = ws.routing
            report = record_due(
                ws.engine,
                now=clock(),
                mode=ws.pact.mode_in_effect,
                roster=ws.roster,
                routing=routing,
                timezone=ws.pact.timezone,
            )
            if routing is not None:
                report.assigned = drain_queue(ws.engine, routing, now=clock())
            done = Pass(report)
            if time.monotonic() - signals_at >= SIGNALS_EVERY:
                done.signals = record_reason_signals(
                    ws.engine, pact=ws.pact, rules=ws.rules, now=clock(), roster=ws.roster
                )
                evaluation = evaluate_escalations(
                    ws.engine, pact=ws.pact, rules=ws.rules, now=clock(), roster=ws.roster
                )
                done.escalations = len(evaluation.opened)
                done.violations = evaluation.violations
                signals_at = time.monotonic()
                prune_log(ws.engine, now=clock())
            if once or time.monotonic() - packs_at >= PACKS_EVERY:  # keep read months ready
                report.packs = refresh_stale(ws.engine)
                packs_at = time.monotonic()
            deliver(ws.engine, now=clock(), report=report, roster=ws.roster, clock=clock)
            add_report(total, report)
            if on_pass is not None:
                on_pass(done)
            if once:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    return total
