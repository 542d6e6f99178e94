"""Queries on `hubspot_contacts`: what the webhook knows of contacts whose lead.created is pending or made.
Flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select, update
from sqlalchemy.dialects import postgresql, sqlite

from leadpact.store.tables import hubspot_contacts


def contacts(conn: Connection, object_ids: Sequence[str]) -> dict[str, RowMapping]:
    query = select(hubspot_contacts).where(hubspot_contacts.c.object_id.in_(list(object_ids)))
    return {row["object_id"]: row for row in conn.execute(query).mappings()}


def save(conn: Connection, values: dict[str, Any]) -> None:
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(hubspot_contacts).values(values)
    changing = {k: v for k, v in values.items() if k != "object_id"}
    conn.execute(stmt.on_conflict_do_update(index_elements=["object_id"], set_=changing))


def forget_created(conn: Connection, object_id: str, created: str, now: datetime) -> None:
    """Clear a lead.created that ingest refused (only if it is still the one made), so a later delivery makes
    it again from what is known then."""
    conn.execute(
        update(hubspot_contacts)
        .where(hubspot_contacts.c.object_id == object_id, hubspot_contacts.c.lead_created == created)
        .values(lead_created=None, updated_at=now)
    )
