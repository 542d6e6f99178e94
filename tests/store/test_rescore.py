"""A scoring change is a new pact version: history stays as the old pact made it; at the instant the new one
comes into force every open lead's gate is checked again (the rescore)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from builders import GOOD_FIT, activity, created, touch
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.services.ingest import ingest, reproject, vocabulary
from leadpact.services.leads import lead_view
from leadpact.services.rescore import rescore
from leadpact.services.versions import load_versions, record_version

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CHANGE = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday, 11:00 New York


def _with_fit_gate(fit: float, engagement: float = 30) -> Pact:
    data = Pact().model_dump(mode="json")
    data["scoring"]["mql"] = {"fit": fit, "engagement": engagement}
    data["segments"] = {"smb": {}}
    return Pact.model_validate(data)


def _ingest(engine: Engine, pact: Pact, now: datetime, *rows: dict[str, Any]) -> None:
    record_version(engine, pact, now)
    versions = load_versions(engine, pact, rules_from_pact, now=now)
    text = "".join(json.dumps(r) + "\n" for r in rows)
    report = ingest(engine, versions, vocabulary(pact), read_events(io.StringIO(text), "x.jsonl"), now=now)
    assert report.refused == 0


SHORT = {"employees": 500, "job_function": "marketing"}  # fit 35


def test_a_looser_gate_hands_off_at_the_instant_it_comes_into_force(engine: Engine) -> None:
    old, new = _with_fit_gate(40), _with_fit_gate(30)
    _ingest(
        engine,
        old,
        T0,
        created("S1", T0.isoformat(), **SHORT),
        activity("S1", (T0 + timedelta(minutes=5)).isoformat(), "demo_request"),
    )
    dry = rescore(engine, load_versions(engine, new, rules_from_pact, now=CHANGE), new.version, now=CHANGE)
    assert dry.newly_cross == ["S1"] and dry.scanned == 1
    assert (
        lead_view(engine, load_versions(engine, old, rules_from_pact, now=CHANGE), "S1", as_of=CHANGE)[
            "stage"
        ]
        == "raw"
    )  # a dry run changes nothing
    record_version(engine, new, CHANGE)
    versions = load_versions(engine, new, rules_from_pact, now=CHANGE)
    assert reproject(engine, versions, dry.newly_cross, now=CHANGE) == 1
    view = lead_view(engine, versions, "S1", as_of=CHANGE + timedelta(hours=1))
    assert view is not None and view["stage"] == "mql"
    [handoff] = view["handoffs"]
    assert handoff["mql_at"] == "2026-03-10T15:00:00Z" and handoff["trigger_event"] == f"pact:{new.version}"
    first = next(c for c in view["clocks"] if c["kind"] == "first_contact")
    assert first["started_at"] == "2026-03-10T15:00:00Z"  # sales' clock starts at the change
    assert any(e["type"] == "rescored" and e["data"]["handed_off"] for e in view["timeline"])


def test_a_stricter_gate_never_undoes_a_handoff_the_old_pact_made(engine: Engine) -> None:
    old, strict = _with_fit_gate(40), _with_fit_gate(40, engagement=60)  # one demo request is 50
    _ingest(
        engine,
        old,
        T0,
        created("M1", T0.isoformat(), **GOOD_FIT),
        activity("M1", (T0 + timedelta(minutes=5)).isoformat(), "demo_request"),
    )
    dry = rescore(
        engine, load_versions(engine, strict, rules_from_pact, now=CHANGE), strict.version, now=CHANGE
    )
    assert dry.fall_short == ["M1"] and dry.newly_cross == []
    _ingest(engine, strict, CHANGE, touch("M1", (CHANGE + timedelta(minutes=1)).isoformat()))
    view = lead_view(
        engine,
        load_versions(engine, strict, rules_from_pact, now=CHANGE),
        "M1",
        as_of=CHANGE + timedelta(hours=1),
    )
    assert view is not None and view["stage"] == "mql"
    assert view["handoffs"][0]["mql_at"] == "2026-03-02T15:05:00Z"  # judged by the pact in force then
