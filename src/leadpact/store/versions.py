"""Queries on `pact_versions`: which pact judges events from when on. Flush, never commit.

Versions are numbered by `seq` in the order they came into force; a writer names the `seq` it means to
take, so two processes recording at once cannot both succeed (the loser's insert does nothing).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from leadpact.store.tables import pact_signatures, pact_versions


def all_versions(conn: Connection) -> list[RowMapping]:
    return list(conn.execute(select(pact_versions).order_by(pact_versions.c.seq)).mappings())


def insert_version(
    conn: Connection,
    *,
    seq: int,
    version: str,
    effective_at: datetime | None,
    pact_json: str,
    now: datetime,
    applied: bool,
) -> bool:
    """Record a version as number `seq`; False when another process took that number first."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(pact_versions)
        .values(
            seq=seq,
            version=version,
            effective_at=effective_at,
            pact=pact_json,
            recorded_at=now,
            applied_at=now if applied else None,
        )
        .on_conflict_do_nothing()
        .returning(pact_versions.c.seq)
    )
    inserted = conn.execute(stmt).first() is not None
    if inserted and conn.dialect.name == "postgresql":
        # explicit numbers leave the serial behind; keep it past them for any plain insert
        conn.execute(select(func.setval(func.pg_get_serial_sequence("pact_versions", "seq"), seq, True)))
    return inserted


def mark_applied(conn: Connection, seq: int, now: datetime) -> None:
    conn.execute(
        update(pact_versions)
        .where(pact_versions.c.seq == seq, pact_versions.c.applied_at.is_(None))
        .values(applied_at=now)
    )


def head(conn: Connection) -> tuple[int, datetime | None, int] | None:
    """The newest version's seq and applied_at, and how many signatures the store holds (a cheap look for
    whether anything changed)."""
    row = conn.execute(
        select(pact_versions.c.seq, pact_versions.c.applied_at).order_by(pact_versions.c.seq.desc()).limit(1)
    ).first()
    signed = conn.execute(select(func.count()).select_from(pact_signatures)).scalar_one()
    return None if row is None else (int(row[0]), row[1], int(signed))


def sign(conn: Connection, *, version: str, side: str, name: str, at: datetime) -> None:
    """Record a head's signature of a version (the full hash); signing again replaces it."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(pact_signatures).values(version=version, side=side, name=name, at=at)
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["version", "side"], set_={"name": name, "at": at})
    )


def all_signatures(conn: Connection) -> list[RowMapping]:
    return list(conn.execute(select(pact_signatures)).mappings())
