"""The clock worker: record warnings and breaches exactly once, the violations they make, and the messages
they send; then deliver the outbox.

Each pass claims due clocks in batches (FOR UPDATE SKIP LOCKED on PostgreSQL), records what is due in the
same transaction as the messages it writes to the outbox, and commits; delivery happens after commit. A
worker killed mid-batch loses its uncommitted batch, which the next pass claims again; the unique key of
each (clock, level) makes a second recording impossible.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping

from leadpact.domain.clocks import BREACH, due_alerts, next_alert_at
from leadpact.domain.owed import clock_missed, violates
from leadpact.domain.routing import RoutingRules
from leadpact.domain.timeutil import iso_utc
from leadpact.roster import Roster
from leadpact.store import clocks as store_clocks
from leadpact.store import leads as store_leads
from leadpact.store import txn
from leadpact.store.unit import Unit


@dataclass
class WorkerReport:
    claimed: int = 0
    warnings: int = 0
    breaches: int = 0
    superseded: int = 0
    messages: int = 0
    delivered: int = 0
    failed: int = 0  # attempts that failed this pass (retried later or given up)
    dead: int = 0  # of those, the messages given up
    dropped: int = 0  # messages not sent because their target left the roster
    failures: list[dict[str, Any]] = field(default_factory=list)  # failed by reason and target
    assigned: int = 0  # queued handoffs routed to a rep who became available
    reassigned: int = 0  # first-contact breaches handed to another rep (routing.reassign_on_breach)
    packs: int = 0  # month packs read again because their month changed (services.packs.refresh_stale)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}

    def add(self, other: WorkerReport) -> None:
        """Count another pass's (or batch's) work in this one."""
        for name, value in other.__dict__.items():
            mine = getattr(self, name)
            setattr(self, name, mine + value)


@dataclass(frozen=True)
class Audience:
    """Who hears about an alert. Monitoring mode shows a breach to the rep only; enforcing tells managers."""

    enforcing: bool
    roster: Roster | None
    env: Mapping[str, str]

    @property
    def any_targets(self) -> bool:
        """Whether anyone could be told at all (else messages are not even composed)."""
        if self.roster is None:
            return False
        notify = self.roster.notify
        return bool(notify.webhooks or notify.slack or notify.email)

    def emails(self, level: str, owner: str | None, team: str | None) -> list[str]:
        if self.roster is None:
            return []
        out = []
        rep = next((r for r in self.roster.reps if r.id == owner), None) if owner else None
        if rep is not None and getattr(rep, "email", None):
            out.append(rep.email)
        if level == BREACH and self.enforcing:
            team_name = team or (rep.team if rep is not None else None)
            team_cfg = self.roster.teams.get(team_name) if team_name else None
            if team_cfg is not None and team_cfg.manager:
                out.append(team_cfg.manager)
        return out


def _payload(
    row: RowMapping, level: str, at: datetime, handoff: RowMapping | None, mode: str
) -> dict[str, Any]:
    packet = json.loads(handoff["packet"]) if handoff is not None and handoff["packet"] else None
    return {
        "topic": "clock.breached" if level == BREACH and violates(row["kind"]) else "clock.warning",
        "mode": mode,
        "lead_id": row["lead_id"],
        "handoff": row["n"],
        "clock": {
            "kind": row["kind"],
            "level": level,
            "rule": row["rule"],
            "started_at": iso_utc(row["started_at"]),
            "due_at": iso_utc(row["due_at"]),
            "at": iso_utc(at),
        },
        "owner": row["owner"],
        "team": row["team"],
        "tier": row["tier"],
        "segment": row["segment"],
        "packet": packet,
    }


def _enqueue(conn: Connection, audience: Audience, key: str, payload: dict[str, Any], now: datetime) -> int:
    try:
        from leadpact.notify.outbox import enqueue
        from leadpact.notify.targets import email_targets, targets_from_roster
    except ImportError:  # notifications not installed: the null notifier
        return 0
    level = BREACH if payload["topic"] == "clock.breached" else "warn"  # a touches breach only warns the rep
    targets = []
    if audience.roster is not None:
        for target in targets_from_roster(audience.roster, audience.env):
            if target.channel == "webhook" or (level == BREACH and audience.enforcing):
                targets.append(target)
    targets.extend(
        email_targets(
            audience.roster, audience.emails(level, payload["owner"], payload["team"]), audience.env
        )
    )
    if not targets:
        return 0
    return int(enqueue(conn, key=key, topic=payload["topic"], payload=payload, targets=targets, now=now) or 0)


def _record_batch(
    unit: Unit,
    rows: list[RowMapping],
    now: datetime,
    recorded: dict[store_clocks.ClockKey, set[str]],
    audience: Audience,
    mode: str,
    report: WorkerReport,
    routing: RoutingRules | None = None,
    zone: str = "UTC",
    quiet: bool = False,
    stored: bool = True,
) -> None:
    """Record what is due for a batch of claimed clocks: alerts, violations and next times in three
    statements; messages only for alerts this worker inserted (another worker may have recorded the rest).
    A touches clock's breach is recorded and warns the rep; it is no violation (`domain.owed`). `quiet`:
    judged and recorded, never sent (history, DESIGN.md §12). `stored` False: the clocks are about to be
    written with their next times (from `recorded`), so none is updated here."""
    conn = unit.conn
    alert_rows: list[dict[str, Any]] = []
    sends: dict[tuple[str, int, str, str], tuple[RowMapping, datetime, bool]] = {}
    updates: list[dict[str, Any]] = []
    for row in rows:
        clock = store_clocks.clock_from_row(row)
        key = (row["lead_id"], row["n"], row["kind"])
        done = recorded[key]
        for level, at, due_send in due_alerts(clock, done, now):
            send = due_send and not quiet
            alert_rows.append(
                {
                    "lead_id": key[0],
                    "n": key[1],
                    "kind": key[2],
                    "level": level,
                    "at": at,
                    "due_at": clock.due_at,
                    "recorded_at": now,
                    "sent": send,
                }
            )
            sends[(*key, level)] = (row, at, send)
            done.add(level)
        updates.append({"l": key[0], "nn": key[1], "k": key[2], "x": next_alert_at(clock, done)})
    inserted = store_clocks.record_alerts(conn, alert_rows)
    violation_rows = []
    for lead_id, n, kind, level in sorted(inserted):
        row, at, send = sends[(lead_id, n, kind, level)]
        if level == BREACH and violates(kind):
            report.breaches += 1
            violation_rows.append(
                {
                    "key": f"{lead_id}:{n}:{kind}:breach",
                    "lead_id": lead_id,
                    "n": n,
                    "kind": kind,
                    "at": row["due_at"],
                    "owed_by": "sales",
                    "owner": row["owner"],
                    "team": row["team"],
                    "what": clock_missed(row["owner"], kind, lead_id, row["rule"], row["due_at"], zone),
                    "recorded_at": now,
                }
            )
        elif send or (quiet and level != BREACH):
            report.warnings += 1
        else:
            report.superseded += 1
        if send and audience.any_targets:
            handoff = next((h for h in store_leads.get_handoffs(conn, lead_id) if h["n"] == n), None)
            report.messages += _enqueue(
                conn, audience, f"{lead_id}:{n}:{kind}:{level}", _payload(row, level, at, handoff, mode), now
            )
    store_clocks.record_violations(conn, violation_rows)
    if stored:
        store_clocks.set_next_many(conn, updates)
    if routing is not None and audience.roster is not None and audience.roster.routing.reassign_on_breach:
        from leadpact.services.routing import reassign_on_breach

        for lead_id, n, kind, level in sorted(inserted):
            moved = kind == "first_contact" and level == BREACH
            if moved and reassign_on_breach(unit, routing, lead_id, n, now=now) is not None:
                report.reassigned += 1


def record_past(
    unit: Unit, rows: list[dict[str, Any]], *, now: datetime, recorded: dict[Any, set[str]], zone: str
) -> WorkerReport:
    """Judge the clocks a history import makes up to `now`, in its transaction, before they are written
    (`recorded` learns what is recorded, for their next times): their warnings, breaches and violations are
    recorded as the worker would, and none is ever sent — nothing about a clock that ended
    before the import is delivered (DESIGN.md §12). What falls due later is the worker's, as for any clock."""
    report = WorkerReport()
    if rows:
        silent = Audience(enforcing=False, roster=None, env={})
        past: list[Any] = rows  # dicts read as the claimed rows are
        _record_batch(
            unit, past, now, recorded, silent, "history", report, zone=zone, quiet=True, stored=False
        )
    return report


def record_due(
    engine: Engine,
    *,
    now: datetime,
    mode: str,
    roster: Roster | None = None,
    env: Mapping[str, str] | None = None,
    batch: int = 500,
    report: WorkerReport | None = None,
    max_batches: int | None = None,
    routing: RoutingRules | None = None,
    timezone: str = "UTC",
) -> WorkerReport:
    """Record every warning and breach due at `now`, batch by batch, each batch one transaction. With the
    roster's `routing.reassign_on_breach`, a breached first contact is reassigned in the same transaction."""
    report = report or WorkerReport()
    audience = Audience(mode == "enforcing", roster, dict(os.environ if env is None else env))
    batches = 0
    while max_batches is None or batches < max_batches:
        part = WorkerReport()
        with engine.connect() as conn:

            def work() -> int:
                nonlocal part
                part = WorkerReport()  # a batch run again counts once
                rows = store_clocks.claim_due(conn, now, batch)
                if not rows:
                    conn.rollback()
                    return 0
                unit = Unit(conn, now)
                recorded = store_clocks.alerts_for(conn, [(r["lead_id"], r["n"], r["kind"]) for r in rows])
                _record_batch(unit, rows, now, recorded, audience, mode, part, routing, timezone)
                unit.commit()
                return len(rows)

            claimed = txn.retrying(conn, work)  # a collision with another writer: the batch again
        if not claimed:
            break
        part.claimed = claimed
        report.add(part)
        batches += 1
    return report


def deliver(
    engine: Engine,
    *,
    now: datetime,
    report: WorkerReport,
    roster: Roster | None,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Deliver what the outbox holds (after commit, outside any transaction), each message to its target as
    the roster has it now; a message whose target the roster no longer has is dropped, not sent. ``clock``
    tells the time while the pass sends (lease renewals, attempt times)."""
    try:
        from leadpact.notify.outbox import deliver_due
        from leadpact.notify.reasons import merge_groups
        from leadpact.notify.targets import current_targets
        from leadpact.notify.transport import HttpSmtpTransport
    except ImportError:
        return
    environment = dict(os.environ if env is None else env)
    with HttpSmtpTransport(environment) as transport:
        result = deliver_due(
            engine, now=now, transport=transport, targets=current_targets(roster, environment), clock=clock
        )
    counts = result.summary()
    report.delivered += counts["sent"]
    report.failed += counts["retrying"] + counts["dead"]
    report.dead += counts["dead"]
    report.dropped += counts["dropped"]
    report.failures = merge_groups(report.failures, result.failure_groups())
