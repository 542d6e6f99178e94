"""The touch minimum is owed before a disqualification or a recycle (the seed: "before disqualifying"): a
close short of it is one `min_touches` violation with its shortfall; an accepted, progressing lead owes
none; a touches clock's breach only warns the rep; the metric counts exactly the closes the replay says
owed it."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from builders import GOOD_FIT, activity, created, disposition, touch
from leadpact.domain.rules import Versions, rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.leads import lead_view
from leadpact.services.metrics import metrics, metrics_reference
from leadpact.services.violations import list_violation_views
from leadpact.services.worker import record_due
from leadpact.store.tables import clock_alerts, violations

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 New York
LATER = datetime(2026, 4, 15, tzinfo=UTC)  # every touches clock of March is due


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def run(engine: Engine, pact: Pact, *rows: dict[str, Any]) -> None:
    text = "".join(json.dumps(r) + "\n" for r in rows)
    report = ingest(
        engine, rules_from_pact(pact), vocabulary(pact), read_events(io.StringIO(text), "x.jsonl"), now=LATER
    )
    assert report.refused == 0, report.to_json()


def mql(lead: str, touches: int = 2, channels: tuple[str, ...] = ("phone",)) -> list[dict[str, Any]]:
    rows = [created(lead, at(0), **GOOD_FIT), activity(lead, at(0), "demo_request", id=f"{lead}-a")]
    rows += [
        touch(lead, at(60 * (i + 1)), channel=channels[i % len(channels)], id=f"{lead}-t{i}")
        for i in range(touches)
    ]
    return rows


def test_an_accepted_progressing_lead_owes_no_touches(engine: Engine, pact: Pact) -> None:
    run(engine, pact, *mql("A1"), disposition("A1", at(200), "accepted", id="A1-d"))
    view = lead_view(engine, rules_from_pact(pact), "A1", as_of=LATER)
    touches_clock = next(c for c in view["clocks"] if c["kind"] == "touches")
    assert touches_clock["status"] == "cancelled" and touches_clock["cancelled_at"] == at_z(200)
    record_due(engine, now=LATER, mode="monitoring")
    kinds = {v["kind"] for v in list_violation_views(engine, now=LATER) if v["lead_id"] == "A1"}
    assert kinds == {"first_contact"}  # its first touch came an hour in; nothing about touches
    with engine.connect() as conn:
        assert not conn.execute(select(clock_alerts).where(clock_alerts.c.kind == "touches")).all()


def test_a_touches_breach_warns_and_is_no_violation(engine: Engine, pact: Pact) -> None:
    run(engine, pact, *mql("B1"))  # 2 touches, still MQL 14 days on
    report = record_due(engine, now=LATER, mode="monitoring")
    with engine.connect() as conn:
        levels = {
            r.level
            for r in conn.execute(select(clock_alerts.c.level).where(clock_alerts.c.kind == "touches"))
        }
        stored = conn.execute(select(violations.c.kind)).scalars().all()
    assert "breach" in levels and "touches" not in stored
    # breaches: first contact (the first touch came an hour in) and disposition; the touches breach warns
    assert (report.breaches, report.warnings) == (2, 1)
    kinds = [v["kind"] for v in list_violation_views(engine, now=LATER) if v["lead_id"] == "B1"]
    assert "touches" not in kinds


def test_a_close_short_of_the_minimum_is_one_violation_with_its_shortfall(engine: Engine, pact: Pact) -> None:
    run(
        engine,
        pact,
        *mql("C1", touches=3),
        disposition("C1", at(60 * 24 * 3), "disqualified", "no_budget_or_timeline", by="ana"),
    )
    record_due(engine, now=LATER, mode="monitoring")
    views = [
        v
        for v in list_violation_views(
            engine, now=LATER, versions=Versions.single(rules_from_pact(pact)), timezone=pact.timezone
        )
        if v["lead_id"] == "C1"
    ]
    short = [v for v in views if v["kind"] == "min_touches"]
    assert [v["kind"] for v in views if v["kind"] in ("min_touches", "touches")] == ["min_touches"]
    assert short[0]["what"] == (
        "ana disqualified C1 (no_budget_or_timeline) after 3 of 8 touches on 1 of 2 channels in 14 days: "
        "5 more touches and 1 more channel needed"
    )


def test_a_reason_the_segment_exempts_owes_no_minimum_in_the_metric_either(engine: Engine) -> None:
    data = Pact().model_dump(mode="json")
    data["segments"] = {"smb": {"touches": {"exempt_reasons": ["wrong_industry"]}}}
    pact = Pact.model_validate(data)
    run(engine, pact, *mql("D1", touches=1), disposition("D1", at(60 * 24), "disqualified", "wrong_industry"))
    view = lead_view(engine, rules_from_pact(pact), "D1", as_of=LATER)
    assert view["handoffs"][0]["segment"] == "smb"
    rules = rules_from_pact(pact)
    for doc in (
        metrics(engine, pact, rules, "2026-03", as_of=LATER),
        metrics(engine, pact, rules, "2026-03", as_of=LATER, cache=False),
        metrics_reference(engine, pact, rules, "2026-03", as_of=LATER),
    ):
        assert doc["min_touch_rate"] is None  # nothing owed the minimum: no denominator, not 0.0
    assert not [v for v in list_violation_views(engine, now=LATER) if v["kind"] == "min_touches"]


def at_z(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
