"""The live change feed behind `GET /api/stream` (server-sent events).

One poller per serve process, shared by all its connected clients (none runs while nobody listens): every
`POLL_EVERY` seconds it reads a few counters from the store (`services.changes.look`: the newest event,
assignment, violation and pact version, the newest clock alert, the current month's day marks), so a change
made through any process on the store reaches every client within about a second.

Events (each `data:` is one JSON object):

- `metrics` — the current month's numbers (`leadpact metrics --json` for the month containing now, in the
  pact's zone): `{"period": "2026-03", "as_of": ISO, "full": bool, "changed": {key: value, ...}}`. A client's
  first `metrics` event is the whole document (`full: true`); later ones carry only the top-level keys whose
  values changed. Sent when the month's day marks change (a write that changes a row a metric reads), when a
  clock alert is recorded, or when the month turns.
- `clock` — clocks and handoffs may have changed: `{"as_of", "leads": [lead ids with new events],
  "alerts": [{"lead_id", "handoff", "kind", "level", "at", "due_at", "recorded_at"}], "assignments":
  [{"lead_id", "handoff", "rep", "team", "kind", "at"}], "violations_recorded": bool, "more": bool}`
  (each list at most 200; `more`: a list was cut, read `/api/clocks` again).
- `pact` — another pact version came into force: `{"version", "in_force_from"}`.
- `escalation` — an escalation opened or was resolved: `{"as_of", "opened": [escalations as `leadpact
  escalations --json` lists them], "unresolved": n, "resolved_since": n}`.

A comment line (`: keep-alive`) goes out every `KEEPALIVE` seconds; a client that goes away is dropped, and
so is one that falls `QUEUE_SIZE` messages behind (it reconnects and starts again with a full `metrics`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from leadpact.domain.periods import period_containing
from leadpact.domain.timeutil import iso_utc, iso_utc_or_none
from leadpact.jsondoc import dumps
from leadpact.services.changes import Look, clock_news, escalation_news, look
from leadpact.services.metrics import metrics
from leadpact.web.deps import WorkspaceHolder

log = logging.getLogger("leadpact.web.stream")

POLL_EVERY = 0.5
METRICS_EVERY = 1.0  # at most one metrics computation a second, however busy the store
KEEPALIVE = 15.0
QUEUE_SIZE = 256


@dataclass(eq=False)
class Subscriber:
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False

    def offer(self, message: str | None) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped = True


def message(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {dumps(data)}\n\n"


class ChangeFeed:
    def __init__(self, holder: WorkspaceHolder, *, poll_every: float = POLL_EVERY) -> None:
        self._holder = holder
        self._poll_every = poll_every
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._last: Look | None = None
        self._doc: dict[str, Any] | None = None  # the newest metrics document sent
        self._metrics_at = 0.0
        self._metrics_due = False
        self._closed = False

    def subscribe(self) -> Subscriber:
        sub = Subscriber()
        if self._closed:
            sub.offer(None)
            return sub
        self._subscribers.add(sub)
        if self._task is None or self._task.done():
            self._last, self._doc = None, None  # nobody listened meanwhile: start again from a full look
            self._task = asyncio.create_task(self._run(), name="leadpact-change-feed")
        elif self._doc is not None:  # else the poll under way sends everyone the whole document
            sub.offer(message("metrics", _metrics_message(self._doc, self._doc, full=True)))
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)

    def close_all(self) -> None:
        """Server shutdown: every stream ends (called from the event loop's thread)."""
        self._closed = True
        for sub in list(self._subscribers):
            sub.offer(None)
        self._subscribers.clear()

    async def stop(self) -> None:
        self.close_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while self._subscribers and not self._closed:
            started = time.monotonic()
            try:
                await self._poll()
            except Exception:  # the store went away for a moment: say so once a poll, keep going
                log.exception("the change feed could not read the store")
            await asyncio.sleep(max(0.05, self._poll_every - (time.monotonic() - started)))

    async def _poll(self) -> None:
        now = datetime.now(UTC)
        ws = self._holder.current(now)
        month = period_containing("month", now, ws.pact.timezone)
        seen = await run_in_threadpool(look, ws.engine, month)
        before, self._last = self._last, seen
        if before is not None and seen.versions != before.versions:
            since = ws.in_force.effective_at
            self._broadcast(
                "pact",
                {"version": ws.pact.version, "in_force_from": iso_utc_or_none(since)},
            )
        if before is not None and seen.clocks_changed(before):
            news = await run_in_threadpool(clock_news, ws.engine, before, seen, now)
            self._broadcast("clock", news)
        if before is not None and seen.escalations_changed(before):
            news = await run_in_threadpool(escalation_news, ws.engine, before, seen, now)
            self._broadcast("escalation", news)
        if seen.metrics_changed(before):
            self._metrics_due = True
        if self._metrics_due and time.monotonic() - self._metrics_at >= METRICS_EVERY:
            self._metrics_due = False
            self._metrics_at = time.monotonic()
            doc = await run_in_threadpool(
                lambda: metrics(ws.engine, ws.pact, ws.rules, month.label, as_of=now)
            )
            self._send_metrics(doc)

    def _send_metrics(self, doc: dict[str, Any]) -> None:
        previous, self._doc = self._doc, doc
        if previous is None or previous.get("period") != doc.get("period"):
            self._broadcast("metrics", _metrics_message(doc, doc, full=True))
            return
        changed = {k: v for k, v in doc.items() if k != "as_of" and previous.get(k) != v}
        if changed:
            self._broadcast("metrics", _metrics_message(doc, changed, full=False))

    def _broadcast(self, event: str, data: dict[str, Any]) -> None:
        text = message(event, data)
        for sub in list(self._subscribers):
            sub.offer(text)
            if sub.dropped:
                self._subscribers.discard(sub)


def _metrics_message(doc: dict[str, Any], changed: dict[str, Any], *, full: bool) -> dict[str, Any]:
    return {"period": doc.get("period"), "as_of": doc.get("as_of"), "full": full, "changed": changed}


async def event_stream(feed: ChangeFeed) -> AsyncIterator[str]:
    """One client's stream: its messages, keep-alive comments, and an end when it goes away (the server
    cancels this generator) or falls too far behind."""
    sub = feed.subscribe()
    try:
        yield f"retry: 2000\n: connected {json.dumps(iso_utc(datetime.now(UTC)))}\n\n"
        while not sub.dropped:
            try:
                text = await asyncio.wait_for(sub.queue.get(), timeout=KEEPALIVE)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if text is None:
                return
            yield text
    finally:
        feed.unsubscribe(sub)
