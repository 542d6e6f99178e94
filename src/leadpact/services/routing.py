"""Routing in the store: a new handoff gets its rep in the same transaction that makes it; nobody available
puts it in the queue (a violation, a message) until the worker finds someone.

A handoff already worked when it is first seen (a history import: it has a touch or a disposition) is owned
by the rep who worked it ("worked"), not routed again. A handoff is never re-routed when a late event moves
its instant; a manual `assignment` event always wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from leadpact.domain.fairness import Ledger, Load
from leadpact.domain.projection import Handoff, Projection
from leadpact.domain.routing import Decision, LeadView, RoutingRules, route
from leadpact.roster import Roster
from leadpact.store import routing as store_routing
from leadpact.store import txn
from leadpact.store.clocks import record_violations
from leadpact.store.unit import Unit, write


def lead_view(lead_id: str, fields: dict[str, Any], handoff: Handoff | None, source: str | None) -> LeadView:
    tier = handoff.tier if handoff is not None else None
    segment = handoff.segment if handoff is not None else None
    return view_of(lead_id, fields, tier, segment, source)


def view_of(
    lead_id: str, fields: dict[str, Any], tier: str | None, segment: str | None, source: str | None
) -> LeadView:
    """What routing reads of a lead: fields with segment, tier and source; account and email domain."""
    email = fields.get("email")
    domain = email.rsplit("@", 1)[1].lower() if isinstance(email, str) and "@" in email else None
    return LeadView(
        lead_id,
        {**fields, "segment": segment, "tier": tier, "source": source},
        account_id=fields.get("account_id"),
        email_domain=domain,
        tier=tier,
    )


@dataclass
class Router:
    """The routing state of one transaction: the ledger (locked on PostgreSQL) and the loads, kept current in
    memory as decisions are made, written back on `save`."""

    conn: Connection
    rules: RoutingRules
    now: datetime
    ledger: Ledger = field(default_factory=Ledger)
    before: dict[str, float] = field(default_factory=dict)
    today: dict[str, int] = field(default_factory=dict)
    open: dict[str, int] = field(default_factory=dict)
    loaded: bool = False
    decisions: int = 0
    roster: Roster | None = None  # who hears that a handoff waits for a rep (the team's manager, webhooks)
    pending: list[dict[str, Any]] = field(default_factory=list)  # assignments written in one go on `save`

    def _load(self) -> None:
        if self.loaded:
            return
        self.before = store_routing.load_ledger(self.conn, lock=True)
        self.ledger = Ledger(dict(self.before))
        self.open = store_routing.open_leads(self.conn)
        self.today = assigned_today(self.conn, self.rules, self.now)
        self.loaded = True

    def decide(self, lead: LeadView, at: datetime) -> Decision:
        self._load()
        by_domain = "email_domain" in self.rules.match_accounts_by

        def owner(view: LeadView) -> str | None:
            domain = view.email_domain if by_domain else None
            found = store_routing.account_owner(self.conn, view.account_id, domain)
            for row in self.pending:  # this transaction's assignments, not written yet
                same = (view.account_id and row["account_id"] == view.account_id) or (
                    domain and row["email_domain"] == domain
                )
                if same and row["rep"] is not None and (found is None or row["mql_at"] < found[1]):
                    found = (row["rep"], row["mql_at"])
            return None if found is None else found[0]

        decision = route(lead, at, self.rules, self.ledger, Load(dict(self.today), dict(self.open)), owner)
        if decision.rep is not None:
            self.today[decision.rep] = self.today.get(decision.rep, 0) + 1
            self.open[decision.rep] = self.open.get(decision.rep, 0) + 1
        self.decisions += 1
        return decision

    def record(self, lead: LeadView, n: int, mql_at: datetime, decision: Decision, at: datetime) -> None:
        self.pending.append(
            {
                "lead_id": lead.lead_id,
                "n": n,
                "rep": decision.rep,
                "team": decision.team,
                "kind": decision.kind,
                "rule": decision.rule,
                "reason": decision.reason,
                "skipped": [list(s) for s in decision.skipped],
                "expected": dict(decision.expected),
                "mql_at": mql_at,
                "at": at,
                "account_id": lead.account_id,
                "email_domain": lead.email_domain,
            },
        )
        if decision.rep is None:
            record_violations(
                self.conn,
                [
                    {
                        "key": f"{lead.lead_id}:{n}:unassigned",
                        "lead_id": lead.lead_id,
                        "n": n,
                        "kind": "unassigned",
                        "at": at,
                        "owed_by": "sales",
                        "owner": None,
                        "team": decision.team,
                        "what": f"no rep available for {lead.lead_id}: {decision.reason}",
                        "recorded_at": at,
                    }
                ],
            )
            self._notify_unassigned(lead, n, decision, at)

    def _notify_unassigned(self, lead: LeadView, n: int, decision: Decision, at: datetime) -> None:
        """The handoff waits: the team's manager and the webhooks hear of it."""
        if self.roster is None:
            return
        import os

        from leadpact.notify.outbox import enqueue
        from leadpact.notify.targets import email_targets, targets_from_roster

        env = dict(os.environ)
        team = self.roster.teams.get(decision.team) if decision.team else None
        targets = [t for t in targets_from_roster(self.roster, env) if t.channel == "webhook"]
        targets += email_targets(self.roster, [team.manager if team is not None else None], env)
        if targets:
            payload = {
                "topic": "routing.unassigned",
                "lead_id": lead.lead_id,
                "handoff": n,
                "team": decision.team,
                "what": f"no rep available for {lead.lead_id}: {decision.reason}",
                "at": at.isoformat(),
            }
            enqueue(
                self.conn,
                key=f"{lead.lead_id}:{n}:unassigned",
                topic="routing.unassigned",
                payload=payload,
                targets=targets,
                now=at,
            )

    def record_worked(
        self, lead: LeadView, n: int, mql_at: datetime, rep: str | None, team: str | None, at: datetime
    ) -> None:
        self.pending.append(
            {
                "lead_id": lead.lead_id,
                "n": n,
                "rep": rep,
                "team": team,
                "kind": "worked",
                "rule": None,
                "reason": f"worked by {rep} before routing saw it",
                "mql_at": mql_at,
                "at": at,
                "account_id": lead.account_id,
                "email_domain": lead.email_domain,
            },
        )

    def save(self) -> None:
        store_routing.record_assignments(self.conn, self.pending)
        self.pending = []
        if self.loaded:
            store_routing.save_ledger(self.conn, self.before, self.ledger.credit)


def stored_view(conn: Connection, lead_id: str, n: int) -> tuple[LeadView, Any] | None:
    """The routing view of a stored handoff, with its row; None when the lead or the handoff is gone."""
    import json

    from leadpact.store.leads import get_handoff, get_lead

    h = get_handoff(conn, lead_id, n)
    lead = get_lead(conn, lead_id)
    if h is None or lead is None:
        return None
    return view_of(lead_id, json.loads(lead["fields"]), h["tier"], h["segment"], h["source"]), h


def assigned_today(conn: Connection, rules: RoutingRules, now: datetime) -> dict[str, int]:
    """Each rep's assignments on its own local date of `now` (what the daily capacity counts)."""
    out: dict[str, int] = {}
    for zone in {rep.zone.key for rep in rules.reps.values()}:
        start = now.astimezone(ZoneInfo(zone)).replace(hour=0, minute=0, second=0, microsecond=0)
        counts = store_routing.assigned_between(conn, start, start + timedelta(days=1))
        for rep in rules.reps.values():
            if rep.zone.key == zone and rep.id in counts:
                out[rep.id] = counts[rep.id]
    return out


def assign_handoffs(
    conn: Connection,
    rules: RoutingRules,
    projections: list[Projection],
    now: datetime,
    roster: Roster | None = None,
) -> None:
    """Give every MQL handoff of these leads its owner: the one on record, a manual assignment, the rep who
    worked it, or a routing decision made now (in the order of the handoffs' instants)."""
    on_record = store_routing.latest_assignments(conn, [p.lead_id for p in projections])
    todo: list[tuple[datetime, Projection, Handoff]] = []
    for p in projections:
        for h in p.handoffs:
            if h.kind != "mql" or h.mql_at is None or h.history:
                continue  # history is not routed: its owners are its own assignments (DESIGN.md §12)
            row = on_record.get((p.lead_id, h.n))
            if h.owner_kind == "assignment":
                continue  # a manual assignment event wins
            if row is not None:
                if row["rep"] is not None:
                    h.owner, h.owner_kind = row["rep"], "routed"
                elif h.owner_kind != "worked":
                    h.owner = None  # still waiting in the queue
                continue
            todo.append((h.mql_at, p, h))
    if not todo:
        return
    router = Router(conn, rules, now, roster=roster)
    for mql_at, p, h in sorted(todo, key=lambda item: (item[0], item[1].lead_id, item[2].n)):
        view = lead_view(p.lead_id, p.fields, h, p.source)
        if h.owner_kind == "worked":  # already worked when first seen: not routed again
            worker = rules.reps.get(h.owner) if h.owner is not None else None
            router.record_worked(
                view, h.n, mql_at, h.owner, worker.team if worker else None, max(mql_at, now)
            )
            continue
        at = max(mql_at, now)
        decision = router.decide(view, at)
        router.record(view, h.n, mql_at, decision, at)
        h.owner = decision.rep
        h.owner_kind = "routed" if decision.rep is not None else None
    router.save()
    for p in projections:
        if p.handoffs and p.owner_kind != "assignment":
            p.owner = p.handoffs[-1].owner


def set_owner(unit: Unit, rules: RoutingRules, lead_id: str, n: int, decision: Decision) -> None:
    """Give a stored handoff and its clocks the decided rep (and the rep's team)."""
    rep = rules.reps.get(decision.rep) if decision.rep is not None else None
    team = rep.team if rep is not None else decision.team
    store_routing.set_handoff_owner(unit, lead_id, n, decision.rep, team)


def drain_queue(engine: Engine, rules: RoutingRules, *, now: datetime) -> int:
    """Route the handoffs waiting in the queue now that someone may be available; returns how many."""
    with engine.connect() as conn:
        waiting = store_routing.queued(conn)
        conn.rollback()
        if not waiting:
            return 0
        leads = sorted({r["lead_id"] for r in waiting})
        return write(conn, now, lambda unit: _drain(unit, rules, leads, now))


def _drain(unit: Unit, rules: RoutingRules, leads: list[str], now: datetime) -> int:
    """In one unit of work: route the queued handoffs of these leads that someone can take now."""
    conn = unit.conn
    assigned = 0
    txn.lock_leads(conn, leads)  # leads first, then routing
    router = Router(conn, rules, now)
    for row in store_routing.queued(conn):
        found = stored_view(conn, row["lead_id"], row["n"])
        if found is None or found[1]["ended_at"] is not None or found[1]["disposition_at"] is not None:
            continue
        view = found[0]
        decision = router.decide(view, now)
        if decision.rep is None:
            continue
        router.record(view, row["n"], row["mql_at"], decision, now)
        set_owner(unit, rules, row["lead_id"], row["n"], decision)
        assigned += 1
    router.save()
    return assigned


def reassign_on_breach(unit: Unit, rules: RoutingRules, lead_id: str, n: int, *, now: datetime) -> str | None:
    """`routing.reassign_on_breach`: a breached first contact goes to someone else, recorded; the clock keeps
    its original start. Returns the new rep, or None when nobody else is available (the owner keeps it)."""
    import dataclasses

    conn = unit.conn
    found = stored_view(conn, lead_id, n)
    if found is None or found[1]["first_touch_at"] is not None:
        return None
    view, h = found
    txn.lock_leads(conn, [lead_id])  # leads before routing, as every writer takes them
    current = h["owner"]
    reps = dict(rules.reps)
    if current in reps:
        reps[current] = dataclasses.replace(reps[current], active=False)  # not the rep who missed it
    router = Router(conn, dataclasses.replace(rules, reps=reps), now)
    decision = router.decide(view, now)
    if decision.rep is None:
        return None
    reason = f"reassigned from {current or 'nobody'} on a first-contact breach; {decision.reason}"
    moved = dataclasses.replace(decision, kind="reassign", reason=reason)  # type: ignore[arg-type]
    router.record(view, n, h["mql_at"], moved, now)
    router.save()
    set_owner(unit, rules, lead_id, n, decision)
    return decision.rep
