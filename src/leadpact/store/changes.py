"""Cheap reads that tell whether the store changed (the live stream polls them), and what changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, func, select

from leadpact.store.packs import DAY_US
from leadpact.store.tables import (
    assignments,
    clock_alerts,
    escalations,
    events,
    pact_versions,
    period_marks,
    violations,
)


def heads(conn: Connection, start_us: int, end_us: int) -> tuple[Any, ...]:
    """In one round trip, each read from an index: the newest event, assignment, violation and pact version
    (their seqs), the newest clock alert's recording instant, the sum of the day marks of [start, end), and
    the newest escalation with the number resolved (a small table)."""
    d = period_marks.c.day
    marks = (
        select(func.coalesce(func.sum(period_marks.c.gen), 0))
        .where(d >= start_us // DAY_US, d <= (end_us - 1) // DAY_US)
        .scalar_subquery()
    )
    row = conn.execute(
        select(
            select(func.max(events.c.seq)).scalar_subquery(),
            select(func.max(assignments.c.seq)).scalar_subquery(),
            select(func.max(violations.c.seq)).scalar_subquery(),
            select(func.max(pact_versions.c.seq)).scalar_subquery(),
            select(func.max(clock_alerts.c.recorded_at)).scalar_subquery(),
            marks,
            select(func.max(escalations.c.seq)).scalar_subquery(),
            select(func.count(escalations.c.resolved_at)).scalar_subquery(),
        )
    ).one()
    return tuple(0 if value is None else int(value) for value in row)


def leads_after(conn: Connection, seq: int, limit: int) -> list[str]:
    """Leads with an event stored after `seq` (at most `limit`)."""
    query = select(events.c.lead_id).where(events.c.seq > seq).distinct().limit(limit)
    return [row[0] for row in conn.execute(query)]


def alerts_after(conn: Connection, recorded_us: int, limit: int) -> list[RowMapping]:
    query = (
        select(clock_alerts)
        .where(clock_alerts.c.recorded_at > recorded_us)
        .order_by(clock_alerts.c.recorded_at)
        .limit(limit)
    )
    return list(conn.execute(query).mappings())


def assignments_after(conn: Connection, seq: int, limit: int) -> list[RowMapping]:
    query = (
        select(
            assignments.c.seq,
            assignments.c.lead_id,
            assignments.c.n,
            assignments.c.rep,
            assignments.c.team,
            assignments.c.kind,
            assignments.c.at,
        )
        .where(assignments.c.seq > seq)
        .order_by(assignments.c.seq)
        .limit(limit)
    )
    return list(conn.execute(query).mappings())
