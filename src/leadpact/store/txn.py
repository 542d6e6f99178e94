"""Write transactions that any number of processes can run at once on one store.

- SQLite has one writer at a time: a write transaction takes the write lock when it begins (`BEGIN
  IMMEDIATE`), waiting up to the busy timeout, so a transaction that read first never fails to write.
- PostgreSQL runs writers side by side: a writer locks the leads it replays (transaction-scoped advisory
  locks, always taken in one order) before it reads them, so two writers never replay one lead from the
  same stale timeline; routing decisions take one routing lock (the fair-share ledger is one state).
  Lock order everywhere: leads, then routing, then the day marks (`store.packs.bump`, in day order).
- Whatever still collides (a deadlock PostgreSQL broke, a serialisation failure, SQLite busy past its
  timeout, an event id another process stored meanwhile) is `transient`: the caller rolls back its
  transaction and runs it again.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

T = TypeVar("T")

ROUTING_LOCK = (0x6C70, 1)  # (class, id) in the two-key advisory space, apart from the leads' one-key space
ATTEMPTS = 8


class Raced(Exception):
    """Another process wrote what this transaction assumed absent (an event id): run it again."""


def begin_write(conn: Connection) -> None:
    """Start a write transaction on a connection with none open (SQLite: take the write lock now)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_leads(conn: Connection, lead_ids: Sequence[str]) -> None:
    """PostgreSQL: hold these leads until the transaction ends (SQLite's write lock already holds all)."""
    if conn.dialect.name != "postgresql" or not lead_ids:
        return
    conn.execute(
        text(
            "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(x, 0) AS k "
            "FROM unnest(CAST(:ids AS text[])) AS x ORDER BY k) AS ordered"
        ),
        {"ids": list(lead_ids)},
    )


def lock_routing(conn: Connection) -> None:
    """PostgreSQL: one routing decision at a time across processes, until the transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": ROUTING_LOCK[0], "b": ROUTING_LOCK[1]}
        )


def transient(exc: BaseException) -> bool:
    """Whether running the transaction again can succeed: a lost race, not a lost connection or a bug."""
    if isinstance(exc, Raced):
        return True
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    code = getattr(exc.orig, "sqlstate", None)
    if code is not None:
        return code in ("40001", "40P01", "55P03")  # serialization failure, deadlock, lock not available
    message = str(exc.orig).lower()
    return "database is locked" in message or "database table is locked" in message


def lost_connection(exc: BaseException) -> bool:
    """The store stopped answering (a server restarted, a network cut): nothing to retry in this call."""
    return (
        isinstance(exc, OperationalError | InterfaceError)
        and not transient(exc)
        or (isinstance(exc, DBAPIError) and exc.connection_invalidated)
    )


def retrying(conn: Connection, work: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """Run `work` (which begins and commits its own transaction on `conn`) until it does not collide;
    each collision rolls back and waits a little longer, with jitter so racing writers fall apart."""
    for attempt in range(attempts):
        try:
            return work()
        except Exception as exc:
            with contextlib.suppress(DBAPIError):  # a connection that is gone: `exc` says so
                conn.rollback()
            if not transient(exc) or attempt == attempts - 1:
                raise
            time.sleep(min(2.0, 0.02 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")
