"""Queries for routing: assignments, the fairness ledger, the loads routing weighs. Flush, never commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, RowMapping, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

if TYPE_CHECKING:
    from leadpact.store.unit import Unit

from leadpact.store.events import chunks
from leadpact.store.packs import owner_changes
from leadpact.store.tables import assignments, clocks, handoffs, routing_ledger
from leadpact.store.txn import lock_routing

OPEN_STAGES = ("mql", "sal", "sql", "opportunity")


def latest_assignments(conn: Connection, lead_ids: Sequence[str]) -> dict[tuple[str, int], RowMapping]:
    """The assignment in force for each handoff of these leads (the newest row)."""
    out: dict[tuple[str, int], RowMapping] = {}
    for part in chunks(list(lead_ids)):
        rows = conn.execute(
            select(assignments).where(assignments.c.lead_id.in_(part)).order_by(assignments.c.seq)
        ).mappings()
        for row in rows:
            out[(row["lead_id"], row["n"])] = row
    return out


def load_ledger(conn: Connection, *, lock: bool) -> dict[str, float]:
    """The fair-share credits; with `lock`, routing is held for this transaction (`store.txn.lock_routing`)
    so concurrent writers route one after the other."""
    if lock:
        lock_routing(conn)
    query = select(routing_ledger.c.rep, routing_ledger.c.credit)
    return {rep: float(credit) for rep, credit in conn.execute(query)}


def save_ledger(conn: Connection, before: dict[str, float], after: dict[str, float]) -> None:
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    for rep, credit in after.items():
        if rep not in before:
            stmt = dialect.insert(routing_ledger).values(rep=rep, credit=credit)
            conn.execute(stmt.on_conflict_do_update(index_elements=["rep"], set_={"credit": credit}))
        elif credit != before[rep]:
            conn.execute(update(routing_ledger).where(routing_ledger.c.rep == rep).values(credit=credit))


def assigned_between(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    rows = conn.execute(
        select(assignments.c.rep, func.count())
        .where(
            assignments.c.rep.is_not(None),
            assignments.c.at >= start,
            assignments.c.at < end,
            assignments.c.kind != "worked",
        )
        .group_by(assignments.c.rep)
    )
    return {rep: int(n) for rep, n in rows}


def open_leads(conn: Connection) -> dict[str, int]:
    """Open handoffs per owner: handed off and still waiting for the rep's disposition (the working queue the
    open-lead cap protects; an accepted lead is pipeline, no longer the rep's queue)."""
    h = handoffs.c
    rows = conn.execute(
        select(h.owner, func.count())
        .where(h.owner.is_not(None), h.kind == "mql", h.ended_at.is_(None), h.disposition_at.is_(None))
        .group_by(h.owner)
    )
    return {rep: int(n) for rep, n in rows}


def account_owner(
    conn: Connection, account_id: str | None, email_domain: str | None
) -> tuple[str, datetime] | None:
    """The owner of the account's earliest assigned lead and that lead's MQL instant (matched by account and,
    if given, email domain)."""
    keys = []
    if account_id:
        keys.append(assignments.c.account_id == account_id)
    if email_domain:
        keys.append(assignments.c.email_domain == email_domain)
    if not keys:
        return None
    row = conn.execute(
        select(assignments.c.rep, assignments.c.mql_at)
        .where(or_(*keys), assignments.c.rep.is_not(None))
        .order_by(assignments.c.mql_at, assignments.c.seq)
        .limit(1)
    ).first()
    return None if row is None else (str(row.rep), row.mql_at)


ASSIGNMENT_COLUMNS = (
    "lead_id",
    "n",
    "rep",
    "team",
    "kind",
    "rule",
    "reason",
    "skipped",
    "expected",
    "mql_at",
    "at",
    "account_id",
    "email_domain",
)


def record_assignments(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Many assignments in one driver-level executemany."""
    from leadpact.domain.timeutil import to_us
    from leadpact.store.events import bulk_insert

    values = []
    for row in rows:
        item = {
            **row,
            "skipped": json.dumps(row.get("skipped") or []),
            "expected": json.dumps(row.get("expected") or {}),
            "mql_at": to_us(row["mql_at"]),
            "at": to_us(row["at"]),
        }
        values.append(tuple(item.get(c) for c in ASSIGNMENT_COLUMNS))
    bulk_insert(conn, "assignments", ASSIGNMENT_COLUMNS, values)


def queued(conn: Connection) -> list[RowMapping]:
    """Handoffs whose newest assignment says nobody was available."""
    newest = (
        select(assignments.c.lead_id, assignments.c.n, func.max(assignments.c.seq).label("seq"))
        .group_by(assignments.c.lead_id, assignments.c.n)
        .subquery()
    )
    return list(
        conn.execute(
            select(assignments)
            .join(newest, and_(assignments.c.seq == newest.c.seq))
            .where(assignments.c.kind == "queue")
            .order_by(assignments.c.mql_at, assignments.c.lead_id, assignments.c.n)
        ).mappings()
    )


def round_robin_between(conn: Connection, start: datetime, end: datetime) -> list[RowMapping]:
    return list(
        conn.execute(
            select(assignments)
            .where(assignments.c.kind == "round_robin", assignments.c.at >= start, assignments.c.at < end)
            .order_by(assignments.c.seq)
        ).mappings()
    )


def set_handoff_owner(unit: Unit, lead_id: str, n: int, rep: str | None, team: str | None) -> None:
    """A stored handoff's owner and team, and its clocks', in the unit's transaction (which learns the days
    the metrics read them on)."""
    conn = unit.conn
    unit.days_changed(owner_changes(conn, lead_id, n))
    conn.execute(
        update(handoffs).where(handoffs.c.lead_id == lead_id, handoffs.c.n == n).values(owner=rep, team=team)
    )
    conn.execute(
        update(clocks).where(clocks.c.lead_id == lead_id, clocks.c.n == n).values(owner=rep, team=team)
    )
