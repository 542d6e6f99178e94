"""The escalation protocol on real stores, hand-computed (DESIGN.md §10): exactly three consecutive business
days below the response threshold versus four, a holiday inside the run, a week at exactly 80% of its target,
two weeks running; marketing's violations beside sales's; opened once with several workers (PostgreSQL,
processes) and with a worker killed mid-evaluation."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from accountability_support import ENV, ROSTER, day_of_leads, local, pact_with
from builders import GOOD_FIT, created
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.services.escalation_views import (
    EscalationResolved,
    NotYourTeam,
    list_escalations,
    resolve_escalation,
)
from leadpact.services.escalations import evaluate
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.metrics import metrics
from leadpact.services.violations import list_violation_views
from leadpact.store.tables import escalations, outbox


def run(engine: Engine, pact: Pact, now: datetime) -> Any:
    return evaluate(engine, pact=pact, rules=rules_from_pact(pact), now=now, roster=ROSTER, env=ENV)


def opened(engine: Engine, now: datetime, rule: str) -> list[dict[str, Any]]:
    return [v for v in list_escalations(engine, now=now) if v["rule"] == rule]


QUIET_MARKETING = {"marketing_volume": {"below": 0.01}}  # no volume misses: the test is about sales


@pytest.mark.parametrize(("below_days", "escalated"), [(3, False), (4, True)])
def test_sales_response_escalates_on_exactly_the_fourth_business_day_below(
    engine: Engine, below_days: int, escalated: bool
) -> None:
    pact = pact_with(**QUIET_MARKETING)
    monday = date(2026, 3, 2)
    days = [monday + timedelta(days=i) for i in range(4)]  # Mon..Thu
    for i, day in enumerate(days):
        day_of_leads(engine, pact, day, touched=i >= below_days)  # the first `below_days` days breach
    friday_noon = local(date(2026, 3, 6), 12)
    # each day's compliance, as metrics --json gives it: 0.0 on a breached day, 1.0 on a met one
    for i, day in enumerate(days):
        m = metrics(engine, pact, rules_from_pact(pact), f"{day}..{day}", as_of=friday_noon)
        assert m["response_compliance"] == (0.0 if i < below_days else 1.0)
    run(engine, pact, friday_noon)
    found = opened(engine, friday_noon, "sales_response")
    if not escalated:
        assert found == []
        return
    (esc,) = found
    assert (esc["team"], esc["period"], esc["state"]) == ("sales", "2026-03-05", "open")
    assert esc["owners"] == ["li@acme.example", "maria@acme.example"]  # the sales team managers
    assert esc["due_at"] == "2026-03-07T17:00:00Z"  # opened Friday 12:00 New York + 24h
    assert [d["day"] for d in esc["evidence"]["days"]] == [d.isoformat() for d in days]
    # overdue once past due, still listed as open work
    later = friday_noon + timedelta(hours=25)
    assert list_escalations(engine, now=later, state="overdue")[0]["id"] == esc["id"]
    assert sent_to(engine, esc["id"], "escalation.overdue") == []
    run(engine, pact, later)  # evaluating again opens nothing new; the owners hear it is overdue, once
    run(engine, pact, later + timedelta(minutes=1))
    assert len(opened(engine, later, "sales_response")) == 1
    assert sent_to(engine, esc["id"]) == sent_to(engine, esc["id"], "escalation.overdue") == [
        "li@acme.example", "maria@acme.example"
    ]  # fmt: skip


def test_a_holiday_inside_the_run_is_skipped_not_a_break(engine: Engine) -> None:
    pact = pact_with(**QUIET_MARKETING)
    # Thu 21 May, Fri 22 May, (Mon 25 May: Memorial Day), Tue 26, Wed 27: four business days below
    days = [date(2026, 5, 21), date(2026, 5, 22), date(2026, 5, 26), date(2026, 5, 27)]
    for day in days:
        day_of_leads(engine, pact, day, touched=False)
    thursday = local(date(2026, 5, 28), 12)
    run(engine, pact, thursday)
    (esc,) = opened(engine, thursday, "sales_response")
    assert esc["period"] == "2026-05-27"
    assert [d["day"] for d in esc["evidence"]["days"]] == [d.isoformat() for d in days]


@pytest.mark.parametrize(("mqls", "missed"), [(8, False), (7, True)])
def test_a_week_at_exactly_80_percent_of_target_is_no_miss(engine: Engine, mqls: int, missed: bool) -> None:
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=mqls, touched=True)
    monday = local(date(2026, 3, 9), 12)
    week = metrics(engine, pact, rules_from_pact(pact), "2026-W10", as_of=monday)
    assert (week["mql_count"], week["mql_target"]) == (mqls, pytest.approx(10.0))
    run(engine, pact, monday)
    found = opened(engine, monday, "marketing_volume")
    violations = [v for v in list_violation_views(engine, now=monday) if v["kind"] == "marketing_volume"]
    if not missed:
        assert found == [] and violations == []
        return
    (esc,) = found
    assert (esc["team"], esc["period"], esc["owner"], esc["action"]) == (
        "marketing",
        "2026-W10",
        "dana@acme.example",
        "recovery_plan",
    )
    assert esc["due_at"] == "2026-03-11T16:00:00Z"  # 48h after Monday 12:00 New York
    (v,) = violations
    assert (v["owed_by"], v["owner"], v["at"]) == ("marketing", "dana@acme.example", "2026-03-09T04:00:00Z")
    assert "7 MQLs in 2026-W10" in v["what"]


def test_two_weeks_running_open_one_joint_escalation_to_the_executives(engine: Engine) -> None:
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=2, touched=True)  # W10: 2 of 10; W11: none
    monday = local(date(2026, 3, 16), 12)
    run(engine, pact, monday)
    volume = opened(engine, monday, "marketing_volume")
    assert [v["period"] for v in volume] == ["2026-W10", "2026-W11"]
    (joint,) = opened(engine, monday, "sustained")
    assert (joint["team"], joint["period"], joint["action"]) == ("marketing", "2026-W11", "joint_escalation")
    assert joint["owners"] == ["cro@acme.example", "ceo@acme.example"]
    assert joint["evidence"]["weeks"] == ["2026-W10", "2026-W11"]
    assert joint["due_at"] == "2026-03-23T14:00:00Z"  # the next weekly review, Monday 10:00
    # monitoring: each sent to its owners only (one email each), written once
    assert sent_to(engine, joint["id"]) == ["ceo@acme.example", "cro@acme.example"]
    again = run(engine, pact, monday + timedelta(hours=1))
    assert again.opened == [] and again.violations == 0


def test_one_week_missed_is_not_sustained(engine: Engine) -> None:
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=9, touched=True)  # W10 met (9 of 10)
    day_of_leads(engine, pact, date(2026, 3, 9), leads=1, touched=True)  # W11 missed
    monday = local(date(2026, 3, 16), 12)
    run(engine, pact, monday)
    assert [v["period"] for v in opened(engine, monday, "marketing_volume")] == ["2026-W11"]
    assert opened(engine, monday, "sustained") == []


def test_history_brought_in_after_its_weeks_escalates_nothing(engine: Engine) -> None:
    pact = pact_with()
    rows = [created("H1", local(date(2026, 3, 2)).isoformat(), **GOOD_FIT)]
    text = "".join(json.dumps(r) + "\n" for r in rows)
    later = local(date(2026, 3, 30), 12)
    ingest(engine, rules_from_pact(pact), vocabulary(pact), read_events(io.StringIO(text), "x"), now=later)
    result = run(engine, pact, later + timedelta(hours=1))
    assert result.opened == [] and result.violations == 0
    # asked to judge those weeks (the demo does, as if its worker had run), the same store escalates them
    since = local(date(2026, 3, 1))
    judged = evaluate(
        engine, pact=pact, rules=rules_from_pact(pact), now=later, roster=ROSTER, env=ENV, since=since
    )
    assert judged.opened and {v["rule"] for v in list_escalations(engine, now=later)} >= {"marketing_volume"}


def test_resolving_takes_the_plan_once_and_only_from_the_owning_team(engine: Engine) -> None:
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=1, touched=True)
    monday = local(date(2026, 3, 9), 12)
    run(engine, pact, monday)
    (esc,) = opened(engine, monday, "marketing_volume")
    with pytest.raises(NotYourTeam):
        resolve_escalation(engine, esc["id"], plan="more webinars", by="Sam", now=monday, team="sales")
    with pytest.raises(ValueError, match="empty"):
        resolve_escalation(engine, esc["id"], plan="  ", by="Dana", now=monday)
    done = resolve_escalation(
        engine, esc["id"], plan="two extra webinars", by="Dana", now=monday, team="marketing"
    )
    assert (done["state"], done["plan"], done["resolved_by"]) == ("resolved", "two extra webinars", "Dana")
    with pytest.raises(EscalationResolved):
        resolve_escalation(engine, esc["id"], plan="again", by="Dana", now=monday)
    assert list_escalations(engine, now=monday, state="unresolved") == []


RACER = textwrap.dedent("""
    import json, sys
    from datetime import datetime
    import os.path
    sys.path[:0] = [os.path.dirname(sys.argv[3])]
    from accountability_support import ROSTER, ENV, pact_with
    from leadpact.domain.rules import rules_from_pact
    from leadpact.services.escalations import evaluate
    from leadpact.store.db import make_engine
    pact = pact_with()
    result = evaluate(make_engine(sys.argv[1]), pact=pact, rules=rules_from_pact(pact),
                      now=datetime.fromisoformat(sys.argv[2]), roster=ROSTER, env=ENV)
    print(json.dumps({"opened": result.opened, "violations": result.violations}))
""")

KILLER = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime
    import os.path
    sys.path[:0] = [os.path.dirname(sys.argv[3])]
    from accountability_support import ROSTER, ENV, pact_with
    from leadpact.domain.rules import rules_from_pact
    from leadpact.services import escalations
    from leadpact.store import escalations as store
    original = store.open_escalation
    calls = {"n": 0}
    def dying(conn, row):
        taken = original(conn, row)
        calls["n"] += 1
        if calls["n"] == 2:
            os.kill(os.getpid(), signal.SIGKILL)   # kill -9 after the second insert, before its commit
        return taken
    store.open_escalation = dying
    from leadpact.store.db import make_engine
    pact = pact_with()
    escalations.evaluate(make_engine(sys.argv[1]), pact=pact, rules=rules_from_pact(pact),
                         now=datetime.fromisoformat(sys.argv[2]), roster=ROSTER, env=ENV)
""")


def sent_to(engine: Engine, escalation_id: int, topic: str = "escalation.opened") -> list[str]:
    """The addresses the outbox holds a message of `topic` for, for one escalation."""
    with engine.connect() as conn:
        rows = conn.execute(select(outbox.c.target, outbox.c.payload).where(outbox.c.topic == topic)).all()
    return sorted(
        json.loads(target)["to"] for target, payload in rows if json.loads(payload)["id"] == escalation_id
    )


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _seed_misses(engine: Engine) -> datetime:
    """W10 and W11 below target, and four days of missed first contacts in W11: four escalations are due."""
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), touched=True)
    for day in (date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)):
        day_of_leads(engine, pact, day, touched=False)
    return local(date(2026, 3, 16), 12)


EXPECTED = {
    ("marketing_volume", "2026-W10"),
    ("marketing_volume", "2026-W11"),
    ("sustained", "2026-W11"),
    ("sales_response", "2026-03-12"),
}


def _keys(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        return {(r, p) for r, p in conn.execute(select(escalations.c.rule, escalations.c.period))}


@pytest.mark.pg
def test_four_workers_racing_on_postgresql_open_each_escalation_exactly_once(pg_engine: Engine) -> None:
    from tests_support import truncate

    truncate(pg_engine)
    now = _seed_misses(pg_engine)
    url = pg_engine.url.render_as_string(hide_password=False)
    here = str(__import__("pathlib").Path(__file__).parent)
    procs = [
        subprocess.Popen([sys.executable, "-c", RACER, url, now.isoformat(), here], stdout=subprocess.PIPE)
        for _ in range(4)
    ]
    outs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert _keys(pg_engine) == EXPECTED
    assert sum(len(o["opened"]) for o in outs) == len(EXPECTED)  # each opened by exactly one worker
    assert sum(o["violations"] for o in outs) == 2  # marketing_volume W10 and W11, once
    with pg_engine.connect() as conn:
        keys = [k for (k,) in conn.execute(select(outbox.c.key)) if k.startswith("escalation:")]
    assert len(keys) == len(set(keys))


def test_a_worker_killed_mid_evaluation_loses_nothing_and_doubles_nothing(engine: Engine) -> None:
    now = _seed_misses(engine)
    url = engine.url.render_as_string(hide_password=False)
    here = str(__import__("pathlib").Path(__file__).parent)
    done = subprocess.run([sys.executable, "-c", KILLER, url, now.isoformat(), here], capture_output=True)
    assert done.returncode == -9, done.stderr.decode()[-2000:]
    assert len(_keys(engine)) == 1  # the first committed, the second died with its transaction
    result = run(engine, pact_with(), now)
    assert _keys(engine) == EXPECTED
    assert len(result.opened) == len(EXPECTED) - 1
    assert _count(engine, escalations) == len(EXPECTED)


@pytest.mark.parametrize(("signoff", "mode", "channels"), [
    ({}, "monitoring", ["email"]),  # enforcing asked, not signed: monitors, the owner only
    ({"marketing": "Dana", "sales": "Sam"}, "enforcing", ["email", "webhook"]),
])  # fmt: skip
def test_escalations_follow_the_mode_in_effect(
    engine: Engine, signoff: dict[str, str], mode: str, channels: list[str]
) -> None:
    from leadpact.roster import Roster

    data = pact_with().model_dump(mode="json")
    pact = Pact.model_validate({**data, "mode": "enforcing", "signoff": signoff})
    roster = Roster.model_validate(
        {
            **ROSTER.dump(),
            "notify": {**ROSTER.dump()["notify"], "webhooks": [{"url": "http://127.0.0.1:9/h"}]},
        }
    )
    day_of_leads(engine, pact, date(2026, 3, 2), leads=1, touched=True)
    monday = local(date(2026, 3, 9), 12)
    evaluate(engine, pact=pact, rules=rules_from_pact(pact), now=monday, roster=roster, env=ENV)
    (esc,) = opened(engine, monday, "marketing_volume")
    assert esc["mode"] == mode
    with engine.connect() as conn:
        rows = conn.execute(select(outbox.c.channel).where(outbox.c.topic == "escalation.opened")).all()
    assert sorted(c for (c,) in rows) == channels
