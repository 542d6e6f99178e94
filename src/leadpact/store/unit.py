"""A unit of work: one write transaction on the store, and what it changed that the metrics read.

Every write of a stored handoff, clock or activity goes through a store function that takes the `Unit` and
records what it changed into it (the rows before and after, the leads whose activities moved). `commit`
turns all of it into the day marks of the month packs (`store.packs.changed_days`, `store.packs.bump`):
once, in day order, just before the transaction commits. So a new write path cannot leave a month pack
silently stale, and marks are taken last, briefly, in one order (`store.txn` explains the lock order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from leadpact.store import packs as store_packs
from leadpact.store import txn

T = TypeVar("T")
Row = store_packs.Row


class Unit:
    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self._handoffs: tuple[list[Any], list[Any]] = ([], [])
        self._clocks: tuple[list[Any], list[Any]] = ([], [])
        self._activities: dict[str, int] = {}
        self._days: dict[int, set[str]] = defaultdict(set)

    def replaced_handoffs(self, old: Iterable[Row], new: Iterable[Row]) -> None:
        """Handoff rows swapped (`old` as `store.columns.HANDOFF_READ` with raw µs instants)."""
        self._handoffs[0].extend(old)
        self._handoffs[1].extend(new)

    def replaced_clocks(self, old: Iterable[Row], new: Iterable[Row]) -> None:
        self._clocks[0].extend(old)
        self._clocks[1].extend(new)

    def activities_changed(self, lead_id: str, since_us: int) -> None:
        """A new or withdrawn activity of the lead at `since_us` (attribution counts activities up to the
        lead's opportunity and customer instants)."""
        self._activities[lead_id] = min(since_us, self._activities.get(lead_id, since_us))

    def days_changed(self, changes: Mapping[int, Iterable[str]]) -> None:
        """Rows changed in place on these UTC days (e.g. a handoff's owner), by lead."""
        for day, leads in changes.items():
            self._days[day].update(leads)

    def changes(self) -> dict[int, set[str]]:
        """The UTC days whose marks this unit must bump, each with the leads that changed on it."""
        out = store_packs.changed_days(*self._handoffs, *self._clocks, self._activities)
        for day, leads in self._days.items():
            out.setdefault(day, set()).update(leads)
        return out

    def commit(self) -> None:
        store_packs.bump(self.conn, self.changes(), self.now)
        self.conn.commit()


def write(conn: Connection, now: datetime, work: Callable[[Unit], T]) -> T:
    """Run `work` in a unit of work on `conn` (a write transaction, SQLite's write lock taken first) and
    commit it; run it again, in a fresh unit, when it collides with another writer (`store.txn`)."""

    def attempt() -> T:
        txn.begin_write(conn)
        unit = Unit(conn, now)
        out = work(unit)
        unit.commit()
        return out

    return txn.retrying(conn, attempt)
