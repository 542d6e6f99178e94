"""Replay a batch of leads and write what they derive, in the caller's transaction: their events, lead and
handoff rows, clocks, routing decisions and the day marks of the months whose metrics they change.

Every handoff the engine makes passes through here — by ingest, by a late event, by `pact apply` — so
every one is routed in the transaction that makes it and has its stored clocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from leadpact.domain.clocks import clocks_for, next_alert_at
from leadpact.domain.duplicates import PeopleIndex, Person, duplicate_flag
from leadpact.domain.packet import handoff_packet
from leadpact.domain.projection import Handoff, Projection
from leadpact.domain.replay import replay
from leadpact.domain.routing import RoutingRules
from leadpact.domain.rules import Rules, Versions
from leadpact.domain.timeutil import from_us
from leadpact.roster import Roster
from leadpact.services.routing import assign_handoffs
from leadpact.store import clocks as store_clocks
from leadpact.store import events as store_events
from leadpact.store import leads as store_leads
from leadpact.store.txn import Raced
from leadpact.store.unit import Unit

STORED, DUPLICATE, WAITING, REFUSED = "stored", "duplicate", "waiting", "refused"


@dataclass
class Result:
    line: int
    id: str | None
    status: str
    field: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "id": self.id, "status": self.status}
        if self.field is not None:
            out["field"] = self.field
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@dataclass
class Outcome:
    """What one batch did: the results of its events that were not simply stored, and its counts."""

    results: list[Result] = field(default_factory=list)
    stored: int = 0
    leads: int = 0

    def add(self, result: Result) -> None:
        self.results.append(result)


@dataclass(frozen=True)
class Setup:
    """What projecting needs besides the events: the pact versions, and routing (None: no roster)."""

    versions: Versions
    routing: RoutingRules | None = None
    roster: Roster | None = None


def project_leads(
    unit: Unit,
    lead_ids: Sequence[str],
    staged: dict[str, list[store_events.Staged]],
    setup: Setup,
    received_us: int,
) -> Outcome:
    """Replay these leads with their staged events (none: just replay), store the events the replay takes,
    and swap their derived rows, in the unit's transaction. Raises `Raced` when another process stored one of
    the events meanwhile."""
    conn = unit.conn
    out = Outcome()
    versions = setup.versions
    rules = versions.latest
    stored = store_events.stored_for(conn, lead_ids)
    erased = store_leads.erased_among(conn, lead_ids)
    recorded = store_clocks.recorded_levels(conn, lead_ids)
    clock_rows: list[dict[str, Any]] = []
    event_rows: list[tuple[Any, ...]] = []
    lead_rows: list[dict[str, Any]] = []
    handoff_rows: list[dict[str, Any]] = []
    replaced: list[str] = []
    projections: list[Projection] = []
    for lead_id in lead_ids:
        new = staged.get(lead_id, [])
        if lead_id in erased:
            day = erased[lead_id].date().isoformat()
            for item in new:
                out.add(
                    Result(
                        item.line, item.event.id, REFUSED, "lead_id", f"lead {lead_id} was erased on {day}"
                    )
                )
            continue
        projection = replay(
            lead_id,
            [*stored.get(lead_id, []), *(item.event for item in new)],
            versions,
            new_ids=frozenset(item.event.id for item in new),
        )
        for item in new:
            refusal = projection.refused.get(item.event.id)
            if refusal is not None:
                out.add(Result(item.line, item.event.id, REFUSED, refusal[0], refusal[1]))
                continue
            event_rows.append(store_events.event_row(item, received_us))
            if projection.exists:
                out.stored += 1
            else:
                out.add(
                    Result(
                        item.line, item.event.id, WAITING, None, f"waits for the lead.created of {lead_id}"
                    )
                )
        if projection.exists:
            projections.append(projection)
    _flag_duplicates(conn, projections)
    if setup.routing is not None:
        assign_handoffs(conn, setup.routing, projections, from_us(received_us), setup.roster)
    # before the clock rows are made: what it records is in `recorded`, so their next times skip it
    _judge_history(unit, projections, staged, versions, recorded, received_us)
    for projection in projections:
        replaced.append(projection.lead_id)
        lead_rows.append(store_leads.lead_row(projection))
        first_activity = min((a.at for a in projection.activities), default=None)
        first_touch = min((t.at for t in projection.touches if not t.automated), default=None)
        for handoff in projection.handoffs:
            in_force = versions.at(
                handoff.start_at
            )  # a handoff keeps the clocks of the pact it was made under
            handoff_rows.append(
                store_leads.handoff_row(
                    projection.lead_id,
                    handoff,
                    handoff_packet(projection, handoff, rules),
                    first_activity_at=first_activity,
                    first_touch_at=first_touch,
                    team=rules.team_of(handoff.owner),
                )
            )
            clock_rows.extend(_clock_rows(projection.lead_id, handoff, in_force, recorded))
    if store_events.insert_new_events(unit, event_rows) < len(event_rows):
        raise Raced("another process stored one of these events meanwhile")
    store_leads.replace_projections(unit, replaced, lead_rows, handoff_rows)
    store_clocks.replace_clocks(unit, replaced, clock_rows)
    out.leads = len(replaced)
    return out


def _judge_history(
    unit: Unit,
    projections: list[Projection],
    staged: dict[str, list[store_events.Staged]],
    versions: Versions,
    recorded: dict[store_clocks.ClockKey, set[str]],
    received_us: int,
) -> None:
    """The clocks of the history handoffs this call brought in are judged up to now, silently (§12)."""
    brought = {lead for lead, items in staged.items() if any(item.event.history for item in items)}
    past: list[dict[str, Any]] = []
    for p in projections:
        if p.lead_id not in brought:
            continue
        for handoff in p.handoffs:
            if handoff.history:
                rows = _clock_rows(p.lead_id, handoff, versions.at(handoff.start_at), recorded)
                past.extend(_with_instants(row) for row in rows)
    if past:
        from leadpact.services.worker import record_past

        zone = versions.latest.calendar().spec.timezone
        record_past(unit, past, now=from_us(received_us), recorded=recorded, zone=zone)


def _with_instants(row: dict[str, Any]) -> dict[str, Any]:
    """A stored clock row as the worker reads it back: instants, not microseconds."""
    out = dict(row)
    for name in ("started_at", "due_at", "met_at", "cancelled_at", "next_at"):
        if out.get(name) is not None:
            out[name] = from_us(int(out[name]))
    return out


def _flag_duplicates(conn: Connection, projections: list[Projection]) -> None:
    """Flag each lead that duplicates an earlier one (same email, or same person at the same account)."""
    people = {
        p.lead_id: Person.of(p.lead_id, p.created_at, p.fields)
        for p in projections
        if p.created_at is not None
    }
    if not people:
        return
    stored = store_leads.people_matching(
        conn,
        [x.email for x in people.values() if x.email],
        [x.account_id for x in people.values() if x.account_id],
    )
    everyone = PeopleIndex({**{x.lead_id: x for x in stored}, **people}.values())
    by_id = {p.lead_id: p for p in projections}
    for person in people.values():
        original = everyone.duplicate_of(person)
        if original is not None:
            flags = by_id[person.lead_id].flags
            if duplicate_flag(original) not in flags:
                flags.append(duplicate_flag(original))
    newcomers = PeopleIndex(people.values())
    for other in stored:  # an older lead arriving after its duplicate: flag the newer
        if other.lead_id in people:
            continue
        original = newcomers.duplicate_of(other)
        if original is not None:
            store_leads.add_lead_flag(conn, other.lead_id, duplicate_flag(original))


def _clock_rows(
    lead_id: str, handoff: Handoff, rules: Rules, recorded: dict[store_clocks.ClockKey, set[str]]
) -> list[dict[str, Any]]:
    team = rules.team_of(handoff.owner)
    rows = []
    for clock in clocks_for(handoff, rules.segment(handoff.segment), rules.calendar(team)):
        done = recorded.get((lead_id, clock.handoff, clock.kind), set())
        rows.append(
            store_clocks.clock_row(
                lead_id,
                clock,
                next_alert_at(clock, done),
                owner=handoff.owner,
                team=team,
                tier=handoff.tier,
                segment=handoff.segment,
            )
        )
    return rows
