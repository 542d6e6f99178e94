"""Clock due times and statuses, hand-computed on fixed weeks (America/New_York, mon-fri 09:00-17:00, US
holidays). 2026-03-06 is a Friday; DST starts 2026-03-08; Thanksgiving is 2026-11-26."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from builders import GOOD_FIT, activity, created, disposition, stage, touch
from leadpact.domain.clocks import BREACH, Clock, alert_levels, clocks_for, due_alerts, next_alert_at
from leadpact.domain.events import parse_event
from leadpact.domain.replay import replay
from leadpact.domain.rules import rules_from_pact
from leadpact.services.ingest import vocabulary

NY = ZoneInfo("America/New_York")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY).astimezone(UTC)


def clocks_of(pact: Any, *raws: dict[str, Any]) -> dict[str, Clock]:
    rules = rules_from_pact(pact)
    vocab = vocabulary(pact)
    events = [parse_event(r, vocab, now=None) for r in raws]
    p = replay(raws[0]["lead_id"], events, rules)
    h = p.handoffs[-1]
    return {c.kind: c for c in clocks_for(h, rules.segment(h.segment), rules.calendar())}


def mql(pact: Any, when: str, kind: str = "demo_request", *more: dict[str, Any]) -> dict[str, Clock]:
    at = local(when).isoformat()
    return clocks_of(pact, created("L1", at, **GOOD_FIT), activity("L1", at, kind, id="trigger"), *more)


@pytest.mark.parametrize(
    ("when", "due", "rule"),
    [
        (
            "2026-03-06T16:58",
            "2026-03-06T17:03",
            "high, inside hours: 5m",
        ),  # Friday 16:58: wall 5m, past close
        ("2026-03-06T08:59", "2026-03-06T09:59", "high, outside hours: 1h"),  # before opening: after-hours 1h
        ("2026-03-06T17:00", "2026-03-06T18:00", "high, outside hours: 1h"),  # exactly at close is outside
        ("2026-03-06T09:00", "2026-03-06T09:05", "high, inside hours: 5m"),  # exactly at open is inside
        ("2026-03-08T11:00", "2026-03-08T12:00", "high, outside hours: 1h"),  # Sunday (DST day) wall 1h
        ("2026-11-26T10:00", "2026-11-26T11:00", "high, outside hours: 1h"),  # Thanksgiving is closed
    ],
)
def test_high_intent_first_contact_is_wall_time_by_whether_the_handoff_is_in_hours(
    pact: Any, when: str, due: str, rule: str
) -> None:
    clock = mql(pact, when)["first_contact"]
    assert clock.due_at == local(due)
    assert clock.rule == rule


@pytest.mark.parametrize(
    ("when", "due"),
    [
        ("2026-03-06T16:58", "2026-03-09T12:58"),  # 2 min Friday + 3h58 Monday (after spring forward)
        ("2026-03-06T08:59", "2026-03-06T13:00"),  # starts at the opening
        ("2026-03-06T13:00", "2026-03-06T17:00"),  # lands exactly on the close: stays there
        ("2026-03-08T11:00", "2026-03-09T13:00"),  # Sunday: from Monday's opening
        ("2026-11-25T15:00", "2026-11-27T11:00"),  # Wednesday before Thanksgiving: 2h, holiday, 2h Friday
    ],
)
def test_medium_intent_is_four_business_hours(pact: Any, when: str, due: str) -> None:
    clock = mql(
        pact, when, "webinar_question", activity("L1", local(when).isoformat(), "pricing_page_view", id="x")
    )["first_contact"]
    assert clock.due_at == local(due)
    assert clock.business


@pytest.mark.parametrize(
    ("when", "due"),
    [
        ("2026-03-06T16:58", "2026-03-09T16:58"),  # Friday -> Monday same local time
        ("2026-03-07T10:00", "2026-03-10T09:00"),  # Saturday + 1bd = Tuesday at opening
        ("2026-11-25T10:00", "2026-11-27T10:00"),  # over Thanksgiving
    ],
)
def test_low_intent_is_one_business_day(pact: Any, when: str, due: str) -> None:
    at = local(when).isoformat()
    c = clocks_of(
        pact,
        created("L1", at, **GOOD_FIT),
        activity("L1", at, "pricing_page_view", id="p1"),
        activity("L1", at, "pricing_page_view", id="p2"),
        activity("L1", at, "pricing_page_view", id="p3"),
    )
    assert c["first_contact"].due_at == local(due)


def test_first_contact_met_breached_and_cancelled(pact: Any) -> None:
    when = "2026-03-05T10:00"
    at = lambda m: (local(when) + timedelta(minutes=m)).isoformat()  # noqa: E731
    met = mql(pact, when, "demo_request", touch("L1", at(5)))["first_contact"]
    assert met.status(local(when) + timedelta(hours=1)) == "met"  # a touch exactly at due meets
    late = mql(pact, when, "demo_request", touch("L1", at(6)))["first_contact"]
    assert late.status(local(when) + timedelta(hours=1)) == "breached"
    assert late.status(local(when) + timedelta(minutes=3)) == "open"  # as of before the due time
    automated = mql(pact, when, "demo_request", touch("L1", at(1), channel="email", automated=True))
    assert automated["first_contact"].met_at is None  # automation does not count
    cancelled = mql(pact, when, "demo_request", disposition("L1", at(2), "rejected", "competitor"))
    assert cancelled["first_contact"].status(local(when) + timedelta(days=1)) == "cancelled"
    accepted = mql(pact, when, "demo_request", disposition("L1", at(2), "accepted"))
    assert (
        accepted["first_contact"].status(local(when) + timedelta(days=1)) == "breached"
    )  # acceptance doesn't stop it


def test_disposition_clock_runs_two_business_days_from_first_touch(pact: Any) -> None:
    c = mql(
        pact,
        "2026-03-05T10:00",
        "demo_request",
        touch("L1", local("2026-03-05T10:03").isoformat()),
        disposition("L1", local("2026-03-09T10:04").isoformat(), "accepted"),
    )
    d = c["disposition"]
    assert d.started_at == local("2026-03-05T10:03")
    assert d.due_at == local("2026-03-09T10:03")  # Thursday + 2bd = Monday (weekend skipped)
    assert d.status(local("2026-03-10T00:00")) == "breached"  # one minute late


def test_touches_clock_met_at_the_touch_that_reaches_the_minimum(pact: Any) -> None:
    start = local("2026-03-02T10:00")
    touches = [
        touch("L1", (start + timedelta(days=i)).isoformat(), channel="email" if i % 2 else "phone")
        for i in range(1, 9)
    ]
    c = mql(pact, "2026-03-02T10:00", "demo_request", *touches)["touches"]
    assert c.due_at == start + timedelta(days=14)
    assert c.met_at == start + timedelta(days=8)
    sql = mql(
        pact,
        "2026-03-02T10:00",
        "demo_request",
        touch("L1", (start + timedelta(hours=1)).isoformat()),
        disposition("L1", (start + timedelta(hours=2)).isoformat(), "accepted"),
        stage(
            "L1",
            (start + timedelta(days=1)).isoformat(),
            "sql",
            budget="y",
            authority="y",
            need="y",
            timeline="q3",
        ),
    )["touches"]
    assert sql.status(start + timedelta(days=30)) == "cancelled"


def test_warnings_and_breach_are_due_once_each(pact: Any) -> None:
    c = mql(pact, "2026-03-05T10:00")["first_contact"]  # 5m window: warnings at 2m30 and 4m
    assert [lvl for lvl, _ in alert_levels(c)] == ["warn:0.5", "warn:0.8", BREACH]
    t0 = local("2026-03-05T10:00")
    assert next_alert_at(c, set()) == t0 + timedelta(seconds=150)
    assert [a[0] for a in due_alerts(c, set(), t0 + timedelta(minutes=3))] == ["warn:0.5"]
    assert due_alerts(c, {"warn:0.5"}, t0 + timedelta(minutes=5)) == [
        ("warn:0.8", t0 + timedelta(minutes=4), True)
    ]
    caught_up = due_alerts(c, set(), t0 + timedelta(hours=1))  # a worker that was down
    assert [(lvl, send) for lvl, _, send in caught_up] == [
        ("warn:0.5", False),
        ("warn:0.8", False),
        (BREACH, True),
    ]
    assert next_alert_at(c, {"warn:0.5", "warn:0.8", BREACH}) is None


def test_a_late_touch_stamped_before_due_meets_the_clock_after_the_breach_was_recorded(pact: Any) -> None:
    t0 = local("2026-03-05T10:00")
    c = mql(pact, "2026-03-05T10:00", "demo_request", touch("L1", (t0 + timedelta(minutes=4)).isoformat()))
    clock = c["first_contact"]
    assert clock.status(t0 + timedelta(hours=2)) == "met"
    assert next_alert_at(clock, {"warn:0.5"}) is None  # nothing left to warn about or breach
