"""Seeing and managing the outbox: list messages, send given-up ones again, purge old ones.

Delivery itself is ``notify.outbox.deliver_due`` (the worker). Each function here owns its transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, RowMapping

from leadpact.domain.timeutil import as_utc
from leadpact.notify.targets import Target
from leadpact.store import outbox as store

#: statuses a message is retried from by id (``--failed`` takes the dead ones)
RETRYABLE = ("dead", "dropped")
#: what ``purge`` deletes unless told otherwise: delivered or given up
FINISHED = ("sent", "dead", "dropped")


@dataclass(frozen=True)
class Listing:
    messages: list[dict[str, Any]]
    counts: dict[str, int]


def _ref(row: RowMapping) -> str:
    try:
        return Target.from_column(row["channel"], row["target"]).ref
    except (ValueError, TypeError):  # a row written by another version: show the channel, never the column
        return f"{row['channel']}:?"


def message_view(row: RowMapping) -> dict[str, Any]:
    """One message as ``outbox --json`` shows it: the target's ref (never a secret), times as instants."""
    return {
        "id": int(row["seq"]),
        "key": row["key"],
        "topic": row["topic"],
        "channel": row["channel"],
        "target": _ref(row),
        "status": row["status"],
        "attempts": int(row["attempts"]),
        "created_at": row["created_at"],
        "next_attempt_at": row["next_attempt_at"] if row["status"] == "pending" else None,
        "sent_at": row["sent_at"],
        "last_error": row["last_error"],
    }


def list_messages(
    engine: Engine, *, statuses: Collection[str] | None = None, limit: int | None = 50
) -> Listing:
    """The newest messages first (of ``statuses``; None: all), and how many the outbox holds by status."""
    with engine.connect() as conn:
        rows = store.messages(conn, statuses, limit)
        counts = store.counts(conn)
    return Listing([message_view(r) for r in rows], counts)


@dataclass(frozen=True)
class Retry:
    retried: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {"id", "status"}: not failed, left alone
    missing: list[int] = field(default_factory=list)  # no such message: nothing was changed


def retry_messages(engine: Engine, *, ids: Sequence[int] = (), failed: bool = False, now: datetime) -> Retry:
    """Messages given up (``dead``, or ``dropped`` when named by id) become pending again, due at ``now``
    with their attempts reset; ``failed`` takes every dead one. An unknown id changes nothing."""
    now = as_utc(now)
    with engine.begin() as conn:
        wanted = sorted(set(ids))
        found = {int(r["seq"]): r["status"] for r in store.by_seq(conn, wanted)}
        missing = [i for i in wanted if i not in found]
        if missing:
            return Retry(missing=missing)
        skipped = [{"id": i, "status": s} for i, s in found.items() if s not in RETRYABLE]
        chosen = [i for i, s in found.items() if s in RETRYABLE]
        if failed:
            chosen = sorted(set(chosen) | set(store.seqs_with_status(conn, ["dead"])))
        retried = store.requeue(conn, chosen, RETRYABLE, now)
    return Retry(retried=retried, skipped=skipped)


@dataclass(frozen=True)
class Purge:
    before: datetime
    deleted: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def purge_messages(
    engine: Engine, *, statuses: Collection[str] = FINISHED, older_than: timedelta, now: datetime
) -> Purge:
    """Delete messages of ``statuses`` created more than ``older_than`` before ``now``."""
    unknown = set(statuses) - set(store.STATUSES)
    if unknown:
        raise ValueError(f"unknown status(es): {', '.join(sorted(unknown))}")
    before = as_utc(now) - older_than
    with engine.begin() as conn:
        deleted = store.delete_older(conn, statuses, before)
    return Purge(before, deleted)
