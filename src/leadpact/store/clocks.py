"""Queries on clocks, their alerts and violations. Flush, never commit."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, RowMapping, and_, delete, func, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

if TYPE_CHECKING:
    from leadpact.store.unit import Unit

from leadpact.domain.clocks import Clock
from leadpact.domain.timeutil import from_us, to_us
from leadpact.store.columns import CLOCK_READ
from leadpact.store.events import bulk_insert_dicts, chunks
from leadpact.store.packs import returning
from leadpact.store.tables import clock_alerts, clocks, violations

ClockKey = tuple[str, int, str]


def insert_ignore(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> int:
    """Insert rows, skipping those whose unique key exists (SQLite and PostgreSQL); how many went in."""
    key = list(table.primary_key.columns)[0].name
    return len(insert_new(conn, table, rows, (key,)))


def recorded_levels(conn: Connection, lead_ids: Sequence[str]) -> dict[ClockKey, set[str]]:
    out: dict[ClockKey, set[str]] = defaultdict(set)
    for part in chunks(list(lead_ids)):
        rows = conn.execute(
            select(clock_alerts.c.lead_id, clock_alerts.c.n, clock_alerts.c.kind, clock_alerts.c.level).where(
                clock_alerts.c.lead_id.in_(part)
            )
        )
        for lead_id, n, kind, level in rows:
            out[(lead_id, n, kind)].add(level)
    return out


def clock_row(
    lead_id: str,
    clock: Clock,
    next_at: datetime | None,
    *,
    owner: str | None,
    team: str | None,
    tier: str | None,
    segment: str | None,
) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "n": clock.handoff,
        "kind": clock.kind,
        "started_at": to_us(clock.started_at),
        "due_at": to_us(clock.due_at),
        "business": clock.business,
        "rule": clock.rule,
        "met_at": None if clock.met_at is None else to_us(clock.met_at),
        "cancelled_at": None if clock.cancelled_at is None else to_us(clock.cancelled_at),
        "warn_times": json.dumps([[f, to_us(t)] for f, t in clock.warnings]),
        "next_at": None if next_at is None else to_us(next_at),
        "owner": owner,
        "team": team,
        "tier": tier,
        "segment": segment,
    }


def clock_from_row(row: RowMapping | dict[str, Any]) -> Clock:
    return Clock(
        handoff=row["n"],
        kind=row["kind"],
        started_at=row["started_at"],
        due_at=row["due_at"],
        business=bool(row["business"]),
        rule=row["rule"],
        met_at=row["met_at"],
        cancelled_at=row["cancelled_at"],
        warnings=tuple((float(f), from_us(int(t))) for f, t in json.loads(row["warn_times"])),
    )


def replace_clocks(unit: Unit, lead_ids: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Swap the clocks of these leads, in the unit's transaction (which learns what the metrics read of the
    old and the new clocks)."""
    old: list[RowMapping] = []
    for part in chunks(list(lead_ids)):
        query = delete(clocks).where(clocks.c.lead_id.in_(part))
        old.extend(unit.conn.execute(query.returning(*returning(clocks, CLOCK_READ))).mappings())
    bulk_insert_dicts(unit.conn, "clocks", rows)
    unit.replaced_clocks(old, rows)


def claim_due(conn: Connection, now: datetime, limit: int) -> list[RowMapping]:
    """Clocks with something to record at `now`; on PostgreSQL rows other workers hold are skipped."""
    query = (
        select(clocks)
        .where(clocks.c.next_at.is_not(None), clocks.c.next_at <= now)
        .order_by(clocks.c.next_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(conn.execute(query).mappings())


def lead_alerts(conn: Connection, lead_id: str) -> list[RowMapping]:
    return list(
        conn.execute(
            select(clock_alerts).where(clock_alerts.c.lead_id == lead_id).order_by(clock_alerts.c.at)
        ).mappings()
    )


def list_clocks(
    conn: Connection,
    *,
    rep: str | None = None,
    kind: str | None = None,
    due_from: datetime | None = None,
    due_to: datetime | None = None,
) -> list[RowMapping]:
    query = select(clocks).order_by(clocks.c.due_at, clocks.c.lead_id, clocks.c.n, clocks.c.kind)
    if rep is not None:
        query = query.where(clocks.c.owner == rep)
    if kind is not None:
        query = query.where(clocks.c.kind == kind)
    if due_from is not None:
        query = query.where(clocks.c.due_at >= due_from)
    if due_to is not None:
        query = query.where(clocks.c.due_at < due_to)
    return list(conn.execute(query).mappings())


def _status_is(status: str, now: datetime) -> Any:
    """SQL for `Clock.status(now) == status` (only what happened at or before `now` counts)."""
    c = clocks.c
    live = or_(c.cancelled_at.is_(None), c.cancelled_at > now)
    met = and_(c.met_at.is_not(None), c.met_at <= now)
    unmet = or_(c.met_at.is_(None), c.met_at > now)
    if status == "cancelled":
        return not_(live)
    if status == "met":
        return and_(live, met, c.met_at <= c.due_at)
    if status == "breached":
        return and_(live, or_(and_(met, c.met_at > c.due_at), and_(unmet, c.due_at < now)))
    if status == "open":
        return and_(live, unmet, c.due_at >= now)
    raise ValueError(f"unknown clock status {status!r}")


def breaches_by_owner(conn: Connection, *, start: datetime, now: datetime) -> dict[str | None, int]:
    """How many clocks due in [start, now) are breached at `now`, per owner (None: nobody's)."""
    c = clocks.c
    query = (
        select(c.owner, func.count())
        .where(c.due_at >= start, c.due_at < now, _status_is("breached", now))
        .group_by(c.owner)
    )
    return {owner: int(n) for owner, n in conn.execute(query)}


def unworked_breaches(conn: Connection, *, start: datetime, now: datetime, limit: int) -> list[RowMapping]:
    """Clocks due in [start, now) with nothing that met or cancelled them by `now`, the latest due first."""
    c = clocks.c
    query = (
        select(clocks)
        .where(
            c.due_at >= start,
            c.due_at < now,
            or_(c.met_at.is_(None), c.met_at > now),
            or_(c.cancelled_at.is_(None), c.cancelled_at > now),
        )
        .order_by(c.due_at.desc(), c.lead_id, c.n, c.kind)
        .limit(limit)
    )
    return list(conn.execute(query).mappings())


def clock_page(
    conn: Connection,
    *,
    now: datetime,
    status: str | None,
    rep: str | None,
    kind: str | None,
    after: tuple[int, str, int, str] | None,
    limit: int,
) -> list[RowMapping]:
    """Clocks in (due_at, lead_id, n, kind) order after the key `after` (due_at in µs), at most `limit`."""
    c = clocks.c
    query = select(clocks).order_by(c.due_at, c.lead_id, c.n, c.kind).limit(limit)
    if status is not None:
        query = query.where(_status_is(status, now))
    if rep is not None:
        query = query.where(c.owner == rep)
    if kind is not None:
        query = query.where(c.kind == kind)
    if after is not None:
        due, lead, n, k = after
        query = query.where(
            or_(
                c.due_at > due,
                and_(
                    c.due_at == due,
                    or_(c.lead_id > lead, and_(c.lead_id == lead, or_(c.n > n, and_(c.n == n, c.kind > k)))),
                ),
            )
        )
    return list(conn.execute(query).mappings())


def list_violations(
    conn: Connection, start: datetime | None = None, end: datetime | None = None
) -> list[RowMapping]:
    query = select(violations).order_by(violations.c.at)
    if start is not None:
        query = query.where(violations.c.at >= start)
    if end is not None:
        query = query.where(violations.c.at < end)
    return list(conn.execute(query).mappings())


def alerts_for(conn: Connection, keys: Sequence[ClockKey]) -> dict[ClockKey, set[str]]:
    leads = sorted({k[0] for k in keys})
    found = recorded_levels(conn, leads)
    return {k: found.get(k, set()) for k in keys}


def insert_new(
    conn: Connection, table: Any, rows: list[dict[str, Any]], returning: Sequence[str]
) -> set[tuple[Any, ...]]:
    """Insert many rows in one statement, skipping existing keys; returns the inserted rows' `returning`."""
    if not rows:
        return set()
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).on_conflict_do_nothing().returning(*(table.c[name] for name in returning))
    # executemany with RETURNING: compiled once and sent in batches ("insertmanyvalues"), where one VALUES
    # clause of every row would be compiled row by row
    return {tuple(r) for r in conn.execute(stmt, rows)}


def set_next_many(conn: Connection, updates: list[dict[str, Any]]) -> None:
    """[{"l": lead_id, "n": n, "k": kind, "x": next_at}, ...] in one executemany."""
    if updates:
        from sqlalchemy import bindparam

        conn.execute(
            update(clocks)
            .where(
                and_(
                    clocks.c.lead_id == bindparam("l"),
                    clocks.c.n == bindparam("nn"),
                    clocks.c.kind == bindparam("k"),
                )
            )
            .values(next_at=bindparam("x")),
            updates,
        )


def record_violations(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Violations not recorded yet (by their unique key); how many are new."""
    return insert_ignore(conn, violations, rows)


def record_alerts(conn: Connection, rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Clock alerts not recorded yet; the (lead_id, n, kind, level) of those this call recorded."""
    return insert_new(conn, clock_alerts, rows, ("lead_id", "n", "kind", "level"))
