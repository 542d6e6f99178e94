"""The lifecycle replay on hand-built timelines under the default pact (fit ≥ 40, engagement ≥ 30)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import BANT, GOOD_FIT, activity, created, disposition, ev, stage, touch
from leadpact.domain.events import Event, parse_event
from leadpact.domain.projection import Projection
from leadpact.domain.replay import replay
from leadpact.domain.rules import Rules, rules_from_pact
from leadpact.services.ingest import vocabulary


@pytest.fixture
def rules(pact: Any) -> Rules:
    return rules_from_pact(pact, known_reps=frozenset({"ana", "ben"}))


def events_of(pact: Any, *raws: dict[str, Any]) -> list[Event]:
    vocab = vocabulary(pact)
    return [parse_event(raw, vocab, now=None) for raw in raws]


def run(pact: Any, rules: Rules, *raws: dict[str, Any], new: bool = True) -> Projection:
    evs = events_of(pact, *raws)
    return replay(
        raws[0]["lead_id"], evs, rules, new_ids=frozenset(e.id for e in evs) if new else frozenset()
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_handoff_happens_at_the_activity_that_crosses_both_thresholds(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T09:30:00-05:00", "content_download", id="a1"),  # 5
        activity("L1", "2026-03-02T09:40:00-05:00", "webinar_question", id="a2"),
    )  # +25 -> ~30? decayed: < 30
    assert p.stage == "raw"  # 5 decayed a little + 25 < 30
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T09:30:00-05:00", "content_download", id="a1"),
        activity("L1", "2026-03-02T09:40:00-05:00", "webinar_question", id="a2"),
        activity("L1", "2026-03-02T10:00:00-05:00", "email_click", id="a3"),
    )  # +2 -> ~32 >= 30
    assert p.stage == "mql"
    [h] = p.handoffs
    assert h.mql_at == at("2026-03-02T10:00:00-05:00")
    assert h.trigger_event == "a3"
    assert h.tier == "medium"  # webinar_question is a medium-intent condition
    assert h.fit == 65


def test_fit_short_of_the_gate_never_hands_off(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", employees=500, job_function="marketing"),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
    )
    assert p.stage == "raw" and p.handoffs == []  # fit 35 < 40


def test_a_late_update_that_completes_fit_crosses_the_gate_at_its_own_instant(
    pact: Any, rules: Rules
) -> None:
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", employees=500, job_function="marketing"),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
        ev("lead.updated", "L1", "2026-03-02T11:00:00-05:00", id="u1", seniority="vp"),
    )
    assert p.handoffs[0].mql_at == at("2026-03-02T11:00:00-05:00")
    assert p.handoffs[0].trigger_event == "u1"
    assert p.handoffs[0].tier == "high"


def test_enterprise_segment_needs_fit_50(pact: Any, rules: Rules) -> None:
    fields = {"employees": 2000, "job_function": "marketing", "seniority": "intern"}  # 20 + 15 = 35... +0
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", **fields, industry="software"),  # 45
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
    )
    assert p.stage == "raw"  # 45 < enterprise 50 (the smb gate would be 40)
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", **fields, industry="software", country="US"),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
    )
    assert p.stage == "mql" and p.handoffs[0].segment == "enterprise"


def test_illegal_transitions_are_refused_and_named(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        disposition("L1", "2026-03-02T09:05:00-05:00", "accepted", id="d1"),
        stage("L1", "2026-03-02T09:06:00-05:00", "opportunity", id="s1", amount=1, close_date="2026-05-01"),
    )
    assert p.refused["d1"][0] == "data.outcome"
    assert "source 'webinar' is marketing's" in p.refused["d1"][1]
    assert "raw -> opportunity is not allowed" in p.refused["s1"][1]
    assert p.stage == "raw"


def test_outbound_lead_is_accepted_straight_from_raw(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        created("O1", "2026-03-02T09:00:00-05:00", source="outbound"),
        touch("O1", "2026-03-02T09:10:00-05:00"),
        disposition("O1", "2026-03-02T09:30:00-05:00", "accepted", id="d1"),
        stage("O1", "2026-03-03T09:00:00-05:00", "sql", **BANT),
        stage("O1", "2026-03-04T09:00:00-05:00", "opportunity", amount=30000, close_date="2026-05-01"),
    )
    assert p.stage == "opportunity"
    [h] = p.handoffs
    assert h.kind == "direct" and h.mql_at is None and h.amount == 30000


def test_rejection_is_final_but_later_touches_are_still_recorded(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
        disposition("L1", "2026-03-02T10:30:00-05:00", "rejected", "wrong_job_function"),
        touch("L1", "2026-03-02T11:00:00-05:00", id="t-late"),
        disposition("L1", "2026-03-02T12:00:00-05:00", "accepted", id="d2"),
    )
    assert p.stage == "rejected"
    assert p.statuses["t-late"] == "applied"
    assert "rejected, a final stage" in p.refused["d2"][1]
    h = p.handoffs[0]
    assert h.rejected_at is not None and h.outcome_reason == "wrong_job_function"
    assert h.first_touch_at == at("2026-03-02T11:00:00-05:00")


def test_events_before_the_create_wait(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        activity("L9", "2026-03-02T10:00:00-05:00", "demo_request", id="a"),
        disposition("L9", "2026-03-02T10:30:00-05:00", "accepted", id="d"),
    )
    assert not p.exists
    assert p.statuses == {"a": "waiting", "d": "waiting"}
    assert p.refused == {}


def test_retract_withdraws_a_disposition_and_recomputes(pact: Any, rules: Rules) -> None:
    base = [
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
        disposition("L1", "2026-03-02T10:30:00-05:00", "rejected", "competitor", id="d1"),
    ]
    p = run(
        pact,
        rules,
        *base,
        ev("retract", "L1", "2026-03-02T11:00:00-05:00", id="r1", event_id="d1", reason="wrong lead"),
        disposition("L1", "2026-03-02T11:30:00-05:00", "accepted", id="d2"),
    )
    assert p.statuses["d1"] == "retracted"
    assert p.stage == "sal"
    assert p.handoffs[0].disposition == "accepted"
    p = run(
        pact,
        rules,
        *base,
        ev("retract", "L1", "2026-03-02T11:00:00-05:00", id="r2", event_id="nope", reason="x"),
    )
    assert p.refused["r2"][0] == "data.event_id"


def test_min_touches_guard_refuses_in_enforcing_and_flags_in_monitoring(pact: Any) -> None:
    from leadpact.pact import Pact

    timeline = [
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
        touch("L1", "2026-03-02T10:01:00-05:00", channel="phone"),
        touch("L1", "2026-03-02T10:02:00-05:00", channel="phone"),
        touch("L1", "2026-03-02T10:03:00-05:00", channel="phone", automated=True),  # not counted
        touch("L1", "2026-03-02T10:04:00-05:00", channel="email", outcome="bounced"),  # not counted
        touch("L1", "2026-03-02T10:05:00-05:00", channel="phone"),
        disposition("L1", "2026-03-03T10:00:00-05:00", "disqualified", "no_budget_or_timeline", id="d"),
    ]
    monitoring = rules_from_pact(pact)
    p = run(pact, monitoring, *timeline)
    assert p.stage == "disqualified"
    assert "min_touches_short" in p.handoffs[0].flags
    assert p.handoffs[0].min_touch_met is False
    enforcing_pact = Pact.model_validate(
        {
            **pact.model_dump(mode="json"),
            "mode": "enforcing",
            "signoff": {"marketing": "Dana", "sales": "Sam"},
        }
    )
    p = run(enforcing_pact, rules_from_pact(enforcing_pact), *timeline)
    assert p.refused["d"] == (
        "data.outcome",
        "3 of 8 touches on 1 of 2 channels in 14 days: 5 more touches and 1 more channel needed",
    )
    exempt = [
        *timeline[:-1],
        disposition("L1", "2026-03-03T10:00:00-05:00", "disqualified", "competitor", id="d"),
    ]
    p = run(enforcing_pact, rules_from_pact(enforcing_pact), *exempt)
    assert p.stage == "disqualified" and "d" not in p.refused


def test_recycled_lead_comes_back_as_a_new_handoff(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
        *[
            touch("L1", f"2026-03-0{d}T10:00:00-05:00", channel=c)
            for d, c in zip(
                range(3, 9), ["phone", "email", "phone", "email", "linkedin", "phone"], strict=True
            )
        ],
        touch("L1", "2026-03-09T10:00:00-05:00", channel="email"),
        touch("L1", "2026-03-09T11:00:00-05:00", channel="email"),
        disposition("L1", "2026-03-10T10:00:00-05:00", "recycled", "no_budget_or_timeline"),
        activity("L1", "2026-03-20T10:00:00-04:00", "webinar_attended", id="w"),  # +15 < 25 gain
        activity("L1", "2026-03-25T10:00:00-04:00", "pricing_inquiry", id="pi"),
    )  # listed kind
    assert [h.n for h in p.handoffs] == [1, 2]
    first, second = p.handoffs
    assert first.recycled_at is not None and first.min_touch_met is True
    assert second.mql_at == at("2026-03-25T10:00:00-04:00") and second.trigger_event == "pi"
    assert second.tier == "high" and second.cycle_from == first.recycled_at
    assert first.ended_at == second.mql_at
    assert p.stage == "mql"


def test_fit_drop_after_mql_keeps_the_handoff_and_flags_it(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request"),
        ev(
            "lead.updated",
            "L1",
            "2026-03-03T10:00:00-05:00",
            title="Marketing Intern",
            seniority="intern",
            job_function="other",
        ),
    )
    assert p.stage == "mql"
    assert "fit_below_gate" in p.handoffs[0].flags


def test_unknown_rep_is_kept_and_flagged(pact: Any, rules: Rules) -> None:
    p = run(
        pact,
        rules,
        created("L1", "2026-03-02T09:00:00-05:00"),
        touch("L1", "2026-03-02T09:10:00-05:00", rep="zed", id="t"),
    )
    assert p.statuses["t"] == "applied"
    assert "unknown_rep:zed" in p.flags


def _timeline() -> list[dict[str, Any]]:
    return [
        created("P1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("P1", "2026-03-02T09:10:00-05:00", "content_download", id="a1"),
        activity("P1", "2026-03-02T09:20:00-05:00", "pricing_page_view", id="a2"),
        ev("lead.updated", "P1", "2026-03-02T09:25:00-05:00", id="u1", title="Director"),
        activity("P1", "2026-03-02T09:30:00-05:00", "webinar_question", id="a3"),
        touch("P1", "2026-03-02T09:31:00-05:00", id="t1"),
        touch("P1", "2026-03-02T09:40:00-05:00", channel="email", id="t2"),
        disposition("P1", "2026-03-02T10:00:00-05:00", "accepted", id="d1"),
        stage("P1", "2026-03-03T10:00:00-05:00", "sql", id="s1", **BANT),
        touch("P1", "2026-03-03T11:00:00-05:00", id="t3"),
        stage(
            "P1", "2026-03-04T10:00:00-05:00", "opportunity", id="s2", amount=1000, close_date="2026-04-01"
        ),
    ]


def _snapshot(p: Projection) -> Any:
    return (
        p.stage,
        p.stage_times,
        p.fields,
        [
            (h.n, h.mql_at, h.tier, h.first_touch_at, h.disposition, h.sql_at, h.opportunity_at, h.touches)
            for h in p.handoffs
        ],
        sorted(p.statuses.items()),
        p.refused,
    )


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False))
def test_a_shuffled_timeline_gives_the_projection_of_the_ordered_one(pact: Any, rnd: random.Random) -> None:
    rules = rules_from_pact(pact)
    ordered = _timeline()
    shuffled = ordered[:]
    rnd.shuffle(shuffled)
    expected = run(pact, rules, *ordered)
    assert expected.stage == "opportunity" and expected.refused == {}
    got = run(pact, rules, *shuffled)
    assert _snapshot(got) == _snapshot(expected)
