"""The clock worker on real databases: every warning and breach recorded exactly once, also with several
workers racing on PostgreSQL and with a worker killed (SIGKILL) in the middle of a batch."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from builders import GOOD_FIT, activity, created, touch
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.violations import list_violation_views
from leadpact.services.worker import WorkerReport, record_due
from leadpact.store.tables import clock_alerts, clocks, violations

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York: inside hours
LEADS = 40


def seed(engine: Engine, pact: Any, leads: int = LEADS) -> None:
    rows = []
    for i in range(leads):
        at = (T0 + timedelta(minutes=i)).isoformat()
        rows += [created(f"W{i}", at, **GOOD_FIT), activity(f"W{i}", at, "demo_request", id=f"W{i}-a")]
        if i % 4 == 0:  # a quarter are touched in time: their first-contact clock is met
            rows.append(touch(f"W{i}", (T0 + timedelta(minutes=i + 2)).isoformat(), id=f"W{i}-t"))
    text = "\n".join(json.dumps(r) for r in rows) + "\n"
    received = T0 + timedelta(minutes=leads + 2)  # the call arrives after its last event
    lines = read_events(io.StringIO(text), "x.jsonl")
    report = ingest(engine, rules_from_pact(pact), vocabulary(pact), lines, now=received)
    assert report.refused == 0


def expected_alerts(leads: int = LEADS) -> tuple[int, int]:
    """(alerts, breaches) one day after T0. First contact (5m): untouched leads warn twice and breach; touched
    ones (at 2m) warn never. Touches clock (14 days): nothing is due yet after one day."""
    untouched = leads - len(range(0, leads, 4))
    return untouched * 3, untouched


def totals(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        alerts = conn.execute(select(func.count()).select_from(clock_alerts)).scalar_one()
        breaches = conn.execute(
            select(func.count()).select_from(clock_alerts).where(clock_alerts.c.level == "breach")
        ).scalar_one()
        recorded = conn.execute(select(func.count()).select_from(violations)).scalar_one()
    return int(alerts), int(breaches), int(recorded)


def test_one_pass_records_each_alert_once_and_a_second_pass_records_nothing(
    engine: Engine, pact: Any
) -> None:
    seed(engine, pact)
    now = T0 + timedelta(days=1)
    first = record_due(engine, now=now, mode="monitoring", batch=7)
    alerts, breaches = expected_alerts()
    assert (first.breaches, first.superseded + first.warnings) == (breaches, alerts - breaches)
    assert totals(engine) == (alerts, breaches, breaches)
    second = record_due(engine, now=now, mode="monitoring")
    assert (second.claimed, second.breaches, second.warnings) == (0, 0, 0)
    assert totals(engine) == (alerts, breaches, breaches)
    # Metrics and violations never depend on the worker: the list is the same before and after.
    views = list_violation_views(engine, now=now)
    assert sum(1 for v in views if v["kind"] == "first_contact") == breaches
    assert all(v["recorded_at"] is not None for v in views if v["kind"] == "first_contact")


def test_a_late_touch_after_the_recorded_breach_meets_the_clock_and_keeps_both_facts(
    engine: Engine, pact: Any
) -> None:
    seed(engine, pact, leads=2)
    record_due(engine, now=T0 + timedelta(hours=1), mode="monitoring")
    late = touch("W1", (T0 + timedelta(minutes=5)).isoformat(), id="W1-late")  # due at 10:06; stamped 10:05
    ingest(
        engine,
        rules_from_pact(pact),
        vocabulary(pact),
        read_events(io.StringIO(json.dumps(late) + "\n"), "x.jsonl"),
        now=T0 + timedelta(hours=2),
    )
    with engine.connect() as conn:
        clock = (
            conn.execute(select(clocks).where(clocks.c.lead_id == "W1", clocks.c.kind == "first_contact"))
            .mappings()
            .one()
        )
        levels = {
            r.level for r in conn.execute(select(clock_alerts.c.level).where(clock_alerts.c.lead_id == "W1"))
        }
    assert clock["met_at"] == T0 + timedelta(minutes=5) and "breach" in levels
    views = list_violation_views(engine, now=T0 + timedelta(hours=3))
    assert not any(v["lead_id"] == "W1" and v["kind"] == "first_contact" for v in views)


@pytest.mark.pg
def test_three_workers_racing_on_postgresql_record_each_alert_exactly_once(
    pg_engine: Engine, pact: Any
) -> None:
    from tests_support import truncate

    truncate(pg_engine)
    seed(pg_engine, pact, leads=120)
    now = T0 + timedelta(days=1)
    reports = [WorkerReport() for _ in range(3)]
    barrier = threading.Barrier(3)

    def work(report: WorkerReport) -> None:
        barrier.wait()
        record_due(pg_engine, now=now, mode="monitoring", batch=5, report=report)

    threads = [threading.Thread(target=work, args=(r,)) for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alerts, breaches = expected_alerts(120)
    assert totals(pg_engine) == (alerts, breaches, breaches)
    assert sum(r.breaches for r in reports) == breaches
    assert sum(r.warnings + r.superseded + r.breaches for r in reports) == alerts
    assert sum(1 for r in reports if r.claimed) >= 2  # the work really was shared


KILLER = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime, timedelta, UTC
    from leadpact.store import clocks as store_clocks
    from leadpact.store.db import make_engine
    from leadpact.services.worker import record_due
    original = store_clocks.set_next_many
    calls = {"n": 0}
    def dying(conn, updates):
        calls["n"] += 1
        if calls["n"] == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)       # kill -9 after the batch's alerts, before its commit
        return original(conn, updates)
    store_clocks.set_next_many = dying
    record_due(make_engine(sys.argv[1]), now=datetime.fromisoformat(sys.argv[3]), mode="monitoring", batch=10)
""")


def test_a_worker_killed_mid_batch_and_restarted_loses_nothing_and_repeats_nothing(
    engine: Engine, pact: Any
) -> None:
    seed(engine, pact)
    now = T0 + timedelta(days=1)
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-c", KILLER, url, "3", now.isoformat()], capture_output=True)
    assert done.returncode == -9
    partial = totals(engine)
    alerts, breaches = expected_alerts()
    assert 0 < partial[0] < alerts  # some batches committed, the killed one rolled back
    record_due(engine, now=now, mode="monitoring")
    assert totals(engine) == (alerts, breaches, breaches)
