"""A pact change is a new version, in force only once applied: history stays as the old pact made it; at the
instant the new one comes into force every open lead's gate is checked again, and each lead it hands off is
routed and clocked like any other handoff."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from builders import GOOD_FIT, activity, created, touch
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.roster import Roster, parse_roster
from leadpact.services.ingest import ingest
from leadpact.services.leads import lead_view
from leadpact.services.rescore import apply_pact, preview
from leadpact.services.versions import record_next, versions_in_force
from leadpact.services.workspace import Workspace
from leadpact.store.tables import assignments, clocks, handoffs

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CHANGE = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday, 11:00 New York


def _with_gate(fit: float, engagement: float = 30) -> Pact:
    data = Pact().model_dump(mode="json")
    data["scoring"]["mql"] = {"fit": fit, "engagement": engagement}
    data["segments"] = {"smb": {}}
    return Pact.model_validate(data)


def _roster(pact: Pact) -> Roster:
    return parse_roster(
        {
            "teams": {"smb": {"calendar": "default"}},
            "reps": [{"id": "ana", "name": "Ana", "email": "ana@acme.example", "team": "smb"}],
            "routing": {"rules": [{"to": "smb"}]},
        },
        pact,
    )


def workspace(engine: Engine, file_pact: Pact, now: datetime, roster: Roster | None = None) -> Workspace:
    """The workspace a command opens: the store's versions in force, and the pact file as it is now."""
    url = engine.url.render_as_string(hide_password=False)
    return Workspace(
        engine, url, Path("pact.yaml"), file_pact, roster, versions_in_force(engine, file_pact, now)
    )


def _ingest(ws: Workspace, now: datetime, *rows: dict[str, Any]) -> None:
    text = "".join(json.dumps(r) + "\n" for r in rows)
    events = read_events(io.StringIO(text), "x.jsonl")
    report = ingest(ws.engine, ws.versions, ws.vocab, events, now=now, routing=ws.routing, roster=ws.roster)
    assert report.refused == 0


SHORT = {"employees": 500, "job_function": "marketing"}  # fit 35


def test_a_looser_gate_hands_off_routes_and_clocks_at_the_instant_it_is_applied(engine: Engine) -> None:
    old, new = _with_gate(40), _with_gate(30)
    ws = workspace(engine, old, T0, _roster(old))
    _ingest(
        ws,
        T0,
        created("S1", T0.isoformat(), **SHORT),
        activity("S1", (T0 + timedelta(minutes=5)).isoformat(), "demo_request"),
    )
    ws = workspace(engine, new, CHANGE, _roster(old))
    assert ws.file_differs and ws.pact.version == old.version  # an edited file is not in force by itself
    dry = preview(ws, now=CHANGE)
    assert dry.newly_cross == ["S1"] and dry.scanned == 1 and dry.version_to == new.version
    assert lead_view(engine, ws.versions, "S1", as_of=CHANGE)["stage"] == "raw"  # a dry run changes nothing

    report = apply_pact(ws, now=CHANGE)
    assert report.applied == 1 and report.newly_cross == ["S1"] and not report.resumed
    assert ws.pact.version == new.version and not ws.file_differs and not ws.apply_pending
    view = lead_view(engine, ws.versions, "S1", as_of=CHANGE + timedelta(hours=1))
    assert view is not None and view["stage"] == "mql"
    [handoff] = view["handoffs"]
    assert handoff["mql_at"] == "2026-03-10T15:00:00Z" and handoff["trigger_event"] == f"pact:{new.version}"
    assert handoff["owner"] == "ana" and handoff["routing"]["routing_delay_seconds"] == 0
    with engine.connect() as conn:
        stored = conn.execute(
            select(handoffs.c.owner, handoffs.c.team).where(handoffs.c.lead_id == "S1")
        ).one()
        clock_rows = conn.execute(
            select(clocks.c.kind, clocks.c.started_at, clocks.c.owner).where(clocks.c.lead_id == "S1")
        ).all()
        routed = conn.execute(
            select(assignments.c.rep, assignments.c.at).where(assignments.c.lead_id == "S1")
        ).all()
    assert tuple(stored) == ("ana", "smb")
    assert {row.kind for row in clock_rows} == {"first_contact", "touches"}
    assert all(
        row.started_at == CHANGE and row.owner == "ana" for row in clock_rows
    )  # sales' clock starts now
    assert [tuple(r) for r in routed] == [("ana", CHANGE)]
    assert any(e["type"] == "rescored" and e["data"]["handed_off"] for e in view["timeline"])
    again = apply_pact(ws, now=CHANGE + timedelta(minutes=1))
    assert again.applied == 0 and again.version_from == again.version_to == new.version


def test_a_stricter_gate_never_undoes_a_handoff_and_flags_it(engine: Engine) -> None:
    old, strict = _with_gate(40), _with_gate(40, engagement=60)  # one demo request is 50
    ws = workspace(engine, old, T0)
    _ingest(
        ws,
        T0,
        created("M1", T0.isoformat(), **GOOD_FIT),
        activity("M1", (T0 + timedelta(minutes=5)).isoformat(), "demo_request"),
    )
    ws = workspace(engine, strict, CHANGE)
    dry = preview(ws, now=CHANGE)
    assert dry.fall_short == ["M1"] and dry.newly_cross == []
    report = apply_pact(ws, now=CHANGE)
    assert report.fall_short == ["M1"] and report.applied == 1
    flag = f"below_gate:{strict.version}"
    with engine.connect() as conn:
        flags = json.loads(
            conn.execute(select(handoffs.c.flags).where(handoffs.c.lead_id == "M1")).scalar_one()
        )
    assert flags == [flag]
    _ingest(ws, CHANGE, touch("M1", (CHANGE + timedelta(minutes=1)).isoformat()))
    view = lead_view(engine, ws.versions, "M1", as_of=CHANGE + timedelta(hours=1))
    assert view is not None and view["stage"] == "mql"
    assert view["handoffs"][0]["mql_at"] == "2026-03-02T15:05:00Z"  # judged by the pact in force then
    assert view["handoffs"][0]["flags"] == [flag]  # the replay after a new event keeps the flag


def test_ingest_with_an_edited_pact_keeps_the_version_in_force(engine: Engine) -> None:
    old, new = _with_gate(40), _with_gate(30)
    _ingest(workspace(engine, old, T0), T0, created("S1", T0.isoformat(), **SHORT))
    ws = workspace(engine, new, CHANGE)
    _ingest(ws, CHANGE, activity("S1", (CHANGE + timedelta(minutes=1)).isoformat(), "demo_request"))
    assert [v.version for v in ws.recorded] == [old.version]
    view = lead_view(engine, ws.versions, "S1", as_of=CHANGE + timedelta(hours=1))
    assert view is not None and view["stage"] == "raw"  # the old gate (fit 40) still judges it


def test_an_interrupted_apply_is_finished_by_the_next(engine: Engine) -> None:
    old, new = _with_gate(40), _with_gate(30)
    ws = workspace(engine, old, T0, _roster(old))
    _ingest(
        ws,
        T0,
        created("S1", T0.isoformat(), **SHORT),
        activity("S1", (T0 + timedelta(minutes=5)).isoformat(), "demo_request"),
    )
    assert (
        record_next(engine, new, CHANGE) is not None
    )  # recorded, then the process died before re-projecting
    later = CHANGE + timedelta(hours=2)
    ws = workspace(engine, new, later, _roster(old))
    assert ws.apply_pending and not ws.file_differs
    report = apply_pact(ws, now=later)
    assert report.resumed and report.newly_cross == ["S1"] and not ws.apply_pending
    view = lead_view(engine, ws.versions, "S1", as_of=later)
    assert (
        view["handoffs"][0]["mql_at"] == "2026-03-10T15:00:00Z"
    )  # at the version's instant, not the resume's
    assert view["handoffs"][0]["owner"] == "ana"


def test_the_first_opening_puts_the_file_in_force_once(engine: Engine) -> None:
    pact = _with_gate(40)
    first = versions_in_force(engine, pact, T0)
    second = versions_in_force(engine, _with_gate(30), CHANGE)  # a later opening with an edited file
    assert [(v.seq, v.version, v.effective_at) for v in first] == [(1, pact.version, None)]
    assert [(v.seq, v.version) for v in second] == [(1, pact.version)]
