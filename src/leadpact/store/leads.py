"""Projection rows: `leads` and `handoffs`, written from replays and read back for views."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, RowMapping, delete, insert, select

if TYPE_CHECKING:
    from leadpact.store.unit import Unit

from leadpact.domain.duplicates import Person
from leadpact.domain.projection import Handoff, Projection
from leadpact.domain.timeutil import to_us
from leadpact.store.columns import HANDOFF_READ
from leadpact.store.events import bulk_insert_dicts, chunks
from leadpact.store.packs import returning
from leadpact.store.tables import erasures, handoffs, leads
from leadpact.store.types import Instant

#: the handoff columns a replay's `Handoff` fills, by name (the others are given to `handoff_row`)
_FROM_HANDOFF = tuple(
    c.name
    for c in handoffs.columns
    if c.name not in ("lead_id", "flags", "packet", "first_activity_at", "lead_first_touch_at", "team")
)
_INSTANT_COLUMNS = frozenset(c.name for c in handoffs.columns if isinstance(c.type, Instant))


def _us(value: datetime | None) -> int | None:
    return None if value is None else to_us(value)


def lead_row(p: Projection) -> dict[str, Any]:
    current = p.current
    assert p.created_at is not None and p.last_event_at is not None
    return {
        "lead_id": p.lead_id,
        "email": str(p.fields["email"]).strip().lower() if p.fields.get("email") else None,
        "account_id": p.fields.get("account_id"),
        "source": p.source,
        "campaign": p.fields.get("campaign"),
        "fields": json.dumps(p.fields, separators=(",", ":"), ensure_ascii=False),
        "stage": p.stage,
        "stage_times": json.dumps({k: to_us(v) for k, v in p.stage_times.items()}),
        "segment": current.segment if current else None,
        "tier": current.tier if current else None,
        "owner": p.owner,
        "fit": p.fit,
        "engagement": p.engagement,
        "cycles": sum(1 for h in p.handoffs if h.kind == "mql"),
        "created_at": to_us(p.created_at),
        "last_event_at": to_us(p.last_event_at),
        "flags": json.dumps(p.flags),
        "erased_at": None,
    }


def handoff_row(
    lead_id: str,
    h: Handoff,
    packet: dict[str, Any] | None = None,
    *,
    first_activity_at: datetime | None = None,
    first_touch_at: datetime | None = None,
    team: str | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "lead_id": lead_id,
        "flags": json.dumps(h.flags),
        "packet": None if packet is None else json.dumps(packet, default=str),
        "first_activity_at": _us(first_activity_at),
        "lead_first_touch_at": _us(first_touch_at),
        "team": team,
    }
    for name in _FROM_HANDOFF:
        value = getattr(h, name)
        row[name] = _us(value) if name in _INSTANT_COLUMNS else value
    return row


def replace_projections(
    unit: Unit,
    lead_ids: Sequence[str],
    lead_rows: list[dict[str, Any]],
    handoff_rows: list[dict[str, Any]],
) -> None:
    """Swap the derived rows of these leads for freshly replayed ones, in the unit's transaction (which
    learns what the metrics read of the old and the new handoffs)."""
    conn = unit.conn
    old: list[RowMapping] = []
    for part in chunks(list(lead_ids)):
        query = delete(handoffs).where(handoffs.c.lead_id.in_(part))
        old.extend(conn.execute(query.returning(*returning(handoffs, HANDOFF_READ))).mappings())
        conn.execute(delete(leads).where(leads.c.lead_id.in_(part)))
    bulk_insert_dicts(conn, "leads", lead_rows)
    bulk_insert_dicts(conn, "handoffs", handoff_rows)
    unit.replaced_handoffs(old, handoff_rows)


def erased_among(conn: Connection, lead_ids: Sequence[str]) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for part in chunks(list(lead_ids)):
        for row in conn.execute(
            select(erasures.c.lead_id, erasures.c.erased_at).where(erasures.c.lead_id.in_(part))
        ):
            out[row.lead_id] = row.erased_at
    return out


def lead_page(conn: Connection, *, after: str, limit: int) -> list[Any]:
    """The next `limit` leads after `after` by id, with what scoring them needs. By primary key only: a
    stage filter here makes the database sort the open leads every page."""
    return list(
        conn.execute(
            select(leads.c.lead_id, leads.c.stage, leads.c.fields, leads.c.fit, leads.c.erased_at)
            .where(leads.c.lead_id > after)
            .order_by(leads.c.lead_id)
            .limit(limit)
        ).all()
    )


def get_lead(conn: Connection, lead_id: str) -> RowMapping | None:
    return conn.execute(select(leads).where(leads.c.lead_id == lead_id)).mappings().first()


def get_handoffs(conn: Connection, lead_id: str) -> list[RowMapping]:
    return list(
        conn.execute(select(handoffs).where(handoffs.c.lead_id == lead_id).order_by(handoffs.c.n)).mappings()
    )


def record_erasure(conn: Connection, lead_id: str, at: datetime, scrubbed: int, reason: str | None) -> None:
    conn.execute(insert(erasures).values(lead_id=lead_id, erased_at=at, events=scrubbed, reason=reason))
    conn.execute(
        leads.update()
        .where(leads.c.lead_id == lead_id)
        .values(email=None, fields=json.dumps({"erased": True}), erased_at=at)
    )


def counts(conn: Connection) -> dict[str, int]:
    from sqlalchemy import func

    from leadpact.store.tables import events

    out = {}
    for name, table in (("events", events), ("leads", leads), ("handoffs", handoffs)):
        out[name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    return out


def people_matching(conn: Connection, emails: Sequence[str], accounts: Sequence[str]) -> list[Person]:
    """Stored leads sharing one of these (lower-case) emails or accounts, as people to compare."""
    out: list[Person] = []
    seen: set[str] = set()
    for column, values in ((leads.c.email, sorted(set(emails))), (leads.c.account_id, sorted(set(accounts)))):
        for part in chunks(values):
            rows = conn.execute(
                select(leads.c.lead_id, leads.c.created_at, leads.c.fields).where(
                    column.in_(part), leads.c.erased_at.is_(None)
                )
            )
            for lead_id, created_at, fields in rows:
                if lead_id not in seen:
                    seen.add(lead_id)
                    out.append(Person.of(lead_id, created_at, json.loads(fields)))
    return out


def add_lead_flag(conn: Connection, lead_id: str, flag: str) -> None:
    row = conn.execute(select(leads.c.flags).where(leads.c.lead_id == lead_id)).first()
    if row is None:
        return
    flags = json.loads(row.flags)
    if flag not in flags:
        conn.execute(
            leads.update().where(leads.c.lead_id == lead_id).values(flags=json.dumps([*flags, flag]))
        )


def flagged_handoffs(conn: Connection) -> list[RowMapping]:
    """Handoffs carrying a flag, with what a violation about them names (the close, its touches, the stage
    instants)."""
    h = handoffs.c
    query = select(
        h.lead_id,
        h.n,
        h.owner,
        h.flags,
        h.disqualified_at,
        h.recycled_at,
        h.outcome_reason,
        h.segment,
        h.outcome_touches,
        h.outcome_channels,
        h.sql_at,
        h.opportunity_at,
    ).where(h.flags != "[]")
    return list(conn.execute(query).mappings())


def get_handoff(conn: Connection, lead_id: str, n: int) -> RowMapping | None:
    query = select(handoffs).where(handoffs.c.lead_id == lead_id, handoffs.c.n == n)
    return conn.execute(query).mappings().first()


def leads_of_opportunities(conn: Connection, opportunity_ids: Sequence[str]) -> dict[str, str]:
    """opportunity id -> the lead whose handoff names it (a CRM import's conversions, DESIGN.md §12)."""
    out: dict[str, str] = {}
    for part in chunks(sorted(set(opportunity_ids))):
        query = select(handoffs.c.opportunity_id, handoffs.c.lead_id).where(
            handoffs.c.opportunity_id.in_(list(part))
        )
        for opportunity_id, lead_id in conn.execute(query):
            out.setdefault(opportunity_id, lead_id)
    return out
