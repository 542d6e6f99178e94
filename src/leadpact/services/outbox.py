"""Seeing and managing the outbox: list messages, send given-up ones again, purge old ones; and the test
message of ``notify test``.

Delivery itself is ``notify.outbox.deliver_due`` (the worker). Each function here owns its transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, RowMapping

from leadpact.domain.timeutil import as_utc
from leadpact.notify.outbox import Clock, deliver_due, enqueue, row_key
from leadpact.notify.targets import Target, current_targets, email_targets, targets_from_roster
from leadpact.notify.transport import HttpSmtpTransport
from leadpact.roster import Roster
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


def test_targets(roster: Roster | None, env: Mapping[str, str]) -> list[Target]:
    """Whom ``notify test`` reaches: every webhook and Slack channel, and when email is configured the
    marketing owner and every team manager."""
    if roster is None:
        return []
    people = [roster.marketing.owner, *(team.manager for team in roster.teams.values())]
    return [*targets_from_roster(roster, env), *email_targets(roster, people, env)]


def send_test(
    engine: Engine,
    *,
    roster: Roster | None,
    pact_name: str,
    env: Mapping[str, str],
    now: datetime,
    clock: Clock | None = None,
) -> list[dict[str, Any]]:
    """One test message to each of :func:`test_targets`, through the outbox (the same keys, signing and
    headers as any message) and delivered at once, tried once: a failed test row is left ``dead`` with
    its error instead of being retried by the worker. ``[{"channel", "target", "key", "status", "error"}]``
    (status ``sent`` or ``failed``); empty with no targets (the null notifier)."""
    targets = test_targets(roster, env)
    if not targets:
        return []
    key = f"test:{uuid.uuid4().hex[:12]}"
    payload = {"message": "leadpact notifications reach this target", "pact": pact_name, "at": now}
    with engine.begin() as conn:
        enqueue(conn, key=key, topic="test", payload=payload, targets=targets, now=now)
    keys = {row_key(key, t): t for t in targets}
    with HttpSmtpTransport(env) as transport:
        report = deliver_due(
            engine,
            now=now,
            transport=transport,
            targets=current_targets(roster, env),
            clock=clock,
            batch=len(keys),
            max_attempts=1,
            keys=list(keys),
        )
    by_key = {d.key: d for d in report.deliveries}
    results: list[dict[str, Any]] = []
    for k, target in keys.items():
        done = by_key.get(k)
        ok = done is not None and done.outcome == "sent"
        error = None if ok else (done.error if done else "not delivered (claimed by another worker?)")
        results.append(
            {
                "channel": target.channel,
                "target": target.ref,
                "key": k,
                "status": "sent" if ok else "failed",
                "error": error,
            }
        )
    return results
