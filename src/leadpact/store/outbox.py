"""Every query of the outbox (``notify.outbox`` decides, these read and write; they flush, never commit).

A claim is fenced by three columns: ``status = 'pending'``, ``attempts`` (raised by each claim) and
``next_attempt_at`` (the claim's lease end, an exact microsecond). A worker renews, records or gives up
a row only while all three still hold what it wrote, so a worker whose lease ran out and whose row was
claimed again, retried or purged meanwhile leaves the newer state alone. ``attempts`` alone would not
do: ``outbox retry`` resets it to 0, so a later claim can reach the same count again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, delete, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from leadpact.store.tables import outbox

#: every status a row can have; ``dropped``: its target left the roster before it was sent
STATUSES = ("pending", "sent", "dead", "dropped")


@dataclass(frozen=True)
class Claim:
    """What a worker wrote when it claimed a row: the fence for everything it does to it later."""

    seq: int
    attempts: int


def insert_if_absent(conn: Connection, values: dict[str, Any]) -> int:
    """Insert unless a row with the same key exists; 1 if written, 0 if it was there."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(outbox).values(values).on_conflict_do_nothing(index_elements=["key"])
    elif dialect == "sqlite":
        stmt = sqlite.insert(outbox).values(values).on_conflict_do_nothing(index_elements=["key"])
    else:  # pragma: no cover - the store runs on SQLite and PostgreSQL only
        raise NotImplementedError(f"no insert-if-absent for {dialect}")
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT that SQLAlchemy gave a RETURNING clause.
    return 0 if conn.execute(stmt.returning(outbox.c.seq)).first() is None else 1


def lock_due(
    conn: Connection, now: datetime, limit: int, keys: Collection[str] | None = None
) -> Sequence[RowMapping]:
    """Pending rows due at ``now``, oldest due first; on PostgreSQL locked, skipping rows another worker
    holds locked (FOR UPDATE SKIP LOCKED), so concurrent workers split the rows instead of waiting."""
    query = (
        select(outbox)
        .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.next_attempt_at, outbox.c.seq)
        .limit(limit)
    )
    if keys is not None:
        query = query.where(outbox.c.key.in_(list(keys)))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return conn.execute(query).mappings().all()


def lease(conn: Connection, seq: int, attempts: int, until: datetime) -> None:
    """Claim one locked row: its attempt count and a lease that ends at ``until``."""
    conn.execute(update(outbox).where(outbox.c.seq == seq).values(attempts=attempts, next_attempt_at=until))


def close_locked(conn: Connection, seq: int, status: str, last_error: str) -> None:
    """End a row the caller holds locked (given up or dropped at the claim)."""
    conn.execute(update(outbox).where(outbox.c.seq == seq).values(status=status, last_error=last_error))


def _held(claims: Iterable[Claim], lease_end: datetime) -> Any:
    pairs = [(c.seq, c.attempts) for c in claims]
    return and_(
        outbox.c.status == "pending",
        outbox.c.next_attempt_at == lease_end,
        tuple_(outbox.c.seq, outbox.c.attempts).in_(pairs),
    )


def renew(conn: Connection, claims: Sequence[Claim], lease_end: datetime, until: datetime) -> set[int]:
    """Move the lease of the rows still held (claimed with ``lease_end`` and not taken since) to ``until``;
    the seqs renewed."""
    if not claims:
        return set()
    stmt = (
        update(outbox).where(_held(claims, lease_end)).values(next_attempt_at=until).returning(outbox.c.seq)
    )
    return {int(seq) for seq in conn.execute(stmt).scalars()}


def settle(conn: Connection, claim: Claim, lease_end: datetime, values: dict[str, Any]) -> bool:
    """Store one attempt's outcome if the row is still held; whether it was."""
    stmt = update(outbox).where(_held([claim], lease_end)).values(**values).returning(outbox.c.seq)
    return conn.execute(stmt).first() is not None


def messages(conn: Connection, statuses: Collection[str] | None, limit: int | None) -> Sequence[RowMapping]:
    """Rows newest first, of the given statuses (None: all)."""
    query = select(outbox).order_by(outbox.c.seq.desc())
    if statuses is not None:
        query = query.where(outbox.c.status.in_(list(statuses)))
    if limit is not None:
        query = query.limit(limit)
    return conn.execute(query).mappings().all()


def by_seq(conn: Connection, seqs: Collection[int]) -> Sequence[RowMapping]:
    return (
        conn.execute(select(outbox).where(outbox.c.seq.in_(list(seqs))).order_by(outbox.c.seq))
        .mappings()
        .all()
    )


def counts(conn: Connection) -> dict[str, int]:
    """Rows per status; every known status is present."""
    out = dict.fromkeys(STATUSES, 0)
    query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
    for status, n in conn.execute(query):
        out[str(status)] = int(n)
    return out


def requeue(conn: Connection, seqs: Collection[int], statuses: Collection[str], now: datetime) -> list[int]:
    """Rows of ``seqs`` whose status is one of ``statuses`` become pending, due at ``now``, with no
    attempts; ``last_error`` stays until the next attempt replaces it. The seqs requeued."""
    if not seqs:
        return []
    stmt = (
        update(outbox)
        .where(outbox.c.seq.in_(list(seqs)), outbox.c.status.in_(list(statuses)))
        .values(status="pending", attempts=0, next_attempt_at=now, sent_at=None)
        .returning(outbox.c.seq)
    )
    return sorted(int(seq) for seq in conn.execute(stmt).scalars())


def seqs_with_status(conn: Connection, statuses: Collection[str]) -> list[int]:
    query = select(outbox.c.seq).where(outbox.c.status.in_(list(statuses))).order_by(outbox.c.seq)
    return [int(seq) for seq in conn.execute(query).scalars()]


def delete_older(conn: Connection, statuses: Collection[str], before: datetime) -> dict[str, int]:
    """Delete rows of ``statuses`` created before ``before``; how many of each status went."""
    stmt = (
        delete(outbox)
        .where(outbox.c.status.in_(list(statuses)), outbox.c.created_at < before)
        .returning(outbox.c.status)
    )
    out = dict.fromkeys(statuses, 0)
    for status in conn.execute(stmt).scalars():
        out[str(status)] = out.get(str(status), 0) + 1
    return out
