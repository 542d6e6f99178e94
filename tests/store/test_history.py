"""History (DESIGN.md §12) on SQLite and PostgreSQL: a CRM's past taken as given — external MQLs at the
source's instants, owners by their assignments with no routing, dated stages in date order, clocks judged
and never notified — while routing delay and fairness stay about live handoffs."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from builders import GOOD_FIT, activity, created, ev, stage
from leadpact.domain.routing import RoutingRules
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.services.ingest import IngestReport, ingest, vocabulary
from leadpact.services.routing_views import fairness_view, queue_view
from leadpact.services.worker import record_due
from leadpact.store.tables import assignments, clock_alerts, handoffs, outbox, violations
from store.test_routing_store import roster

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # the import runs on Monday 2 March 2026, 10:00 New York


def history(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "history": True}


def backfill_2018() -> list[dict[str, Any]]:
    """A lead the CRM qualified in 2018, owned by ben, taken to SQL with no SAL and won; no touches at all."""
    return [
        history(created("H1", "2018-05-02T09:00:00-04:00", source="webinar", **GOOD_FIT)),
        history(ev("assignment", "H1", "2018-05-02T09:00:00-04:00", id="H1-owner", rep="ben")),
        history(stage("H1", "2018-05-03T10:00:00-04:00", "mql", id="H1-mql")),
        history(stage("H1", "2018-05-10T10:00:00-04:00", "sql", id="H1-sql", by="ben")),
        history(stage("H1", "2018-06-01T10:00:00-04:00", "opportunity", id="H1-opp", by="ben", amount=30000)),
        history(stage("H1", "2018-07-01T10:00:00-04:00", "customer", id="H1-won", by="ben")),
    ]


def run(engine: Engine, pact: Pact, rows: list[dict[str, Any]], now: datetime = NOW) -> IngestReport:
    text = "".join(json.dumps(r) + "\n" for r in rows)
    rules = rules_from_pact(
        pact, known_reps=frozenset({"ana", "ben"}), rep_teams={"ana": "smb", "ben": "smb"}
    )
    routing = RoutingRules.from_roster(roster(pact), rules.calendars)
    return ingest(
        engine, rules, vocabulary(pact), read_events(io.StringIO(text), "x.jsonl"), now=now, routing=routing
    )


def test_a_lead_the_crm_qualified_in_2018_is_an_mql_then_and_owned_by_its_assignment(
    engine: Engine, pact: Pact
) -> None:
    report = run(engine, pact, backfill_2018())
    assert report.refused == 0, report.to_json()
    with engine.connect() as conn:
        (h,) = conn.execute(select(handoffs)).mappings()
        routed = conn.execute(select(assignments)).mappings().all()
    assert h["kind"] == "mql" and bool(h["history"])
    assert h["mql_at"] == datetime(2018, 5, 3, 14, 0, tzinfo=UTC)  # the source's instant, not the import's
    assert h["sql_at"] is not None and h["sal_at"] is None  # MQL -> SQL with no SAL: history's own order
    assert h["customer_at"] == datetime(2018, 7, 1, 14, 0, tzinfo=UTC)
    assert h["owner"] == "ben" and h["closer"] == "ben"
    assert routed == []  # not routed: no routing delay of eight years, no round-robin turn taken
    routing = RoutingRules.from_roster(roster(pact), rules_from_pact(pact).calendars)
    fairness = fairness_view(engine, routing, datetime(2018, 1, 1, tzinfo=UTC), NOW, now=NOW)
    assert all(rep["received"] == 0 for rep in fairness["reps"].values())
    assert queue_view(engine, now=NOW) == []  # and nothing of 2018 waits for a rep


def test_history_clocks_are_judged_and_never_notified(engine: Engine, pact: Pact) -> None:
    run(engine, pact, backfill_2018())
    with engine.connect() as conn:
        alerts = conn.execute(select(clock_alerts)).mappings().all()
        judged = conn.execute(select(violations)).mappings().all()
    breach = [a for a in alerts if a["kind"] == "first_contact" and a["level"] == "breach"]
    assert len(breach) == 1 and breach[0]["sent"] in (False, 0)  # no touch in 2018: breached, as judged
    assert all(a["sent"] in (False, 0) for a in alerts)
    assert [v["kind"] for v in judged] == ["first_contact"]
    later = record_due(engine, now=NOW + timedelta(days=30), mode="monitoring", roster=roster(pact))
    assert (later.breaches, later.warnings, later.messages) == (0, 0, 0)  # the worker finds nothing to send
    with engine.connect() as conn:
        assert conn.execute(select(outbox)).first() is None


def test_an_mql_stage_or_an_illegal_move_without_history_is_refused(engine: Engine, pact: Pact) -> None:
    rows = [
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        stage("L1", "2026-03-02T09:10:00-05:00", "mql", id="L1-mql"),
        stage("L1", "2026-03-02T09:20:00-05:00", "sql", id="L1-sql"),
    ]
    out = {r.id: r for r in run(engine, pact, rows).results}
    assert out["L1-mql"].field == "data.stage" and "history event" in str(out["L1-mql"].reason)
    assert out["L1-sql"].field == "data.stage" and "raw -> sql is not allowed" in str(out["L1-sql"].reason)


def test_a_history_flag_is_part_of_the_event(engine: Engine, pact: Pact) -> None:
    rows = backfill_2018()
    assert run(engine, pact, rows).summary["stored"] == len(rows)
    again = run(engine, pact, rows)
    assert again.summary == {"stored": 0, "duplicate": len(rows), "waiting": 0, "refused": 0}
    live = {**rows[3]}
    live.pop("history")
    (conflict,) = run(engine, pact, [live]).results
    assert conflict.field == "id" and "conflict" in str(conflict.reason)


def test_live_activity_after_a_backfill_is_routed_at_its_own_instant(engine: Engine, pact: Pact) -> None:
    run(engine, pact, backfill_2018())
    live = [
        created("L2", "2026-03-02T09:55:00-05:00", **GOOD_FIT),
        activity("L2", "2026-03-02T09:58:00-05:00", "demo_request", id="L2-a"),
    ]
    assert run(engine, pact, live).refused == 0
    with engine.connect() as conn:
        (routed,) = conn.execute(select(assignments)).mappings()
    assert routed["lead_id"] == "L2" and (routed["at"] - routed["mql_at"]) < timedelta(minutes=5)


def deals() -> list[dict[str, Any]]:
    """Two of ben's deals and one of ana's closing in Q3 2018: won, lost, lost; one with a product."""
    rows = backfill_2018()  # H1: won by ben on 1 July 2018
    for lead, closer, product in (("H2", "ben", "pro"), ("H3", "ana", None)):
        extra = {"product": product} if product else {}
        rows += [
            history(created(lead, "2018-06-01T09:00:00-04:00", source="webinar", **GOOD_FIT)),
            history(stage(lead, "2018-06-02T10:00:00-04:00", "mql", id=f"{lead}-mql")),
            history(stage(lead, "2018-06-10T10:00:00-04:00", "opportunity", id=f"{lead}-opp", by=closer)),
            history(
                stage(lead, "2018-07-15T10:00:00-04:00", "closed_lost", id=f"{lead}-lost", by=closer, **extra)
            ),
        ]
    return rows


def test_lost_deals_count_in_the_win_rate_by_closer_and_by_product(engine: Engine, pact: Pact) -> None:
    from leadpact.services.metrics import metrics, metrics_reference

    assert run(engine, pact, deals()).refused == 0
    rules = rules_from_pact(pact)
    m = metrics(engine, pact, rules, "2018-Q3", as_of=NOW)
    assert (m["customers"], m["closed_lost"], m["win_rate"]) == (1, 2, 1 / 3)
    assert m["by_closer"]["ben"]["win_rate"] == 0.5 and m["by_closer"]["ana"]["win_rate"] == 0.0
    assert m["by_product"]["pro"]["closed_lost"] == 1
    assert metrics(engine, pact, rules, "2018-Q2", as_of=NOW)["win_rate"] is None  # nothing closed: null
    for cache in (True, False):  # the packs, the tables and the reference give one number
        again = metrics(engine, pact, rules, "2018-Q3", as_of=NOW, cache=cache)
        assert again["win_rate"] == m["win_rate"] and again["by_closer"] == m["by_closer"]
    reference = metrics_reference(engine, pact, rules, "2018-Q3", as_of=NOW)
    assert reference["win_rate"] == m["win_rate"] and reference["by_product"] == m["by_product"]


def test_a_period_whose_history_has_no_touches_has_null_response_and_touch_metrics(
    engine: Engine, pact: Pact
) -> None:
    from leadpact.services.metrics import metrics, metrics_reference

    untracked = [
        {**e, "data": {**e["data"], "touches_tracked": False}} if e["type"] == "stage" else e
        for e in backfill_2018()
    ]
    assert run(engine, pact, untracked).refused == 0
    rules = rules_from_pact(pact)
    for doc in (
        metrics(engine, pact, rules, "2018-05", as_of=NOW),
        metrics(engine, pact, rules, "2018-05", as_of=NOW, cache=False),
        metrics_reference(engine, pact, rules, "2018-05", as_of=NOW),
    ):
        assert doc["mql_count"] == 1 and doc["mql_to_sql"] == 1.0  # the funnel is known
        assert doc["touches_tracked"] is False
        for name in ("response_compliance", "worked_rate", "touches_per_lead", "disposition_compliance"):
            assert doc[name] is None, name  # unknown, not 0
        assert doc["response_minutes"] == {"median": None, "mean": None, "p90": None}
    with engine.connect() as conn:
        assert conn.execute(select(clock_alerts)).first() is None  # no clock to judge without touches
    live = [created("L9", "2018-05-20T10:00:00-04:00", **GOOD_FIT)]
    live.append(activity("L9", "2018-05-20T10:01:00-04:00", "demo_request", id="L9-a"))
    run(engine, pact, live)
    mixed = metrics(engine, pact, rules, "2018-05", as_of=NOW)
    assert mixed["touches_tracked"] is True and mixed["worked_rate"] == 0.0  # live, tracked: L9 not worked


def test_touches_tracked_is_for_history_only(engine: Engine, pact: Pact) -> None:
    rows = [
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        stage("L1", "2026-03-02T09:20:00-05:00", "sql", id="L1-sql", touches_tracked=False),
    ]
    (refused,) = run(engine, pact, rows).results
    assert refused.field == "data.touches_tracked"
