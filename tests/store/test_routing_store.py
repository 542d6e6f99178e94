"""Routing through ingest and the store: assigned in the handoff's transaction, never re-routed, manual
assignments win, worked history is not re-routed, and the queue drains when a rep is available."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from builders import GOOD_FIT, activity, created, ev, touch
from leadpact.domain.routing import RoutingRules
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.roster import parse_roster
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.routing import drain_queue
from leadpact.services.routing_views import fairness_view, queue_view
from leadpact.services.violations import list_violation_views
from leadpact.store.tables import assignments, clocks, handoffs

MON = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 New York
SAT = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # Saturday


def roster(pact: Pact, *, time_off: bool = False, notify: bool = False) -> Any:
    ben: dict[str, Any] = {
        "id": "ben",
        "name": "Ben",
        "email": "ben@acme.example",
        "team": "smb",
        "weight": 2,
    }
    if time_off:
        ben["time_off"] = [{"from": "2026-03-01", "to": "2026-03-31"}]
    return parse_roster(
        {
            "teams": {"smb": {"calendar": "default"}},
            "reps": [
                {"id": "ana", "name": "Ana", "email": "ana@acme.example", "team": "smb", "weight": 1},
                ben,
            ],
            "routing": {
                "rules": [
                    {"when": {"field": "account_id", "op": "exists"}, "to": "account_owner"},
                    {"to": "smb"},
                ]
            },
        },
        pact,
    )


def run(
    engine: Engine,
    pact: Pact,
    routing: RoutingRules,
    now: datetime,
    *rows: dict[str, Any],
    team: Any | None = None,
) -> None:
    text = "".join(json.dumps(r) + "\n" for r in rows)
    rules = rules_from_pact(
        pact, known_reps=frozenset({"ana", "ben"}), rep_teams={"ana": "smb", "ben": "smb"}
    )
    report = ingest(
        engine, rules, vocabulary(pact), read_events(io.StringIO(text), "x.jsonl"), now=now, routing=routing
    )
    assert report.refused == 0


def mql(lead: str, at: datetime, **fields: Any) -> list[dict[str, Any]]:
    return [
        created(lead, at.isoformat(), **GOOD_FIT, **fields),
        activity(lead, at.isoformat(), "content_download", id=f"{lead}-a1"),
        activity(lead, at.isoformat(), "webinar_question", id=f"{lead}-a2"),
    ]  # medium intent


def owners(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return {r.lead_id: r.owner for r in conn.execute(select(handoffs.c.lead_id, handoffs.c.owner))}


def test_new_handoffs_are_routed_fairly_and_never_rerouted(engine: Engine, pact: Any) -> None:
    routing = RoutingRules.from_roster(roster(pact), rules_from_pact(pact).calendars)
    rows = [r for i in range(30) for r in mql(f"F{i:02d}", MON + timedelta(minutes=i))]
    run(engine, pact, routing, MON + timedelta(hours=1), *rows)
    got = owners(engine)
    assert sorted(v for v in got.values() if v) == ["ana"] * 10 + ["ben"] * 20  # weights 1 : 2
    with engine.connect() as conn:
        clock_owner = conn.execute(select(clocks.c.owner).where(clocks.c.lead_id == "F00")).scalars().first()
    assert clock_owner == got["F00"]
    view = fairness_view(engine, routing, MON, MON + timedelta(days=1), MON + timedelta(hours=2))
    assert view["reps"]["ben"]["received"] == 20 and abs(view["reps"]["ben"]["expected"] - 20) < 1e-9
    # A late activity that moves F00's handoff does not re-route it.
    run(
        engine,
        pact,
        routing,
        MON + timedelta(hours=3),
        activity("F00", (MON - timedelta(hours=1)).isoformat(), "demo_request", id="F00-late"),
    )
    assert owners(engine)["F00"] == got["F00"]
    with engine.connect() as conn:
        assert (
            conn.execute(select(assignments.c.seq).where(assignments.c.lead_id == "F00")).all().__len__() == 1
        )


def test_manual_assignment_wins_and_worked_history_is_not_rerouted(engine: Engine, pact: Any) -> None:
    routing = RoutingRules.from_roster(roster(pact), rules_from_pact(pact).calendars)
    run(
        engine,
        pact,
        routing,
        MON + timedelta(days=30),
        *mql("H1", MON),
        touch("H1", (MON + timedelta(minutes=3)).isoformat(), rep="ana"),
    )
    assert owners(engine)["H1"] == "ana"  # worked by ana before routing saw it
    run(engine, pact, routing, MON, *mql("M1", MON))
    run(
        engine,
        pact,
        routing,
        MON + timedelta(hours=1),
        ev(
            "assignment", "M1", (MON + timedelta(minutes=30)).isoformat(), id="M1-as", rep="ana", reason="VIP"
        ),
    )
    assert owners(engine)["M1"] == "ana"


def test_account_owner_takes_the_accounts_later_leads(engine: Engine, pact: Any) -> None:
    routing = RoutingRules.from_roster(roster(pact), rules_from_pact(pact).calendars)
    run(engine, pact, routing, MON, *mql("A1", MON, account_id="ACME"))
    first = owners(engine)["A1"]
    run(
        engine,
        pact,
        routing,
        MON + timedelta(hours=1),
        *mql("A2", MON + timedelta(hours=1), account_id="ACME"),
        *mql("A3", MON + timedelta(hours=1), account_id="ACME"),
    )
    got = owners(engine)
    assert got["A2"] == got["A3"] == first


def test_nobody_available_queues_records_a_violation_and_drains_later(engine: Engine, pact: Any) -> None:
    data = roster(pact, time_off=True)
    routing = RoutingRules.from_roster(data, rules_from_pact(pact).calendars)
    high = [created("Q1", SAT.isoformat(), **GOOD_FIT), activity("Q1", SAT.isoformat(), "demo_request")]
    run(engine, pact, routing, SAT, *high)  # Saturday, high intent: nobody working; ben is off
    assert owners(engine)["Q1"] is None
    [waiting] = queue_view(engine, SAT + timedelta(minutes=10))
    assert waiting["lead_id"] == "Q1" and "ben" in waiting["reason"]
    assert [v["kind"] for v in list_violation_views(engine, now=SAT)] == ["unassigned"]
    assert drain_queue(engine, routing, now=SAT + timedelta(hours=1)) == 0  # still Saturday
    monday = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # ana comes on shift
    assert drain_queue(engine, routing, now=monday) == 1
    assert owners(engine)["Q1"] == "ana" and queue_view(engine, monday) == []


def test_a_first_contact_breach_is_reassigned_and_the_clock_keeps_its_start(
    engine: Engine, pact: Any
) -> None:
    from leadpact.services.worker import record_due

    data = roster(pact).model_dump(mode="json", by_alias=True)
    data["routing"]["reassign_on_breach"] = True
    reassigning = parse_roster(data, pact)
    routing = RoutingRules.from_roster(reassigning, rules_from_pact(pact).calendars)
    high = [created("B1", MON.isoformat(), **GOOD_FIT), activity("B1", MON.isoformat(), "demo_request")]
    run(engine, pact, routing, MON, *high)
    first = owners(engine)["B1"]
    report = record_due(
        engine, now=MON + timedelta(minutes=30), mode="monitoring", roster=reassigning, routing=routing
    )
    assert report.breaches == 1 and report.reassigned == 1
    second = owners(engine)["B1"]
    assert second is not None and second != first
    with engine.connect() as conn:
        kinds = [
            r.kind
            for r in conn.execute(
                select(assignments.c.kind).where(assignments.c.lead_id == "B1").order_by(assignments.c.seq)
            )
        ]
        clock = conn.execute(
            select(clocks.c.started_at, clocks.c.owner).where(
                clocks.c.lead_id == "B1", clocks.c.kind == "first_contact"
            )
        ).one()
    assert kinds == ["round_robin", "reassign"]
    assert clock.started_at == MON and clock.owner == second
