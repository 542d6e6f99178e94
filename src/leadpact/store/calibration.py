"""Calibration sessions and their items; the handoffs a session samples from. Flush, never commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from leadpact.store.tables import calibration_items, calibration_sessions, handoffs, leads

#: the lead fields a calibration sheet shows, to judge the lead by
SHEET_FIELDS = ("company", "title", "job_function", "seniority", "industry", "employees", "country")


def candidates(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The MQL cycles handed off in [start, end), with what a sheet shows and what the report measures."""
    query = (
        select(
            handoffs.c.lead_id,
            handoffs.c.n,
            handoffs.c.fit,
            handoffs.c.engagement,
            handoffs.c.source,
            handoffs.c.tier,
            handoffs.c.segment,
            handoffs.c.disposition,
            handoffs.c.sql_at,
            leads.c.fields,
            handoffs.c.mql_at,
        )
        .join(leads, leads.c.lead_id == handoffs.c.lead_id)
        .where(handoffs.c.kind == "mql", handoffs.c.mql_at >= start, handoffs.c.mql_at < end)
        .order_by(handoffs.c.lead_id, handoffs.c.n)
    )
    out = []
    for r in conn.execute(query):
        fields = json.loads(r.fields)
        out.append(
            {
                "lead_id": r.lead_id,
                "n": int(r.n),
                "fit": float(r.fit),
                "engagement": float(r.engagement),
                "source": r.source,
                "tier": r.tier,
                "segment": r.segment,
                "outcome": r.disposition or "pending",
                "sql_at": r.sql_at,
                "mql_at": r.mql_at,
                "fields": {k: fields.get(k) for k in SHEET_FIELDS},
                "lead_fields": fields,
            }
        )
    return out


def create_session(
    conn: Connection,
    *,
    now: datetime,
    period: str,
    seed: int,
    bands: Sequence[dict[str, Any]],
    items: Sequence[dict[str, Any]],
) -> int:
    """A new session with its items (no verdicts yet); its number."""
    seq = conn.execute(
        insert(calibration_sessions).values(
            created_at=now, period=period, seed=seed, size=len(items), bands=json.dumps(list(bands))
        )
    ).inserted_primary_key
    assert seq is not None
    session = int(seq[0])
    if items:
        conn.execute(insert(calibration_items), [{**item, "session": session} for item in items])
    return session


def latest_session(conn: Connection) -> int | None:
    found = conn.execute(select(func.max(calibration_sessions.c.seq))).scalar()
    return None if found is None else int(found)


def get_session(conn: Connection, session: int) -> dict[str, Any] | None:
    row = conn.execute(select(calibration_sessions).where(calibration_sessions.c.seq == session)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["bands"] = json.loads(out["bands"])
    return out


def session_items(conn: Connection, session: int) -> list[dict[str, Any]]:
    query = (
        select(calibration_items)
        .where(calibration_items.c.session == session)
        .order_by(calibration_items.c.lead_id, calibration_items.c.n)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def set_verdict(
    conn: Connection, session: int, lead_id: str, n: int | None, team: str, verdict: str, at: datetime
) -> int:
    """Record one team's verdict on a sampled handoff (any of the lead's when `n` is None); how many rows."""
    column, stamp = calibration_items.c[team], calibration_items.c[f"{team}_at"]
    where = and_(calibration_items.c.session == session, calibration_items.c.lead_id == lead_id)
    if n is not None:
        where = and_(where, calibration_items.c.n == n)
    result = conn.execute(update(calibration_items).where(where).values({column: verdict, stamp: at}))
    return int(result.rowcount or 0)


def leads_created(conn: Connection, start: datetime, end: datetime) -> list[tuple[str, dict[str, Any]]]:
    """(lead id, fields) of the leads created in [start, end), erased ones left out."""
    query = (
        select(leads.c.lead_id, leads.c.fields)
        .where(leads.c.created_at >= start, leads.c.created_at < end, leads.c.erased_at.is_(None))
        .order_by(leads.c.lead_id)
    )
    return [(r.lead_id, json.loads(r.fields)) for r in conn.execute(query)]


def sessions_of(conn: Connection, periods: Sequence[str]) -> list[int]:
    """The sessions that sampled one of these periods, newest first."""
    query = (
        select(calibration_sessions.c.seq)
        .where(calibration_sessions.c.period.in_(list(periods)))
        .order_by(calibration_sessions.c.seq.desc())
    )
    return [int(seq) for seq in conn.execute(query).scalars()]
