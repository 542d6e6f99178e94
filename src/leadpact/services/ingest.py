"""Ingest one call of events: validate, stage, de-duplicate, replay each touched lead, store.

One call is applied as a whole in (at, type rank, id) order (DESIGN.md §2). The call is staged in a
temporary table and read back lead by lead, so memory stays flat whatever its size; each batch of leads is
replayed from its whole stored timeline plus its new events, and its events and projections are written
in one transaction (the whole call is one transaction with `atomic`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from leadpact.domain.clocks import clocks_for, next_alert_at
from leadpact.domain.duplicates import PeopleIndex, Person, duplicate_flag
from leadpact.domain.events import EventError, Vocabulary, canonical_data, content_hash, parse_event
from leadpact.domain.packet import handoff_packet
from leadpact.domain.projection import Handoff, Projection, replay
from leadpact.domain.routing import RoutingRules
from leadpact.domain.rules import Rules, Versions
from leadpact.importers.readers import Unreadable
from leadpact.services.routing import assign_handoffs
from leadpact.store import clocks as store_clocks
from leadpact.store import events as store_events
from leadpact.store import leads as store_leads
from leadpact.store import packs as store_packs
from leadpact.store.types import from_us, to_us

STORED, DUPLICATE, WAITING, REFUSED = "stored", "duplicate", "waiting", "refused"
STAGE_BATCH = 5000
LEAD_BATCH = 2000
ANALYZE_EVERY = 20_000  # leads applied between statistics refreshes on PostgreSQL


@dataclass
class Result:
    line: int
    id: str | None
    status: str
    field: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "id": self.id, "status": self.status}
        if self.field is not None:
            out["field"] = self.field
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@dataclass
class IngestReport:
    results: list[Result] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=lambda: {STORED: 0, DUPLICATE: 0, WAITING: 0, REFUSED: 0})
    rolled_back: bool = False
    leads_touched: int = 0

    def add(self, result: Result) -> None:
        self.results.append(result)
        self.summary[result.status] += 1

    @property
    def refused(self) -> int:
        return self.summary[REFUSED]

    def to_json(self) -> dict[str, Any]:
        results = sorted(self.results, key=lambda r: r.line)
        out: dict[str, Any] = {"results": [r.to_json() for r in results], "summary": dict(self.summary)}
        if self.rolled_back:
            out["rolled_back"] = True
        return out


Progress = Callable[[str, int], None]


def _stage(
    conn: Connection,
    lines: Iterable[tuple[int, Any]],
    vocab: Vocabulary,
    report: IngestReport,
    progress: Progress | None,
    now: datetime,
) -> int:
    staged = 0
    batch: list[tuple[Any, ...]] = []
    for line, raw in lines:
        if progress is not None:
            progress("read", 1)
        if isinstance(raw, Unreadable):
            report.add(Result(line, None, REFUSED, raw.field, raw.reason))
            continue
        try:
            event = parse_event(raw, vocab, now=now)
        except EventError as exc:
            report.add(Result(line, exc.event_id, REFUSED, exc.field, exc.reason))
            continue
        text = canonical_data(event)
        batch.append(store_events.stage_row(line, event, text, content_hash(event, text)))
        if len(batch) >= STAGE_BATCH:
            store_events.stage_rows(conn, batch)
            staged += len(batch)
            batch = []
    store_events.stage_rows(conn, batch)
    return staged + len(batch)


def _deduplicate(conn: Connection, report: IngestReport) -> None:
    """Same id twice in the call or already stored: same content is a duplicate, other content a conflict."""
    drop: list[int] = []
    first: dict[str, str] = {}
    for line, event_id, digest in store_events.stage_repeated_ids(conn):
        if event_id not in first:
            first[event_id] = digest
            continue
        drop.append(line)
        report.add(_repeat(line, event_id, digest == first[event_id], "appears earlier in this call"))
    store_events.unstage_lines(conn, drop)
    drop = []
    for line, event_id, staged_hash, stored_hash in store_events.stage_known_ids(conn):
        drop.append(line)
        report.add(_repeat(line, event_id, staged_hash == stored_hash, "is already stored"))
    store_events.unstage_lines(conn, drop)


def _repeat(line: int, event_id: str, same: bool, where: str) -> Result:
    """An id seen before: a duplicate when its content is the same, else a conflict."""
    if same:
        return Result(line, event_id, DUPLICATE)
    return Result(line, event_id, REFUSED, "id", f"conflict: id {event_id!r} {where} with other content")


def _apply_batch(
    conn: Connection,
    lead_ids: list[str],
    versions: Versions,
    report: IngestReport,
    received_us: int,
    on_projection: Callable[[Connection, Projection], None] | None,
    routing: RoutingRules | None = None,
    roster: Any | None = None,
) -> None:
    rules = versions.latest
    staged = store_events.staged_for(conn, lead_ids)
    stored = store_events.stored_for(conn, lead_ids)
    erased = store_leads.erased_among(conn, lead_ids)
    recorded = store_clocks.recorded_levels(conn, lead_ids)
    clock_rows: list[dict[str, Any]] = []
    event_rows: list[tuple[Any, ...]] = []
    lead_rows: list[dict[str, Any]] = []
    handoff_rows: list[dict[str, Any]] = []
    replaced: list[str] = []
    projections: list[Projection] = []
    activity_since: dict[str, int] = {}  # lead -> earliest new or withdrawn activity (µs), for the packs
    for lead_id in lead_ids:
        new = staged.get(lead_id, [])
        if lead_id in erased:
            for item in new:
                report.add(
                    Result(
                        item.line,
                        item.event.id,
                        REFUSED,
                        "lead_id",
                        f"lead {lead_id} was erased on {erased[lead_id].date().isoformat()}",
                    )
                )
            continue
        new_ids = frozenset(item.event.id for item in new)
        projection = replay(
            lead_id, [*stored.get(lead_id, []), *(item.event for item in new)], versions, new_ids=new_ids
        )
        for item in new:
            refusal = projection.refused.get(item.event.id)
            if refusal is not None:
                report.add(Result(item.line, item.event.id, REFUSED, refusal[0], refusal[1]))
                continue
            event_rows.append(store_events.event_row(item, received_us))
            if item.event.type in ("activity", "retract"):
                at = 0 if item.event.type == "retract" else to_us(item.event.at)
                activity_since[lead_id] = min(at, activity_since.get(lead_id, at))
            if projection.exists:
                report.summary[STORED] += 1
            else:
                report.add(
                    Result(
                        item.line, item.event.id, WAITING, None, f"waits for the lead.created of {lead_id}"
                    )
                )
        if projection.exists:
            projections.append(projection)
    _flag_duplicates(conn, projections)
    if routing is not None:
        assign_handoffs(conn, routing, projections, from_us(received_us), roster)
    for projection in projections:
        lead_id = projection.lead_id
        replaced.append(lead_id)
        lead_rows.append(store_leads.lead_row(projection))
        first_activity = min((a.at for a in projection.activities), default=None)
        first_touch = min((t.at for t in projection.touches if not t.automated), default=None)
        for handoff in projection.handoffs:
            in_force = versions.at(
                handoff.start_at
            )  # a handoff keeps the clocks of the pact it was made under
            handoff_rows.append(
                store_leads.handoff_row(
                    lead_id,
                    handoff,
                    handoff_packet(projection, handoff, rules),
                    first_activity_at=first_activity,
                    first_touch_at=first_touch,
                    team=rules.team_of(handoff.owner),
                )
            )
            clock_rows.extend(_clock_rows(lead_id, handoff, in_force, recorded))
        if on_projection is not None:
            on_projection(conn, projection)
    store_events.insert_events(conn, event_rows)
    old_handoffs = store_leads.replace_projections(conn, replaced, lead_rows, handoff_rows)
    old_clocks = store_clocks.replace_clocks(conn, replaced, clock_rows)
    changes = store_packs.changed_days(old_handoffs, handoff_rows, old_clocks, clock_rows, activity_since)
    store_packs.bump(conn, changes, from_us(received_us))
    report.leads_touched += len(replaced)


def _flag_duplicates(conn: Connection, projections: list[Projection]) -> None:
    """Flag each lead that duplicates an earlier one (same email, or same person at the same account)."""
    people = {
        p.lead_id: Person.of(p.lead_id, p.created_at, p.fields)
        for p in projections
        if p.created_at is not None
    }
    if not people:
        return
    stored = store_leads.people_matching(
        conn,
        [x.email for x in people.values() if x.email],
        [x.account_id for x in people.values() if x.account_id],
    )
    everyone = PeopleIndex({**{x.lead_id: x for x in stored}, **people}.values())
    by_id = {p.lead_id: p for p in projections}
    for person in people.values():
        original = everyone.duplicate_of(person)
        if original is not None:
            flags = by_id[person.lead_id].flags
            if duplicate_flag(original) not in flags:
                flags.append(duplicate_flag(original))
    newcomers = PeopleIndex(people.values())
    for other in stored:  # an older lead arriving after its duplicate: flag the newer
        if other.lead_id in people:
            continue
        original = newcomers.duplicate_of(other)
        if original is not None:
            store_leads.add_lead_flag(conn, other.lead_id, duplicate_flag(original))


def _clock_rows(
    lead_id: str, handoff: Handoff, rules: Rules, recorded: dict[store_clocks.ClockKey, set[str]]
) -> list[dict[str, Any]]:
    team = rules.team_of(handoff.owner)
    rows = []
    for clock in clocks_for(handoff, rules.segment(handoff.segment), rules.calendar(team)):
        done = recorded.get((lead_id, clock.handoff, clock.kind), set())
        rows.append(
            store_clocks.clock_row(
                lead_id,
                clock,
                next_alert_at(clock, done),
                owner=handoff.owner,
                team=team,
                tier=handoff.tier,
                segment=handoff.segment,
            )
        )
    return rows


def ingest(
    engine: Engine,
    rules: Rules | Versions,
    vocab: Vocabulary,
    lines: Iterable[tuple[int, Any]],
    *,
    now: datetime,
    atomic: bool = False,
    progress: Progress | None = None,
    on_projection: Callable[[Connection, Projection], None] | None = None,
    routing: RoutingRules | None = None,
    roster: Any | None = None,
) -> IngestReport:
    """Store the good events of one call once; report every one that was not simply stored.

    With `atomic`, a single refusal rolls the whole call back and nothing is stored. Given pact `Versions`,
    each event is judged by the pact in force at its instant.
    """
    versions = rules if isinstance(rules, Versions) else Versions.single(rules)
    report = IngestReport()
    received_us = to_us(now)
    with engine.connect() as conn:
        store_events.create_stage(conn)
        try:
            _stage(conn, lines, vocab, report, progress, now)
            store_events.index_stage(conn)
            _deduplicate(conn, report)
            if not atomic:
                conn.commit()
            since_analyze = 0
            for lead_ids in store_events.stage_lead_batches(conn, LEAD_BATCH):
                since_analyze += len(lead_ids)
                if since_analyze >= ANALYZE_EVERY:
                    store_events.analyze_growing(conn)  # keep plans right as the tables grow in one call
                    since_analyze = 0
                _apply_batch(conn, lead_ids, versions, report, received_us, on_projection, routing, roster)
                if not atomic:
                    conn.commit()
                if progress is not None:
                    progress("leads", len(lead_ids))
            if atomic and report.refused:
                conn.rollback()
                report.rolled_back = True
                report.summary[STORED] = 0
                report.summary[WAITING] = 0
                report.results = [r for r in report.results if r.status != WAITING]
            else:
                conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            store_events.drop_stage(conn)
            conn.commit()
    return report


def vocabulary(pact: Any) -> Vocabulary:
    return Vocabulary(
        activity_kinds=frozenset(pact.activity_kinds),
        sources=frozenset(pact.sources),
        reasons=frozenset(pact.reasons),
        future_tolerance=pact.ingest.future_tolerance.as_timedelta(),
    )


def reproject(
    engine: Engine,
    versions: Versions,
    lead_ids: list[str],
    *,
    now: datetime,
    routing: RoutingRules | None = None,
) -> int:
    """Replay stored leads again (no new events) and write their projections and clocks; returns how many."""
    report = IngestReport()
    with engine.connect() as conn:
        store_events.create_stage(conn)
        conn.commit()
        try:
            for part in store_events.chunks(sorted(lead_ids), LEAD_BATCH):
                _apply_batch(conn, list(part), versions, report, to_us(now), None, routing)
                conn.commit()
        finally:
            store_events.drop_stage(conn)
            conn.commit()
    return report.leads_touched
