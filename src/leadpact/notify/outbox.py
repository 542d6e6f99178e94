"""The outbox: notifications are rows written in the deciding transaction and delivered after it commits.

``enqueue`` writes one pending row per target inside the caller's transaction (it never commits), so
a rolled-back decision sends nothing. ``deliver_due`` runs in the worker:

1. **claim** (one short transaction): pending rows due at ``now`` — on PostgreSQL with
   ``FOR UPDATE SKIP LOCKED``, so concurrent workers split the rows instead of sharing them — get
   ``attempts + 1`` and a lease (``next_attempt_at = now + LEASE``); then it commits, so a second
   worker finds them not due. A row whose target the roster no longer has is ``dropped`` here
   instead (``last_error``: "target no longer in team.yaml"); the others are sent to the target as
   the roster has it now (by its stable ``ref``);
2. **send** each claimed row outside any transaction. Before a send, when ``RENEW_AFTER`` has passed
   since the lease was last set, the worker moves the lease of every row it still holds to
   ``now + LEASE`` (one statement); a row it no longer holds (its lease ran out and another worker took
   it, or an operator changed it) is not sent;
3. **record** each outcome in its own short transaction: ``sent`` (with ``sent_at``), or a retry at
   ``now + backoff(attempts)``, or ``dead`` once ``attempts`` reaches ``max_attempts``, with
   ``last_error`` either way — only while the row is still held (``store.outbox`` fences every write by
   status, attempts and lease end).

The lease. A live worker never lets a held row's lease run below ``LEASE − RENEW_AFTER`` (50 s) at the
start of a send, ten times the HTTP timeout, so another worker never takes its rows. A worker that dies
leaves its rows leased for at most ``LEASE`` (60 s) from its last renewal: they come due again then
and the next pass of any worker sends them — at least once, with the same Idempotency-Key, so
receivers drop a repeat. A row whose last allowed attempt was interrupted that way is marked ``dead``
at its next claim. Leases are judged by the workers' clocks: workers on different hosts need clocks
within a few seconds of each other (NTP), or a lagging worker takes rows early (a repeat, never a loss).

Backoff, after the n-th failed attempt: ``min(30 s × 2^(n−1), 1 h)`` — 30 s, 1 min, 2, 4, 8, 16,
32 min, then every hour; no jitter, so the schedule is exact and testable.

On SQLite one worker runs (DESIGN.md §6); the claim is a plain select there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, RowMapping

from leadpact.domain.timeutil import as_utc, iso_utc
from leadpact.notify.reasons import group_failures
from leadpact.notify.targets import Target
from leadpact.notify.transport import OutboxRow, Transport
from leadpact.store import outbox as store

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
#: how long a claim holds a row; a dead worker's rows come back after it
LEASE = timedelta(seconds=60)
#: a sending worker renews its lease when this much has passed since it last set it
RENEW_AFTER = timedelta(seconds=10)
DROPPED = "target no longer in team.yaml"
INTERRUPTED = "the worker stopped during the last attempt; outcome unknown"
KEY_MAX = 300  # outbox.key is String(300)
TARGET_MAX = 500  # outbox.target is String(500)

Outcome = Literal["sent", "retry", "dead", "dropped"]
Clock = Callable[[], datetime]


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1-based)."""
    if attempts < 1:
        return timedelta(0)
    delay: timedelta = BASE_DELAY * (2 ** min(attempts - 1, 20))
    return min(delay, MAX_DELAY)


def row_key(key: str, target: Target) -> str:
    """The row's Idempotency-Key: ``<key>:<target ref>``; past 300 characters the ref is replaced by a
    digest of it (still the same for the same fact and target)."""
    full = f"{key}:{target.ref}"
    if len(full) <= KEY_MAX:
        return full
    digest = hashlib.sha256(target.ref.encode("utf-8")).hexdigest()[:24]
    short = f"{key}:{target.channel}-{digest}"
    if len(short) > KEY_MAX:
        raise ValueError(f"the outbox key {key[:40]!r}... is too long ({len(key)} characters)")
    return short


def _payload_text(payload: dict[str, Any]) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return iso_utc(value)
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")

    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=default)


def enqueue(
    conn: Connection,
    *,
    key: str,
    topic: str,
    payload: dict[str, Any],
    targets: Sequence[Target],
    now: datetime,
) -> int:
    """Write one pending row per target in the caller's transaction; returns how many rows are new.

    ``key`` names the fact (``clock.breached:L-1:1:first_contact``); enqueueing the same fact again
    writes nothing for targets that already have it. No targets (the null notifier): nothing.
    """
    now = as_utc(now)
    text = _payload_text(payload)
    written = 0
    for target in targets:
        column = target.to_column()
        if len(column) > TARGET_MAX:
            raise ValueError(f"target {target.ref[:60]!r}... is too long for the outbox")
        written += store.insert_if_absent(
            conn,
            {
                "key": row_key(key, target),
                "topic": topic,
                "channel": target.channel,
                "target": column,
                "payload": text,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": None,
                "created_at": now,
                "sent_at": None,
            },
        )
    return written


@dataclass(frozen=True)
class Delivery:
    """What happened to one row in a pass."""

    seq: int
    key: str
    topic: str
    channel: str
    ref: str
    outcome: Outcome
    attempts: int
    error: str | None = None
    next_attempt_at: datetime | None = None  # a retry's time


@dataclass
class DeliveryReport:
    deliveries: list[Delivery] = field(default_factory=list)
    #: claimed rows this worker no longer held when it came to send or record them (not sent by it, or
    #: sent and left to the newer claim to record)
    lost: list[int] = field(default_factory=list)

    def _with(self, outcome: Outcome) -> list[Delivery]:
        return [d for d in self.deliveries if d.outcome == outcome]

    @property
    def sent(self) -> list[Delivery]:
        return self._with("sent")

    @property
    def retrying(self) -> list[Delivery]:
        return self._with("retry")

    @property
    def dead(self) -> list[Delivery]:
        return self._with("dead")

    @property
    def dropped(self) -> list[Delivery]:
        return self._with("dropped")

    @property
    def failed(self) -> list[Delivery]:
        """Attempts that failed, to be retried or given up."""
        return [d for d in self.deliveries if d.outcome in ("retry", "dead")]

    def summary(self) -> dict[str, int]:
        return {
            "sent": len(self.sent),
            "retrying": len(self.retrying),
            "dead": len(self.dead),
            "dropped": len(self.dropped),
        }

    def failure_groups(self) -> list[dict[str, Any]]:
        """The failed attempts by reason and target: ``[{"reason", "target", "count"}]``."""
        return group_failures(self.failed)


def _delivery(r: RowMapping, ref: str, outcome: Outcome, error: str) -> Delivery:
    return Delivery(r["seq"], r["key"], r["topic"], r["channel"], ref, outcome, r["attempts"], error)


def _claim(
    engine: Engine,
    now: datetime,
    batch: int,
    max_attempts: int,
    keys: Collection[str] | None,
    targets: Mapping[str, Target] | None,
) -> tuple[list[OutboxRow], list[Delivery]]:
    """Take due rows for this worker and commit that, so no other worker sends them while it holds them."""
    rows: list[OutboxRow] = []
    closed: list[Delivery] = []
    lease_end = now + LEASE
    with engine.begin() as conn:
        for r in store.lock_due(conn, now, batch, keys):
            stored = Target.from_column(r["channel"], r["target"])
            if targets is not None and stored.ref not in targets:
                store.close_locked(conn, r["seq"], "dropped", DROPPED)
                closed.append(_delivery(r, stored.ref, "dropped", DROPPED))
                continue
            if r["attempts"] >= max_attempts:  # its last attempt was claimed and never recorded
                error = r["last_error"] or INTERRUPTED
                store.close_locked(conn, r["seq"], "dead", error)
                closed.append(_delivery(r, stored.ref, "dead", error))
                continue
            attempts = r["attempts"] + 1
            store.lease(conn, r["seq"], attempts, lease_end)
            target = targets[stored.ref] if targets is not None else stored
            payload = json.loads(r["payload"])
            rows.append(OutboxRow(r["seq"], r["key"], r["topic"], target, payload, attempts, now))
    return rows, closed


def _claims(rows: Collection[OutboxRow]) -> list[store.Claim]:
    return [store.Claim(row.seq, row.attempts) for row in rows]


def _outcome(
    row: OutboxRow, at: datetime, error: str | None, max_attempts: int
) -> tuple[Outcome, dict[str, Any], datetime | None]:
    if error is None:
        return "sent", {"status": "sent", "sent_at": at, "last_error": None}, None
    if row.attempts >= max_attempts:
        return "dead", {"status": "dead", "last_error": error}, None
    next_at = at + backoff(row.attempts)
    return "retry", {"last_error": error, "next_attempt_at": next_at}, next_at


def deliver_due(
    engine: Engine,
    *,
    now: datetime,
    transport: Transport,
    targets: Mapping[str, Target] | None,
    clock: Clock | None = None,
    batch: int = 100,
    max_attempts: int = 8,
    keys: Collection[str] | None = None,
) -> DeliveryReport:
    """One pass: claim up to ``batch`` rows due at ``now``, send them outside any transaction, renewing
    the lease as it goes, and record each outcome.

    ``targets`` is the roster's targets as they are now, by ref (``targets.current_targets``): a row is
    sent to its target's current settings, and dropped when its ref is not there. ``None`` sends each
    row to the target as stored (for callers with no roster to judge by). ``clock`` tells the time
    during the pass (renewals, attempt and record times; the worker's wall clock); left out, the pass
    runs at ``now`` throughout. ``keys`` limits the pass to those rows (``notify test``).
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    now = as_utc(now)

    def tick() -> datetime:
        return now if clock is None else as_utc(clock())

    rows, closed = _claim(engine, now, batch, max_attempts, keys, targets)
    report = DeliveryReport(list(closed))
    held = {row.seq: row for row in rows}
    lease_end, renewed_at = now + LEASE, now
    for row in rows:
        at = tick()
        if at - renewed_at >= RENEW_AFTER and row.seq in held:
            with engine.begin() as conn:
                kept = store.renew(conn, _claims(held.values()), lease_end, at + LEASE)
            lease_end, renewed_at = at + LEASE, at
            for seq in sorted(held.keys() - kept):
                report.lost.append(seq)
                del held[seq]
        if row.seq not in held:
            continue
        error: str | None = None
        try:
            transport.send(replace(row, attempt_at=at))
        except Exception as exc:  # any failure of a send is that row's failure, never the worker's
            error = str(exc) or type(exc).__name__
        done = tick()
        outcome, values, next_at = _outcome(row, done, error, max_attempts)
        with engine.begin() as conn:
            recorded = store.settle(conn, store.Claim(row.seq, row.attempts), lease_end, values)
        del held[row.seq]
        if not recorded:
            report.lost.append(row.seq)
        ref = row.target.ref
        report.deliveries.append(
            Delivery(row.seq, row.key, row.topic, row.channel, ref, outcome, row.attempts, error, next_at)
        )
    return report
