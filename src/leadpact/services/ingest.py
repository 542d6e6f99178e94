"""Ingest one call of events: validate, stage, de-duplicate, replay each touched lead, store.

One call is applied as a whole in (at, type rank, id) order (DESIGN.md §2). The call is staged in a
temporary table and read back lead by lead, so memory stays flat whatever its size; each batch of leads is
replayed from its whole stored timeline plus its new events (`services.project`), and its events and
projections are written in one transaction (the whole call is one transaction with `atomic`).

Any number of calls may run at once on one store (`store.txn`): each batch locks its leads before it reads
them, checks its events against the store again under that lock, and is run again when it collides with
another writer, so every call ends with its own summary and every event is stored once. A call cut off by
a lost connection raises `IngestInterrupted` with what it had stored: running it again completes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from leadpact.domain.events import Event, EventError, Vocabulary, canonical_data, content_hash, parse_event
from leadpact.domain.routing import RoutingRules
from leadpact.domain.rules import Rules, Versions
from leadpact.domain.timeutil import from_us, to_us
from leadpact.importers.text import Unreadable
from leadpact.pact import Pact
from leadpact.roster import Roster
from leadpact.services.project import (
    DUPLICATE,
    REFUSED,
    STORED,
    WAITING,
    Outcome,
    Result,
    Setup,
    project_leads,
)
from leadpact.store import events as store_events
from leadpact.store import txn
from leadpact.store.unit import Unit, write

__all__ = [
    "DUPLICATE",
    "REFUSED",
    "STORED",
    "WAITING",
    "IngestInterrupted",
    "IngestReport",
    "Result",
    "ingest",
    "reproject",
    "vocabulary",
]

STAGE_BATCH = 5000
LEAD_BATCH = 2000
ANALYZE_EVERY = 20_000  # leads applied between statistics refreshes on PostgreSQL


@dataclass
class IngestReport:
    results: list[Result] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=lambda: {STORED: 0, DUPLICATE: 0, WAITING: 0, REFUSED: 0})
    rolled_back: bool = False
    leads_touched: int = 0

    def add(self, result: Result) -> None:
        self.results.append(result)
        self.summary[result.status] += 1

    def merge(self, outcome: Outcome) -> None:
        for result in outcome.results:
            self.add(result)
        self.summary[STORED] += outcome.stored
        self.leads_touched += outcome.leads

    @property
    def refused(self) -> int:
        return self.summary[REFUSED]

    def to_json(self) -> dict[str, Any]:
        results = sorted(self.results, key=lambda r: r.line)
        out: dict[str, Any] = {"results": [r.to_json() for r in results], "summary": dict(self.summary)}
        if self.rolled_back:
            out["rolled_back"] = True
        return out


class IngestInterrupted(Exception):
    """The store went away mid-call; `report` holds what was stored before (re-running completes it)."""

    def __init__(self, report: IngestReport, cause: BaseException) -> None:
        super().__init__(str(cause).splitlines()[0] if str(cause) else type(cause).__name__)
        self.report = report


Progress = Callable[[str, int], None]


def vocabulary(pact: Pact) -> Vocabulary:
    return Vocabulary(
        activity_kinds=frozenset(pact.activity_kinds),
        sources=frozenset(pact.sources),
        reasons=frozenset(pact.reasons),
        future_tolerance=pact.ingest.future_tolerance.as_timedelta(),
    )


def _stage(
    conn: Connection,
    lines: Iterable[tuple[int, Any]],
    vocab: Vocabulary,
    report: IngestReport,
    progress: Progress | None,
    now: datetime,
) -> int:
    """Parse and stage the call's lines; returns how many were staged."""
    batch: list[tuple[Any, ...]] = []
    staged = 0
    for line, raw in lines:
        if progress is not None:
            progress("read", 1)
        if isinstance(raw, Unreadable):
            report.add(Result(line, None, REFUSED, raw.field, raw.reason))
            continue
        try:  # an Event is already parsed (by `leadpact import`, which judges a row by its events)
            event = raw if isinstance(raw, Event) else parse_event(raw, vocab, now=now)
        except EventError as exc:
            report.add(Result(line, exc.event_id, REFUSED, exc.field, exc.reason))
            continue
        text = canonical_data(event)
        batch.append(store_events.stage_row(line, event, text, content_hash(event, text)))
        staged += 1
        if len(batch) >= STAGE_BATCH:
            store_events.stage_rows(conn, batch)
            batch = []
    store_events.stage_rows(conn, batch)
    return staged


def _repeat(line: int, event_id: str, same: bool, where: str) -> Result:
    """An id seen before: a duplicate when its content is the same, else a conflict."""
    if same:
        return Result(line, event_id, DUPLICATE)
    return Result(line, event_id, REFUSED, "id", f"conflict: id {event_id!r} {where} with other content")


def _drop_repeats_in_call(conn: Connection, report: IngestReport) -> None:
    """The same id twice in the call: the first (in event order) stays, the others are repeats."""
    drop: list[int] = []
    first: dict[str, str] = {}
    for line, event_id, digest in store_events.stage_repeated_ids(conn):
        if event_id not in first:
            first[event_id] = digest
            continue
        drop.append(line)
        report.add(_repeat(line, event_id, digest == first[event_id], "appears earlier in this call"))
    store_events.unstage_lines(conn, drop)


def _drop_known(conn: Connection, lead_ids: Sequence[str], out: Outcome) -> None:
    """Staged events of these leads whose id the store holds (checked under the leads' lock)."""
    drop: list[int] = []
    for line, event_id, staged_hash, stored_hash in store_events.stage_known_ids(conn, lead_ids):
        drop.append(line)
        out.add(_repeat(line, event_id, staged_hash == stored_hash, "is already stored"))
    store_events.unstage_lines(conn, drop)


def _batch(unit: Unit, lead_ids: list[str], setup: Setup, received_us: int) -> Outcome:
    """One batch of leads inside the unit's write transaction."""
    conn = unit.conn
    txn.lock_leads(conn, lead_ids)
    out = Outcome()
    _drop_known(conn, lead_ids, out)
    staged = store_events.staged_for(conn, lead_ids)
    done = project_leads(unit, lead_ids, staged, setup, received_us)
    out.results.extend(done.results)
    out.stored, out.leads = done.stored, done.leads
    return out


def ingest(
    engine: Engine,
    rules: Rules | Versions,
    vocab: Vocabulary,
    lines: Iterable[tuple[int, Any]],
    *,
    now: datetime,
    atomic: bool = False,
    progress: Progress | None = None,
    routing: RoutingRules | None = None,
    roster: Roster | None = None,
) -> IngestReport:
    """Store the good events of one call once; report every one that was not simply stored.

    With `atomic`, a single refusal rolls the whole call back and nothing is stored. Given pact `Versions`,
    each event is judged by the pact in force at its instant. With `routing`, every handoff made is routed
    in its batch's transaction."""
    setup = Setup(rules if isinstance(rules, Versions) else Versions.single(rules), routing, roster)
    report = IngestReport()
    received_us = to_us(now)
    with engine.connect() as conn:
        try:
            store_events.create_stage(conn)
            store_events.index_stage(conn, _stage(conn, lines, vocab, report, progress, now))
            _drop_repeats_in_call(conn, report)
            conn.commit()  # the stage is this connection's own: nothing is visible to anyone yet
            if atomic:
                _apply_atomic(conn, setup, received_us, report, progress)
            else:
                _apply_batches(conn, setup, received_us, report, progress)
        except DBAPIError as exc:
            if not txn.lost_connection(exc):
                raise
            raise IngestInterrupted(report, exc) from exc
        finally:
            _drop_stage(conn)
    return report


def _apply_batches(
    conn: Connection, setup: Setup, received_us: int, report: IngestReport, progress: Progress | None
) -> None:
    since_analyze = 0
    for lead_ids in store_events.stage_lead_batches(conn, LEAD_BATCH):
        since_analyze += len(lead_ids)
        if since_analyze >= ANALYZE_EVERY:
            store_events.analyze_growing(conn)  # keep plans right as the tables grow in one call
            conn.commit()
            since_analyze = 0
        report.merge(
            write(
                conn,
                from_us(received_us),
                partial(_batch, lead_ids=lead_ids, setup=setup, received_us=received_us),
            )
        )
        if progress is not None:
            progress("leads", len(lead_ids))


def _apply_atomic(
    conn: Connection, setup: Setup, received_us: int, report: IngestReport, progress: Progress | None
) -> None:
    """The whole call in one transaction, run again whole when it collides with another writer."""
    outcomes: list[Outcome] = []

    def work() -> None:
        outcomes.clear()
        txn.begin_write(conn)
        unit = Unit(conn, from_us(received_us))
        for lead_ids in store_events.stage_lead_batches(conn, LEAD_BATCH):
            outcomes.append(_batch(unit, lead_ids, setup, received_us))
            if progress is not None:
                progress("leads", len(lead_ids))
        if report.refused or any(r.status == REFUSED for o in outcomes for r in o.results):
            conn.rollback()
        else:
            unit.commit()

    txn.retrying(conn, work)
    for outcome in outcomes:
        report.merge(outcome)
    if report.refused:
        report.rolled_back = True
        report.summary[STORED] = 0
        report.summary[WAITING] = 0
        report.leads_touched = 0
        report.results = [r for r in report.results if r.status != WAITING]


def _drop_stage(conn: Connection) -> None:
    try:
        conn.rollback()
        store_events.drop_stage(conn)
        conn.commit()
    except DBAPIError:  # the connection is gone, and its temporary table with it
        pass


def reproject(
    engine: Engine,
    versions: Versions,
    lead_ids: list[str],
    *,
    now: datetime,
    routing: RoutingRules | None = None,
    roster: Roster | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replay stored leads again (no new events) and write their projections, clocks and routing; returns how
    many. Each batch is its own transaction, run again when it collides with another writer."""
    setup = Setup(versions, routing, roster)
    touched = 0
    with engine.connect() as conn:
        for part in store_events.chunks(sorted(set(lead_ids)), LEAD_BATCH):
            ids = list(part)

            def work(unit: Unit, ids: list[str] = ids) -> int:
                txn.lock_leads(unit.conn, ids)
                return project_leads(unit, ids, {}, setup, to_us(now)).leads

            touched += write(conn, now, work)
            if progress is not None:
                progress(len(ids))
    return touched
