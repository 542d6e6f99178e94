"""Queries on `api_keys` and `server_secrets`. Flush, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, select, update
from sqlalchemy.dialects import postgresql, sqlite

from leadpact.store.tables import api_keys, server_secrets


def insert_key(conn: Connection, *, key_id: str, name: str, role: str, digest: str, now: datetime) -> None:
    conn.execute(api_keys.insert().values(id=key_id, name=name, role=role, hash=digest, created_at=now))


def all_keys(conn: Connection) -> list[RowMapping]:
    query = select(
        api_keys.c.id, api_keys.c.name, api_keys.c.role, api_keys.c.created_at, api_keys.c.revoked_at
    )
    return list(conn.execute(query.order_by(api_keys.c.created_at, api_keys.c.id)).mappings())


def live_key_by_hash(conn: Connection, digest: str) -> RowMapping | None:
    query = select(api_keys.c.id, api_keys.c.name, api_keys.c.role).where(
        api_keys.c.hash == digest, api_keys.c.revoked_at.is_(None)
    )
    return conn.execute(query).mappings().first()


def live_key_by_id(conn: Connection, key_id: str) -> RowMapping | None:
    query = select(api_keys.c.id, api_keys.c.name, api_keys.c.role).where(
        api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None)
    )
    return conn.execute(query).mappings().first()


def revoke(conn: Connection, key_id: str, now: datetime) -> str | None:
    """Revoke a key; its row as it now is ('revoked' when it already was), None when there is no such key."""
    found = conn.execute(select(api_keys.c.revoked_at).where(api_keys.c.id == key_id)).first()
    if found is None:
        return None
    if found[0] is not None:
        return "already"
    conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=now))
    return "revoked"


def secret(conn: Connection, name: str, candidate: str, now: datetime) -> str:
    """The stored secret of this name; the first caller's `candidate` becomes it (racers read the winner's
    value)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(server_secrets)
        .values(name=name, value=candidate, created_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return str(conn.execute(select(server_secrets.c.value).where(server_secrets.c.name == name)).scalar_one())
