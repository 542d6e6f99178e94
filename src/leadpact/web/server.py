"""`leadpact serve`: the web app under uvicorn, and the clock worker as a child process of the same tree.

The worker child runs `services.worker_loop.run_worker` on its own workspace. It stops when serve stops
(SIGINT or SIGTERM: serve asks it to finish its pass, then kills it after `STOP_WAIT` seconds), and, on
Linux, when serve dies without asking (the kernel sends it SIGTERM). On SQLite one worker runs on a store:
when another holds the store's worker lock, serve says so and serves without one. A child that crashes is
started again after `RESTART_WAIT` seconds.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from leadpact.web.settings import WebSettings

log = logging.getLogger("leadpact.serve")

STOP_WAIT = 10.0
RESTART_WAIT = 5.0
EXIT_BUSY = 3  # the child found another worker on the SQLite store


def _die_with_parent(parent: int) -> None:
    """Linux: SIGTERM this process when its parent dies (PR_SET_PDEATHSIG); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _worker_child(pact_file: str, db_url: str, parent: int) -> None:
    """The child's body (a spawned process: nothing inherited but these arguments and the environment)."""
    from leadpact.services.worker_loop import WorkerBusy, run_worker, sqlite_worker_lock
    from leadpact.services.workspace import open_workspace

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    _die_with_parent(parent)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")

    def clock() -> datetime:
        return datetime.now(UTC)

    ws = open_workspace(Path(pact_file), db_url, now=clock())
    try:
        lock = sqlite_worker_lock(db_url)
    except WorkerBusy as exc:
        log.warning("worker: %s", exc)
        sys.exit(EXIT_BUSY)

    def show(done: Any) -> None:
        r = done.report
        if r.warnings or r.breaches or r.delivered or r.failed:
            log.info(
                "worker: warnings %d, breaches %d, delivered %d, failed %d",
                r.warnings,
                r.breaches,
                r.delivered,
                r.failed,
            )

    try:
        run_worker(ws, clock=clock, on_pass=show, should_stop=stop.is_set)
    finally:
        if lock is not None:
            lock.close()
        ws.engine.dispose()


class WorkerChild:
    """The worker process serve runs beside the web app."""

    def __init__(self, settings: WebSettings) -> None:
        self._settings = settings
        self._ctx = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._stopping = threading.Event()
        self._watch: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._watch = threading.Thread(target=self._watch_child, name="leadpact-worker-watch", daemon=True)
        self._watch.start()

    def _spawn(self) -> None:
        args = (str(self._settings.pact_file), self._settings.db_url, os.getpid())
        self._process = self._ctx.Process(
            target=_worker_child, args=args, name="leadpact-worker", daemon=False
        )
        self._process.start()
        log.info("worker started (pid %s)", self._process.pid)

    def _watch_child(self) -> None:
        while not self._stopping.is_set():
            self._process.join(timeout=0.5)
            if self._process.exitcode is None or self._stopping.is_set():
                continue
            if self._process.exitcode == EXIT_BUSY:
                log.warning("another worker runs on this SQLite store: serving without one")
                return
            log.error(
                "worker exited with code %s; starting it again in %gs", self._process.exitcode, RESTART_WAIT
            )
            if self._stopping.wait(RESTART_WAIT):
                return
            self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        process = self._process
        if process is None or process.exitcode is not None:
            return
        process.terminate()  # SIGTERM: the loop ends after its pass
        process.join(STOP_WAIT)
        if process.exitcode is None:
            process.kill()
            process.join(2)
        log.info("worker stopped")

    @property
    def pid(self) -> int | None:
        return None if self._process is None else int(self._process.pid)


class _Server(uvicorn.Server):
    """uvicorn, which also ends the live streams when asked to stop (they would hold it open)."""

    def __init__(self, config: uvicorn.Config, app: Any) -> None:
        super().__init__(config)
        self._app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        stream = getattr(self._app.state, "stream", None)
        if stream is not None:
            stream.close_all()
        super().handle_exit(sig, frame)


def serve(settings: WebSettings, workspace: Any = None) -> None:
    """Serve until SIGINT or SIGTERM (the caller has validated the settings and may pass the workspace it
    opened)."""
    from leadpact.services.worker_loop import sqlite_worker_running
    from leadpact.web.app import create_app

    app = create_app(settings, workspace=workspace)
    child: WorkerChild | None = None
    if not settings.worker:
        log.info("serving without a worker (--no-worker)")
    elif sqlite_worker_running(settings.db_url):
        log.warning("another worker runs on this SQLite store (one runs on SQLite): serving without one")
    else:
        child = WorkerChild(settings)
        child.start()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        timeout_graceful_shutdown=3,
        log_level="info",
        server_header=False,
    )
    try:
        _Server(config, app).run()
    finally:
        if child is not None:
            child.stop()
        app.state.holder.workspace.engine.dispose()
