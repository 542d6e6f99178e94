"""Month packs (services/packs.py) on SQLite and PostgreSQL: a period answered from packs is exactly the
period read from the tables, through any history of late, out-of-order, duplicate and retracted events; a
pack is read again exactly when something it holds changed."""

from __future__ import annotations

import io
import json
import random
import re
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from builders import activity, created, ev, touch
from leadpact.demo.generator import generate
from leadpact.domain.metrics.columns import Codes
from leadpact.domain.metrics.period_columns import PeriodColumns
from leadpact.domain.periods import parse_period
from leadpact.domain.routing import Decision
from leadpact.domain.rules import rules_from_pact
from leadpact.domain.timeutil import to_us
from leadpact.importers.readers import read_events
from leadpact.services import packs
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.metrics import metrics, metrics_reference
from leadpact.services.routing import set_owner
from leadpact.store import packs as store_packs
from leadpact.store.tables import metadata, period_marks, period_packs
from leadpact.store.unit import write

NOW = datetime(2026, 7, 1, tzinfo=UTC)  # metrics as of
RECEIVED = datetime(2026, 4, 20, tzinfo=UTC)  # ingest's now: changes from Feb 17th on are logged lead by lead
PERIODS = ("2026-02", "2026-03", "2026-04", "2026-W11", "2026-W14", "2026-Q1", "2026-03-10..2026-04-20")


def same(a: PeriodColumns, b: PeriodColumns) -> list[str]:
    """Where two column sets differ (values, not how strings are coded): the names of the columns."""
    out: list[str] = []
    for part in ("handoffs", "clocks", "activities"):
        x, y = getattr(a, part), getattr(b, part)
        for f in fields(x):
            u, v = getattr(x, f.name), getattr(y, f.name)
            if isinstance(u, Codes):
                equal = [u.value(i) for i in range(u.codes.size)] == [v.value(i) for i in range(v.codes.size)]
            elif isinstance(u, np.ndarray):
                equal = u.shape == v.shape and bool(np.array_equal(u, v))
            else:
                equal = list(u) == list(v)
            if not equal:
                out.append(f"{part}.{f.name}")
    if not np.array_equal(a.activity_seq, b.activity_seq):
        out.append("activity_seq")
    return out


def run(engine: Engine, pact: Any, events: list[dict[str, Any]], strict: bool = True) -> None:
    text = "".join(json.dumps(e) + "\n" for e in events)
    report = ingest(
        engine,
        rules_from_pact(pact),
        # RECEIVED sits inside the months these tests write (it decides which changes are logged lead by
        # lead); the events after it are not "in the future" here
        replace(vocabulary(pact), future_tolerance=timedelta(days=366)),
        read_events(io.StringIO(text), "x.jsonl"),
        now=RECEIVED,
    )
    assert report.refused == 0 or not strict, report.results[:3]


def both(engine: Engine, pact: Any, period: str, as_of: datetime = NOW) -> dict[str, Any]:
    """The document from the packs, after checking it is the document read from the tables, exactly."""
    rules = rules_from_pact(pact)
    cached = metrics(engine, pact, rules, period, as_of=as_of)
    fresh = metrics(engine, pact, rules, period, as_of=as_of, cache=False)
    assert cached == fresh, period
    # revenue attribution splits what revenue counts: the won amounts of the period's customers
    assert cached["revenue_attribution"]["total"] == pytest.approx(cached["revenue"]["total"])
    assert cached["revenue_attribution"]["count"] == cached["customers"]
    p = parse_period(period, pact.timezone)
    assert same(packs.period_columns(engine, p), packs.period_columns(engine, p, cache=False)) == []
    return cached


def profile_of(engine: Engine, pact: Any, period: str) -> dict[str, float]:
    packs.flush()  # the packs saved in the background are there
    profile: dict[str, float] = {}
    metrics(engine, pact, rules_from_pact(pact), period, as_of=NOW, profile=profile)
    return profile


def wipe(engine: Engine) -> None:
    packs.flush()
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


def month(pact: Any) -> list[dict[str, Any]]:
    """A few leads of March 2026 (the DST switch is on the 8th): A reaches an opportunity on the 11th and is
    won on the 26th; B is touched; C is created and touched."""
    good = {"employees": 500, "job_function": "marketing", "seniority": "director", "industry": "software"}
    return [
        created("A", "2026-03-02T09:00:00-05:00", source="webinar", **good),
        activity("A", "2026-03-02T10:00:00-05:00", "demo_request", id="A-a1", campaign="ads", asset="/d"),
        touch("A", "2026-03-02T10:05:00-05:00", id="A-t1"),
        ev("disposition", "A", "2026-03-03T09:00:00-05:00", id="A-d", outcome="accepted"),
        ev("stage", "A", "2026-03-05T09:00:00-05:00", id="A-s", stage="sql"),
        ev("stage", "A", "2026-03-11T09:00:00-04:00", id="A-o", stage="opportunity", amount=20000),
        ev("stage", "A", "2026-03-26T09:00:00-04:00", id="A-w", stage="customer"),
        created("B", "2026-03-09T09:00:00-04:00", source="content", **good),
        activity("B", "2026-03-09T09:30:00-04:00", "demo_request", id="B-a1"),
        touch("B", "2026-03-09T09:40:00-04:00", id="B-t1"),
        created("C", "2026-03-16T09:00:00-04:00", source="event"),
        touch("C", "2026-03-16T09:10:00-04:00", id="C-t1"),
    ]


def test_a_pack_is_used_until_something_in_its_month_changes(engine: Engine, pact: Any) -> None:
    run(engine, pact, month(pact))
    first = both(engine, pact, "2026-03")
    assert first["mql_count"] == 2  # A and B; C has no fit
    profile = profile_of(engine, pact, "2026-03")
    assert profile["packs.used"] == 1 and "packs.built" not in profile
    # a late MQL in March: the pack is read again and counts it
    good = {"employees": 800, "job_function": "marketing", "seniority": "vp", "industry": "software"}
    run(
        engine,
        pact,
        [
            created("D", "2026-03-20T09:00:00-04:00", source="webinar", **good),
            activity("D", "2026-03-20T09:30:00-04:00", "demo_request", id="D-a1"),
        ],
    )
    profile = profile_of(engine, pact, "2026-03")  # D's rows are read, the rest comes from the pack
    assert profile.get("packs.patched") == 1 and "packs.used" not in profile
    assert both(engine, pact, "2026-03")["mql_count"] == 3


def test_a_write_that_changes_nothing_a_metric_reads_keeps_the_pack(engine: Engine, pact: Any) -> None:
    run(engine, pact, month(pact))
    both(engine, pact, "2026-03")
    with engine.connect() as conn:
        before = conn.execute(select(period_marks.c.day, period_marks.c.gen)).all()
    # B's page view in June replays B, whose March rows stay as they were
    run(engine, pact, [activity("B", "2026-06-10T09:00:00-04:00", "page_view", id="B-a2")])
    with engine.connect() as conn:
        after = conn.execute(select(period_marks.c.day, period_marks.c.gen)).all()
    assert sorted(before) == sorted(after)
    assert profile_of(engine, pact, "2026-03").get("packs.used") == 1


def test_a_clock_due_next_month_is_refreshed_with_its_handoff(engine: Engine, pact: Any) -> None:
    """A low-tier MQL on the last afternoon of March: its first-contact clock (1 business day) is due on
    April 1st, in April's pack, though the handoff is dated in March only. The touch that meets it must
    reach April's pack."""
    good = {"employees": 500, "job_function": "marketing", "seniority": "director", "industry": "software"}
    run(
        engine,
        pact,
        [
            created("E", "2026-03-31T14:00:00-04:00", source="event", **good),
            activity("E", "2026-03-31T14:30:00-04:00", "event_attended", id="E-a1"),
            activity("E", "2026-03-31T15:00:00-04:00", "webinar_attended", id="E-a2"),
        ],
    )
    april = both(engine, pact, "2026-04")
    assert april["mql_count"] == 0 and april["response_compliance"] == 0.0  # due April 1st, missed
    run(engine, pact, [touch("E", "2026-04-01T10:00:00-04:00", id="E-t1")])
    assert both(engine, pact, "2026-04")["response_compliance"] == 1.0


def test_a_late_activity_before_an_opportunity_is_attributed(engine: Engine, pact: Any) -> None:
    run(engine, pact, month(pact))
    assert set(both(engine, pact, "2026-03")["attribution"]["first_touch"]["campaign"]) == {"ads"}
    # it arrives after the pack was built, stamped before A's first activity
    run(
        engine,
        pact,
        [activity("A", "2026-03-01T09:00:00-05:00", "page_view", id="A-a0", campaign="spring", asset="/s")],
    )
    m = both(engine, pact, "2026-03")
    assert set(m["attribution"]["first_touch"]["campaign"]) == {"spring"}
    assert set(m["attribution"]["assets"]) == {"/s", "/d"}


def test_a_retracted_activity_is_not_attributed(engine: Engine, pact: Any) -> None:
    events = month(pact)
    events.append(activity("A", "2026-03-04T09:00:00-05:00", "page_view", id="A-a2", campaign="oops"))
    run(engine, pact, events)
    assert "oops" in both(engine, pact, "2026-03")["attribution"]["linear"]["campaign"]
    run(engine, pact, [ev("retract", "A", "2026-03-12T09:00:00-04:00", event_id="A-a2", reason="bot")])
    m = both(engine, pact, "2026-03")
    assert "oops" not in m["attribution"]["linear"]["campaign"]
    reference = metrics_reference(engine, pact, rules_from_pact(pact), "2026-03", as_of=NOW)
    assert reference["attribution"] == m["attribution"]


def test_an_owner_set_by_routing_reaches_the_pack(engine: Engine, pact: Any) -> None:
    run(engine, pact, month(pact))
    assert both(engine, pact, "2026-03")["by_rep"].get("zoe") is None
    decision = Decision("zoe", "na", None, "manual", "test")
    with engine.connect() as conn:
        write(conn, NOW, lambda unit: set_owner(unit, SimpleNamespace(reps={}), "B", 1, decision))
    m = both(engine, pact, "2026-03")
    assert m["by_rep"]["zoe"]["mql_count"] == 1


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), calls=st.integers(2, 5), mix=st.integers(0, 2**32))
def test_packs_agree_with_the_tables_through_any_history(
    engine: Engine, pact: Any, seed: int, calls: int, mix: int
) -> None:
    """Events of three months arrive in `calls` calls, mostly in time order, some late, some twice, a few
    activities retracted; between calls random periods are read both ways and must agree exactly."""
    wipe(engine)
    rnd = random.Random(mix)
    events = list(generate(25, seed, start=date(2026, 2, 2), months=3))
    activities = [e for e in events if e["type"] == "activity"]
    for target in rnd.sample(activities, k=min(3, len(activities))):
        at = datetime.fromisoformat(target["at"]) + timedelta(hours=1)
        events.append(
            ev("retract", target["lead_id"], at.isoformat(), event_id=target["id"], reason="bot traffic")
        )
    events.sort(key=lambda e: datetime.fromisoformat(e["at"]))
    batches: list[list[dict[str, Any]]] = [[] for _ in range(calls)]
    for k, e in enumerate(events):
        slot = k * calls // len(events)
        if rnd.random() < 0.15:  # late: arrives in a later call
            slot = rnd.randrange(slot, calls)
        batches[slot].append(e)
        if rnd.random() < 0.02:  # and sometimes twice
            batches[rnd.randrange(calls)].append(e)
    for batch in batches:
        rnd.shuffle(batch)
        run(engine, pact, batch, strict=False)  # a disposition before the lead's MQL is refused: fine
        for period in rnd.sample(PERIODS, 3):
            both(engine, pact, period, as_of=rnd.choice([NOW, datetime(2026, 3, 20, tzinfo=UTC)]))
    for period in PERIODS:
        both(engine, pact, period)


def test_a_pack_round_trips(engine: Engine, pact: Any) -> None:
    run(engine, pact, month(pact))
    cols = packs.period_columns(engine, parse_period("2026-03", pact.timezone), cache=False)
    assert len(cols.handoffs) == 2 and cols.activity_seq.size == 1  # A's demo request, before its opportunity
    assert same(packs.decode(packs.encode(cols)), cols) == []


def test_a_busy_database_only_skips_saving_the_pack(pact: Any, tmp_path: Any) -> None:
    """SQLite's single writer: while another process writes, the pack is not saved, and nothing waits."""
    import sqlite3

    from leadpact.store.db import open_store

    engine = open_store(f"sqlite:///{tmp_path}/busy.db")
    run(engine, pact, month(pact))

    holder = sqlite3.connect(engine.url.database or "", timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        assert both(engine, pact, "2026-03")["mql_count"] == 2
        packs.flush()  # the saves gave up after WAIT_MS
    finally:
        holder.rollback()
        holder.close()
    with engine.connect() as conn:
        assert conn.execute(select(period_packs.c.month)).all() == []
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000  # as it was
    assert profile_of(engine, pact, "2026-03").get("packs.built") == 1  # saved this time
    assert profile_of(engine, pact, "2026-03").get("packs.used") == 1


def test_changed_days_names_the_days_of_what_changed() -> None:
    day = store_packs.DAY_US
    t = to_us(datetime(2026, 3, 11, 13, tzinfo=UTC))
    old = {"lead_id": "A", **dict.fromkeys(store_packs.HANDOFF_READ), "n": 1, "mql_at": t, "touches": 1}
    old["opportunity_at"] = t + 3 * day
    new = {**old, "touches": 2, "sql_at": t + day}
    clock = {"lead_id": "A", **dict.fromkeys(store_packs.CLOCK_READ), "n": 1, "kind": "first_contact"}
    clock["due_at"] = t + 40 * day
    assert store_packs.changed_days([old], [old], [clock], [clock], {}) == {}
    d = t // day
    assert store_packs.changed_days([old], [new], [clock], [clock], {}) == {
        d: {"A"},
        d + 1: {"A"},
        d + 3: {"A"},
        d + 40: {"A"},
    }
    # an activity counts for the opportunity instants at or after it
    assert store_packs.changed_days([old], [old], [], [], {"A": t + day}) == {d + 3: {"A"}}
    assert store_packs.changed_days([old], [old], [], [], {"A": t + 4 * day}) == {}


def test_many_changed_leads_or_a_pruned_log_read_the_month_whole(
    engine: Engine, pact: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine, pact, month(pact))
    both(engine, pact, "2026-03")
    late = [ev("disposition", "B", "2026-03-10T10:00:00-04:00", id="B-d", outcome="accepted")]
    monkeypatch.setattr(store_packs, "LOG_LEADS", 0)  # every change is logged as "every lead"
    run(engine, pact, late)
    assert profile_of(engine, pact, "2026-03").get("packs.built") == 1
    monkeypatch.undo()
    run(engine, pact, [ev("stage", "B", "2026-03-12T10:00:00-04:00", id="B-s", stage="sql")])
    with engine.begin() as conn:  # the log of those days is forgotten
        assert store_packs.prune_changes(conn, RECEIVED, keep_days=0) > 0
    assert profile_of(engine, pact, "2026-03").get("packs.built") == 1
    assert both(engine, pact, "2026-03")["mql_to_sql"] == 1.0  # A and B both reached SQL


def test_the_reads_the_columns_and_the_change_detection_follow_one_spec(
    engine: Engine, pact: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column the period reads but `changed_days` does not compare would leave packs stale; a field of the
    vectorised columns fed by no spec column would be read from nowhere."""
    from leadpact.domain.dating import DATED
    from leadpact.domain.metrics.columns import ClockColumns, HandoffColumns
    from leadpact.store import columns as spec
    from leadpact.store.columnar import Dialect

    assert set(DATED) <= set(spec.HANDOFF_INSTANTS)
    derived_flags = {
        "mql",
        "accepted",
        "min_touch_met",
        "min_touch_owed",
        "incomplete_sql",
        "incomplete_opportunity",
        "untracked",  # from the flags: a history cycle imported without touches
    }
    handoff_fields = {f.name for f in fields(HandoffColumns)}
    keys = {*spec.HANDOFF_KEYS[0], *spec.HANDOFF_KEYS[1]}
    assert handoff_fields == {
        "lead_id",
        "n",
        "touches",
        "amount",
        "won",
        *derived_flags,
        *spec.HANDOFF_INSTANTS,
        *keys,
    }
    clock_fields = {f.name for f in fields(ClockColumns)}
    assert clock_fields == {
        "lead_id",
        "n",
        "first_contact",
        *spec.CLOCK_INSTANTS,
        *spec.CLOCK_KEY,
        "source",
        "campaign",
    }
    run(engine, pact, month(pact))
    statements: list[str] = []
    run_sql = Dialect.run

    def seen(self: Dialect, sql: str, params: Any, one: bool = False) -> Any:
        statements.append(sql)
        return run_sql(self, sql, params, one)

    monkeypatch.setattr(Dialect, "run", seen)
    metrics(engine, pact, rules_from_pact(pact), "2026-03", as_of=NOW, cache=False)
    words = set(re.findall(r"[a-z_]+", " ".join(statements)))
    assert set(spec.HANDOFF_READ) | set(spec.CLOCK_READ) <= words  # the reads read every spec column
    stored = {c.name for c in metadata.tables["handoffs"].columns} | {
        c.name for c in metadata.tables["clocks"].columns
    }
    read = (words & stored) - {"lead_id", "packet", "start_at", "ended_at"}
    assert read <= set(spec.HANDOFF_READ) | set(spec.CLOCK_READ)  # ... and nothing the spec leaves out


def test_the_worker_reads_stale_packs_again(engine: Engine, pact: Any) -> None:
    run(engine, pact, month(pact))
    both(engine, pact, "2026-03")
    packs.flush()
    assert packs.refresh_stale(engine) == 0  # nothing changed
    run(engine, pact, [touch("C", "2026-03-17T09:00:00-04:00", id="C-t2")])  # C has no handoff
    run(engine, pact, [touch("B", "2026-03-10T09:00:00-04:00", id="B-t2")])  # nor a metric of B's
    assert packs.refresh_stale(engine) == 0
    run(engine, pact, [ev("disposition", "B", "2026-03-10T10:00:00-04:00", id="B-d", outcome="accepted")])
    assert packs.refresh_stale(engine) == 1
    profile = profile_of(engine, pact, "2026-03")
    assert profile.get("packs.used") == 1 and "packs.built" not in profile
    assert both(engine, pact, "2026-03")["mql_count"] == 2


def test_packs_read_while_events_arrive_are_never_stale(engine: Engine, pact: Any) -> None:
    """Reads race with ingest calls (another thread, its own connections): whatever the interleaving, once
    the writes are done the packs say what the tables say."""
    import threading

    events = list(generate(30, 11, start=date(2026, 2, 2), months=3))
    events.sort(key=lambda e: datetime.fromisoformat(e["at"]))
    batches = [events[k::6] for k in range(6)]  # every call touches every month
    done = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        rules = rules_from_pact(pact)
        try:
            while not done.is_set():
                for period in ("2026-03", "2026-04"):
                    metrics(engine, pact, rules, period, as_of=NOW)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for batch in batches:
            run(engine, pact, batch, strict=False)
    finally:
        done.set()
        thread.join()
    assert errors == []
    packs.flush()
    for period in ("2026-02", "2026-03", "2026-04", "2026-Q1"):
        both(engine, pact, period)


def test_a_save_that_lost_a_race_leaves_the_newer_pack(engine: Engine) -> None:
    """Two processes may save the same month; the pack read with the later marks stays."""
    with engine.begin() as conn:
        store_packs.put_pack(conn, "UTC", "2026-03", packs.FORMAT, {1: 2, 2: 3}, NOW, 1, b"newer")
        store_packs.put_pack(conn, "UTC", "2026-03", packs.FORMAT, {1: 2, 2: 1}, NOW, 1, b"older")
        assert store_packs.get_pack(conn, "UTC", "2026-03")["payload"] == b"newer"  # type: ignore[index]
        store_packs.put_pack(conn, "UTC", "2026-03", packs.FORMAT, {1: 2, 2: 4}, NOW, 1, b"newest")
        assert store_packs.get_pack(conn, "UTC", "2026-03")["payload"] == b"newest"  # type: ignore[index]
        store_packs.put_pack(conn, "UTC", "2026-03", packs.FORMAT + 1, {}, NOW, 1, b"other format")
        assert store_packs.get_pack(conn, "UTC", "2026-03")["payload"] == b"other format"  # type: ignore[index]
