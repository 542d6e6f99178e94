"""Queries on the event log and the per-call staging table. Flush, never commit: callers own transactions."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, text

from leadpact.domain.events import TYPE_RANK, Event

if TYPE_CHECKING:
    from leadpact.store.unit import Unit
from leadpact.domain.timeutil import from_us, to_us
from leadpact.store.tables import events

STAGE = "ingest_stage"
_CHUNK = 900  # stays under SQLite's bound-parameter limit with room to spare


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def create_stage(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {STAGE}"))
    conn.execute(
        text(
            f"CREATE TEMPORARY TABLE {STAGE} (line BIGINT NOT NULL, id VARCHAR(200) NOT NULL, "
            "lead_id VARCHAR(200) NOT NULL, type VARCHAR(16) NOT NULL, rank SMALLINT NOT NULL, "
            "at BIGINT NOT NULL, "
            "data TEXT NOT NULL, hash VARCHAR(32) NOT NULL, history BOOLEAN NOT NULL)"
        )
    )


def drop_stage(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {STAGE}"))


def bulk_insert(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    skip_existing: str | None = None,
) -> int:
    """executemany straight on the driver (no per-row statement compilation), in the caller's transaction;
    how many rows went in. `skip_existing` names a unique column: rows whose key exists are skipped."""
    if not rows:
        return 0
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    if skip_existing is not None:
        sql += f" ON CONFLICT ({skip_existing}) DO NOTHING"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
        return len(rows) if skip_existing is None else int(cursor.rowcount)
    finally:
        cursor.close()


def bulk_insert_dicts(conn: Connection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """`bulk_insert` for rows given as dicts of plain values (instants already integer microseconds)."""
    if rows:
        columns = list(rows[0])
        bulk_insert(conn, table, columns, [tuple(row[c] for c in columns) for row in rows])


STAGE_COLUMNS = ("line", "id", "lead_id", "type", "rank", "at", "data", "hash", "history")
EVENT_COLUMNS = ("id", "lead_id", "type", "rank", "at", "data", "hash", "received_at", "history")


def stage_rows(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Rows in STAGE_COLUMNS order."""
    bulk_insert(conn, STAGE, STAGE_COLUMNS, rows)


SMALL_STAGE = 1000  # rows a scan of the unindexed stage reads faster than indexes are built and analysed


def index_stage(conn: Connection, rows: int) -> None:
    """Index the stage of a call of `rows` rows (and, on PostgreSQL, analyse it); a small stage (a posted
    event, a webhook's batch) is left as it is: scanning it costs less than the DDL's round trips."""
    if rows < SMALL_STAGE:
        return
    conn.execute(text(f"CREATE INDEX ix_{STAGE}_lead ON {STAGE} (lead_id)"))
    conn.execute(text(f"CREATE INDEX ix_{STAGE}_id ON {STAGE} (id)"))
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"ANALYZE {STAGE}"))  # temp tables are never auto-analysed: plan with real sizes


def analyze_growing(conn: Connection) -> None:
    """PostgreSQL plans by table statistics; a long call grows the tables faster than autovacuum refreshes
    them, and a stale "small table" estimate turns index lookups into scans. SQLite needs nothing."""
    if conn.dialect.name == "postgresql":
        for table in ("events", "leads", "handoffs", "clocks", "assignments"):
            conn.execute(text(f"ANALYZE {table}"))


def stage_repeated_ids(conn: Connection) -> list[tuple[int, str, str]]:
    """(line, id, hash) of every staged row whose id occurs more than once in the call, in event order."""
    result = conn.execute(
        text(
            f"SELECT s.line, s.id, s.hash FROM {STAGE} s JOIN (SELECT id FROM {STAGE} GROUP BY id "
            "HAVING COUNT(*) > 1) d ON d.id = s.id ORDER BY s.id, s.at, s.rank, s.line"
        )
    )
    return [(int(r[0]), str(r[1]), str(r[2])) for r in result]


def stage_known_ids(conn: Connection, lead_ids: Sequence[str]) -> list[tuple[int, str, str, str]]:
    """(line, id, staged hash, stored hash) for the staged events of these leads whose id the event log
    already holds."""
    out: list[tuple[int, str, str, str]] = []
    for part in chunks(lead_ids):
        clause, params = _in_clause(conn, part)
        result = conn.execute(
            text(
                f"SELECT s.line, s.id, s.hash, e.hash FROM {STAGE} s JOIN events e ON e.id = s.id "
                f"WHERE s.lead_id IN ({clause}) ORDER BY s.line"
            ),
            params,
        )
        out.extend((int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in result)
    return out


def unstage_lines(conn: Connection, lines: Iterable[int]) -> None:
    for part in chunks(sorted(set(lines))):
        conn.execute(text(f"DELETE FROM {STAGE} WHERE line IN ({','.join(str(int(x)) for x in part)})"))


def stage_lead_batches(conn: Connection, size: int) -> Iterator[list[str]]:
    """The staged lead ids in batches, by keyset so nothing but one batch is ever held."""
    last = ""
    while True:
        batch = [
            str(r[0])
            for r in conn.execute(
                text(f"SELECT DISTINCT lead_id FROM {STAGE} WHERE lead_id > :last ORDER BY lead_id LIMIT :n"),
                {"last": last, "n": size},
            )
        ]
        if not batch:
            return
        yield batch
        last = batch[-1]


def _in_clause(conn: Connection, ids: Sequence[str]) -> tuple[str, dict[str, str]]:
    names = {f"p{i}": value for i, value in enumerate(ids)}
    return ",".join(f":{name}" for name in names), names


@dataclass(frozen=True, slots=True)
class Staged:
    line: int
    event: Event
    data_text: str  # the canonical JSON of event.data, stored as it is
    digest: str


def staged_for(conn: Connection, lead_ids: Sequence[str]) -> dict[str, list[Staged]]:
    out: dict[str, list[Staged]] = defaultdict(list)
    for part in chunks(lead_ids):
        clause, params = _in_clause(conn, part)
        rows = conn.execute(
            text(
                f"SELECT line, id, lead_id, type, at, data, hash, history FROM {STAGE} "
                f"WHERE lead_id IN ({clause})"
            ),
            params,
        )
        for line, event_id, lead_id, kind, at, data, digest, history in rows:
            event = Event(event_id, kind, lead_id, from_us(int(at)), json.loads(data), bool(history))
            out[lead_id].append(Staged(int(line), event, data, str(digest)))
    return out


def stored_for(
    conn: Connection, lead_ids: Sequence[str], types: Sequence[str] | None = None
) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    known = [t for t in (types or ()) if t in TYPE_RANK]  # event types are code constants, checked here
    only = f" AND type IN ({', '.join(repr(t) for t in known)})" if known else ""
    for part in chunks(lead_ids):
        clause, params = _in_clause(conn, part)
        rows = conn.execute(
            text(
                f"SELECT id, lead_id, type, at, data, history FROM events WHERE lead_id IN ({clause}){only}"
            ),
            params,
        )
        for event_id, lead_id, kind, at, data, history in rows:
            event = Event(event_id, kind, lead_id, from_us(int(at)), json.loads(data), bool(history))
            out[lead_id].append(event)
    return out


def stage_row(line: int, event: Event, text_: str, digest: str) -> tuple[Any, ...]:
    return (
        line,
        event.id,
        event.lead_id,
        event.type,
        TYPE_RANK[event.type],
        to_us(event.at),
        text_,
        digest,
        event.history,
    )


def event_row(staged: Staged, received_us: int) -> tuple[Any, ...]:
    e = staged.event
    return (
        e.id,
        e.lead_id,
        e.type,
        TYPE_RANK[e.type],
        to_us(e.at),
        staged.data_text,
        staged.digest,
        received_us,
        e.history,
    )


def insert_new_events(unit: Unit, rows: list[tuple[Any, ...]]) -> int:
    """Rows in EVENT_COLUMNS order, in the unit's transaction (which learns of the activities and retracts
    among them); an id already stored (by another process meanwhile) is skipped. How many went in."""
    for row in rows:
        kind = row[2]
        if kind in ("activity", "retract"):  # a retract may withdraw any of the lead's activities
            unit.activities_changed(row[1], 0 if kind == "retract" else int(row[4]))
    return bulk_insert(unit.conn, "events", EVENT_COLUMNS, rows, skip_existing="id")


def lead_events(conn: Connection, lead_id: str) -> list[Event]:
    return stored_for(conn, [lead_id]).get(lead_id, [])


def types_of(conn: Connection, event_ids: Sequence[str]) -> dict[str, str]:
    """The type of each of these stored events (ids the store does not hold are left out)."""
    out: dict[str, str] = {}
    for part in chunks(sorted(set(event_ids))):
        query = select(events.c.id, events.c.type).where(events.c.id.in_(list(part)))
        out.update({row.id: row.type for row in conn.execute(query)})
    return out


def scrub_lead_events(conn: Connection, lead_id: str, personal: frozenset[str]) -> int:
    """Erasure: remove personal fields from a lead's events, keeping the facts (ids, types, times)."""
    rows = conn.execute(select(events.c.seq, events.c.data).where(events.c.lead_id == lead_id)).all()
    for seq, data in rows:
        payload = json.loads(data)
        scrubbed = {k: ("[erased]" if k in personal and v is not None else v) for k, v in payload.items()}
        conn.execute(events.update().where(events.c.seq == seq).values(data=json.dumps(scrubbed)))
    return len(rows)


def activity_columns(
    conn: Connection, first: str, last: str, fields: Sequence[str] = ("kind", "asset", "campaign", "channel")
) -> list[tuple[Any, ...]]:
    """(lead_id, at µs, *fields) of the activities of leads in [first, last], the fields read by the database
    (no JSON parsing in Python): the rescore's input. Ask only for the fields the rules filter on."""
    postgres = conn.dialect.name == "postgresql"
    field = "(data::json ->> '{0}')" if postgres else "json_extract(data, '$.{0}')"
    columns = ", ".join(field.format(name) for name in fields if name.isidentifier())
    mark = "%s" if postgres else "?"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            f"SELECT lead_id, at, {columns} FROM events WHERE lead_id >= {mark} AND lead_id <= {mark} "
            "AND type = 'activity'",
            (first, last),
        )
        return list(cursor.fetchall())
    finally:
        cursor.close()


def events_page(conn: Connection, *, after_seq: int, until_us: int, limit: int) -> list[tuple[Any, ...]]:
    """(seq, id, type, lead_id, at µs, data text, history) of stored events stamped at or before `until_us`,
    by sequence after `after_seq`: the event log read a page at a time (a replay or an export copies it)."""
    query = (
        select(
            events.c.seq,
            events.c.id,
            events.c.type,
            events.c.lead_id,
            events.c.at,
            events.c.data,
            events.c.history,
        )
        .where(events.c.seq > after_seq, events.c.at <= from_us(until_us))
        .order_by(events.c.seq)
        .limit(limit)
    )
    return [(int(r[0]), r[1], r[2], r[3], to_us(r[4]), r[5], bool(r[6])) for r in conn.execute(query)]
