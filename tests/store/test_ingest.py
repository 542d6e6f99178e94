"""Ingest against real SQLite and PostgreSQL: each good event stored once, every bad one named."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from builders import BANT, GOOD_FIT, activity, created, disposition, ev, stage, touch
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.services.erase import erase_lead
from leadpact.services.ingest import IngestReport, ingest, vocabulary
from leadpact.services.leads import lead_view
from leadpact.store.tables import events, handoffs, leads

NOW = datetime(2026, 4, 1, tzinfo=UTC)


def lines(*items: dict[str, Any] | str) -> str:
    return "\n".join(item if isinstance(item, str) else json.dumps(item) for item in items) + "\n"


def run(engine: Engine, pact: Any, text: str, *, atomic: bool = False, name: str = "x.jsonl") -> IngestReport:
    rules = rules_from_pact(pact, known_reps=frozenset({"ana"}))
    return ingest(
        engine, rules, vocabulary(pact), read_events(io.StringIO(text), name), now=NOW, atomic=atomic
    )


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def by_line(report: IngestReport) -> dict[int, tuple[str, str | None]]:
    return {r.line: (r.status, r.field) for r in report.results}


MIXED = lines(
    created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),  # 1 good
    activity("L1", "2026-03-02T10:00:00-05:00", "demo_request", id="a1"),  # 2 good
    disposition("L1", "2026-03-02T09:30:00-05:00", "accepted", id="d-early"),  # 3 out of order: before MQL
    touch("L1", "2026-03-02T10:03:00-05:00", id="t1"),  # 4 good
    activity("L1", "2026-03-02T10:00:00-05:00", "demo_request", id="a1"),  # 5 duplicate
    activity("L1", "2026-03-02T10:01:00-05:00", "demo_request", id="a1"),  # 6 conflict
    '{"id": "bad", "type": "activity", "lead_id": "L1", "at": "2026-03-02T10:00:00"',  # 7 bad JSON
    activity("L1", "2026-03-02T10:00:00", "demo_request", id="naive"),  # 8 naive time
    activity("L1", "2026-03-02T10:00:00Z", "telepathy", id="kind"),  # 9 unknown kind
    activity("L2", "2026-03-02T10:00:00-05:00", "demo_request", id="early"),  # 10 waits for L2
    disposition("L1", "2026-03-02T11:00:00-05:00", "rejected", id="noreason"),  # 11 no reason
    disposition("L1", "2026-03-02T11:00:00-05:00", "accepted", id="d1"),  # 12 good
    "",  # 13 blank
    ev("lead.created", "L3", "2026-03-02T09:00:00-05:00", id="L3-c", source="webinar"),  # 14 no email
)


def test_a_mixed_file_stores_exactly_the_good_events_once(engine: Engine, pact: Any) -> None:
    report = run(engine, pact, MIXED)
    assert report.summary == {"stored": 4, "duplicate": 1, "waiting": 1, "refused": 7}
    got = by_line(report)
    assert got == {
        3: ("refused", "data.outcome"),
        5: ("duplicate", None),
        6: ("refused", "id"),
        7: ("refused", "(line)"),
        8: ("refused", "at"),
        9: ("refused", "data.kind"),
        10: ("waiting", None),
        11: ("refused", "data.reason"),
        14: ("refused", "data.email"),
    }
    reasons = {r.line: r.reason or "" for r in report.results}
    assert "raw -> sal" in reasons[3] or "accepted only when its source is a sales source" in reasons[3]
    assert "no UTC offset" in reasons[8]
    assert "telepathy" in reasons[9]
    assert count(engine, events) == 5  # 4 stored + 1 waiting
    view = lead_view(engine, rules_from_pact(pact), "L1", as_of=NOW)
    assert view is not None and view["stage"] == "sal"
    assert view["handoffs"][0]["first_touch_at"] == "2026-03-02T15:03:00Z"
    # Sent again: everything good is a duplicate now, nothing stored twice.
    again = run(engine, pact, MIXED)
    assert (
        again.summary["stored"] == 0 and again.summary["duplicate"] == 6
    )  # 5 stored + the in-file duplicate
    assert count(engine, events) == 5


def test_waiting_events_apply_when_the_create_arrives(engine: Engine, pact: Any) -> None:
    report = run(
        engine,
        pact,
        lines(
            activity("L2", "2026-03-02T10:00:00-05:00", "demo_request", id="a"),
            touch("L2", "2026-03-02T10:02:00-05:00", id="t"),
        ),
    )
    assert report.summary["waiting"] == 2 and count(engine, leads) == 0
    rules = rules_from_pact(pact)
    waiting = lead_view(engine, rules, "L2", as_of=NOW)
    assert waiting is not None and [w["id"] for w in waiting["waiting"]] == ["a", "t"]
    report = run(engine, pact, lines(created("L2", "2026-03-02T09:00:00-05:00", **GOOD_FIT)))
    assert report.summary["stored"] == 1
    view = lead_view(engine, rules, "L2", as_of=NOW)
    assert view is not None and view["stage"] == "mql"
    assert view["handoffs"][0]["mql_at"] == "2026-03-02T15:00:00Z"
    assert view["handoffs"][0]["first_touch_at"] == "2026-03-02T15:02:00Z"


def test_a_late_activity_moves_the_handoff_instant(engine: Engine, pact: Any) -> None:
    run(
        engine,
        pact,
        lines(
            created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
            activity("L1", "2026-03-03T10:00:00-05:00", "demo_request"),
        ),
    )
    run(engine, pact, lines(activity("L1", "2026-03-02T12:00:00-05:00", "trial_signup", id="late")))
    with engine.connect() as conn:
        row = conn.execute(select(handoffs.c.mql_at, handoffs.c.trigger_event)).one()
    assert row.mql_at == datetime(2026, 3, 2, 17, 0, tzinfo=UTC) and row.trigger_event == "late"


def test_atomic_stores_nothing_when_anything_is_refused(engine: Engine, pact: Any) -> None:
    report = run(engine, pact, MIXED, atomic=True)
    assert report.rolled_back and report.summary["stored"] == 0
    assert count(engine, events) == 0 and count(engine, leads) == 0
    good = lines(
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
    )
    report = run(engine, pact, good, atomic=True)
    assert not report.rolled_back and report.summary["stored"] == 2 and count(engine, events) == 2


def test_csv_with_data_columns(engine: Engine, pact: Any) -> None:
    text = (
        "id,type,lead_id,at,data.email,data.source,data.employees,data.kind,data.channel,data.rep,"
        "data.automated\n"
        "c1,lead.created,C1,2026-03-02T09:00:00-05:00,c1@example.com,content,450,,,,\n"
        "a1,activity,C1,2026-03-02T09:10:00-05:00,,,,content_download,,,\n"
        "t1,touch,C1,2026-03-02T09:20:00-05:00,,,,,phone,ana,false\n"
        "t2,touch,C1,2026-03-02T09:21:00-05:00,,,,,pigeon,ana,false\n"
    )
    report = run(engine, pact, text, name="events.csv")
    assert report.summary == {"stored": 3, "duplicate": 0, "waiting": 0, "refused": 1}
    [bad] = report.results
    assert (bad.line, bad.field) == (5, "data.channel")  # the header is line 1
    view = lead_view(engine, rules_from_pact(pact), "C1", as_of=NOW)
    assert view is not None and view["fields"]["employees"] == 450


def test_erase_removes_personal_data_and_refuses_later_events(engine: Engine, pact: Any) -> None:
    run(
        engine,
        pact,
        lines(
            created("L1", "2026-03-02T09:00:00-05:00", first_name="Ada", last_name="L", **GOOD_FIT),
            activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
        ),
    )
    done = erase_lead(engine, "L1", now=NOW, reason="GDPR request")
    assert done is not None and done.events == 2
    with engine.connect() as conn:
        stored = [json.loads(d) for (d,) in conn.execute(select(events.c.data))]
        lead = conn.execute(select(leads.c.email, leads.c.erased_at)).one()
    assert all("Ada" not in json.dumps(d) and "l1@example.com" not in json.dumps(d) for d in stored)
    assert lead.email is None and lead.erased_at == NOW
    assert count(engine, handoffs) == 1  # the fact of the handoff stays for the metrics
    report = run(engine, pact, lines(touch("L1", "2026-03-02T11:00:00-05:00")))
    assert report.summary["refused"] == 1 and "erased" in (report.results[0].reason or "")
    assert erase_lead(engine, "NOPE", now=NOW) is None


TIMELINE = [
    created("P1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
    activity("P1", "2026-03-02T09:10:00-05:00", "content_download", id="pa1"),
    ev("lead.updated", "P1", "2026-03-02T09:15:00-05:00", id="pu1", seniority="manager"),
    activity("P1", "2026-03-02T09:20:00-05:00", "webinar_question", id="pa2"),
    activity("P1", "2026-03-02T09:30:00-05:00", "pricing_page_view", id="pa3"),
    touch("P1", "2026-03-02T09:35:00-05:00", id="pt1"),
    touch("P1", "2026-03-02T09:50:00-05:00", channel="email", id="pt2"),
    activity("P1", "2026-03-02T11:00:00-05:00", "demo_request", id="pa4"),
    touch("P1", "2026-03-03T09:00:00-05:00", channel="linkedin", id="pt3"),
]
JUDGED = [
    disposition("P1", "2026-03-04T09:00:00-05:00", "accepted", id="pd1"),
    stage("P1", "2026-03-05T09:00:00-05:00", "sql", id="ps1", **BANT),
]


def _state(engine: Engine) -> Any:
    with engine.connect() as conn:
        lead = conn.execute(select(leads.c.stage, leads.c.fields, leads.c.fit, leads.c.stage_times)).one()
        rows = conn.execute(
            select(
                handoffs.c.n,
                handoffs.c.mql_at,
                handoffs.c.tier,
                handoffs.c.first_touch_at,
                handoffs.c.touches,
                handoffs.c.disposition,
                handoffs.c.sql_at,
            )
        ).all()
    return tuple(lead), [tuple(r) for r in rows]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=5))
def test_facts_split_into_calls_in_any_order_give_the_ordered_projection(
    engine: Engine, pact: Any, rnd: random.Random, calls: int
) -> None:
    from leadpact.store.tables import erasures

    with engine.begin() as conn:
        for table in (events, leads, handoffs, erasures):
            conn.execute(table.delete())
    facts = TIMELINE[:]
    rnd.shuffle(facts)
    cuts = sorted(rnd.sample(range(1, len(facts)), k=min(calls - 1, len(facts) - 1)))
    parts = [facts[a:b] for a, b in zip([0, *cuts], [*cuts, len(facts)], strict=True)]
    for part in parts:
        report = run(engine, pact, lines(*part))
        assert report.refused == 0
    duplicate = rnd.choice(TIMELINE)
    assert run(engine, pact, lines(duplicate)).summary["duplicate"] == 1
    report = run(engine, pact, lines(*JUDGED))
    assert report.summary["stored"] == 2
    got = _state(engine)
    with engine.begin() as conn:
        for table in (events, leads, handoffs):
            conn.execute(table.delete())
    run(engine, pact, lines(*TIMELINE, *JUDGED))
    assert got == _state(engine)
    assert count(engine, events) == len(TIMELINE) + len(JUDGED)


@pytest.mark.parametrize("shuffles", [3])
def test_one_shuffled_call_equals_the_ordered_call(engine: Engine, pact: Any, shuffles: int) -> None:
    ordered = [*TIMELINE, *JUDGED]
    run(engine, pact, lines(*ordered))
    expected = _state(engine)
    rnd = random.Random(7)
    for _ in range(shuffles):
        with engine.begin() as conn:
            for table in (events, leads, handoffs):
                conn.execute(table.delete())
        mixed = ordered[:]
        rnd.shuffle(mixed)
        assert run(engine, pact, lines(*mixed)).summary["stored"] == len(ordered)
        assert _state(engine) == expected
