"""The outbox: notifications are rows written in the deciding transaction and delivered after it commits.

``enqueue`` writes one pending row per target inside the caller's transaction (it never commits), so
a rolled-back decision sends nothing. ``deliver_due`` runs in the worker:

1. **claim** (one short transaction): pending rows due at ``now`` — on PostgreSQL with
   ``FOR UPDATE SKIP LOCKED``, so concurrent workers split the rows instead of sharing them — get
   ``attempts + 1`` and a lease (``next_attempt_at = now + CLAIM_LEASE``); then it commits, so a
   second worker finds them not due;
2. **send** each claimed row outside any transaction;
3. **record** each outcome in its own short transaction: ``sent`` (with ``sent_at = now``), or a
   retry at ``now + backoff(attempts)``, or ``dead`` once ``attempts`` reaches ``max_attempts``,
   with ``last_error`` either way.

Backoff, after the n-th failed attempt: ``min(30 s × 2^(n−1), 1 h)`` — 30 s, 1 min, 2, 4, 8, 16,
32 min, then every hour; no jitter, so the schedule is exact and testable. A worker that dies
between claim and record leaves its rows leased: they come due again at the lease's end and are
sent again (at least once — receivers deduplicate by key). A row whose last allowed attempt was
interrupted that way is marked ``dead`` at its next claim.

On SQLite one worker runs (DESIGN.md §6); the claim is a plain select there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from leadpact.domain.timeutil import as_utc, iso_utc
from leadpact.notify.targets import Target
from leadpact.notify.transport import OutboxRow, Transport
from leadpact.store.tables import outbox

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
# Long enough for a whole batch of sends at their timeouts; a crashed worker's rows return after it.
CLAIM_LEASE = timedelta(minutes=15)
KEY_MAX = 300  # outbox.key is String(300)
TARGET_MAX = 500  # outbox.target is String(500)

Outcome = Literal["sent", "retry", "dead"]


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


def _insert_if_absent(conn: Connection, values: dict[str, Any]) -> int:
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
        written += _insert_if_absent(
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
    def failed(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.outcome != "sent"]

    def summary(self) -> dict[str, int]:
        return {"sent": len(self.sent), "retrying": len(self.retrying), "dead": len(self.dead)}


def _claim(
    engine: Engine, now: datetime, batch: int, max_attempts: int, keys: Collection[str] | None
) -> tuple[list[OutboxRow], list[Delivery]]:
    """Take due rows for this worker and commit that, so no other worker sends them in this pass."""
    rows: list[OutboxRow] = []
    given_up: list[Delivery] = []
    with engine.begin() as conn:
        query = (
            select(outbox)
            .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at, outbox.c.seq)
            .limit(batch)
        )
        if keys is not None:
            query = query.where(outbox.c.key.in_(list(keys)))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for r in conn.execute(query).mappings().all():
            target = Target.from_column(r["channel"], r["target"])
            if r["attempts"] >= max_attempts:  # its last attempt was claimed and never recorded
                error = r["last_error"] or "the worker stopped during the last attempt; outcome unknown"
                conn.execute(
                    update(outbox).where(outbox.c.seq == r["seq"]).values(status="dead", last_error=error)
                )
                given_up.append(
                    Delivery(
                        r["seq"], r["key"], r["topic"], r["channel"], target.ref, "dead", r["attempts"], error
                    )
                )
                continue
            attempts = r["attempts"] + 1
            conn.execute(
                update(outbox)
                .where(outbox.c.seq == r["seq"])
                .values(attempts=attempts, next_attempt_at=now + CLAIM_LEASE)
            )
            rows.append(
                OutboxRow(r["seq"], r["key"], r["topic"], target, json.loads(r["payload"]), attempts, now)
            )
    return rows, given_up


def _record(engine: Engine, row: OutboxRow, now: datetime, error: str | None, max_attempts: int) -> Delivery:
    """Store one outcome. Guarded by (status, attempts): a worker whose lease ran out and whose row was
    claimed again meanwhile leaves the newer claim alone."""
    values: dict[str, Any]
    next_at: datetime | None = None
    outcome: Outcome
    if error is None:
        outcome, values = "sent", {"status": "sent", "sent_at": now, "last_error": None}
    elif row.attempts >= max_attempts:
        outcome, values = "dead", {"status": "dead", "last_error": error}
    else:
        next_at = now + backoff(row.attempts)
        outcome, values = "retry", {"last_error": error, "next_attempt_at": next_at}
    with engine.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.seq == row.seq, outbox.c.status == "pending", outbox.c.attempts == row.attempts)
            .values(**values)
        )
    return Delivery(
        row.seq, row.key, row.topic, row.channel, row.target.ref, outcome, row.attempts, error, next_at
    )


def deliver_due(
    engine: Engine,
    *,
    now: datetime,
    transport: Transport,
    batch: int = 100,
    max_attempts: int = 8,
    keys: Collection[str] | None = None,
) -> DeliveryReport:
    """One pass: claim up to ``batch`` due rows, send them outside any transaction, record each outcome.

    ``keys`` limits the pass to those rows (``leadpact notify test`` delivers only its own).
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    now = as_utc(now)
    rows, given_up = _claim(engine, now, batch, max_attempts, keys)
    report = DeliveryReport(list(given_up))
    for row in rows:
        error: str | None = None
        try:
            transport.send(row)
        except Exception as exc:  # any failure of a send is that row's failure, never the worker's
            error = str(exc) or type(exc).__name__
        report.deliveries.append(_record(engine, row, now, error, max_attempts))
    return report
