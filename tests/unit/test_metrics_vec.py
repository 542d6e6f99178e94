"""The vectorised metrics give the reference document: random small sets of handoffs and clocks (None
instants, ties, instants on the period's edges, as_of inside and outside the period, empty groups, null
denominators), the whole document of `period_metrics`, attribution, stage times and the funnel leak."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from leadpact.domain.clocks import Clock
from leadpact.domain.metrics.attribution import attribution, attribution_vec, customer_instant, won_amount
from leadpact.domain.metrics.columns import ActivityColumns, ClockColumns, HandoffColumns, period_lists
from leadpact.domain.metrics.document import Targets
from leadpact.domain.metrics.facts import Activity, ClockFacts, HandoffFacts, MetricParams
from leadpact.domain.metrics.funnel import (
    PlanRates,
    funnel_leak,
    funnel_leak_vec,
    stage_times,
    stage_times_vec,
)
from leadpact.domain.metrics.reference import period_metrics
from leadpact.domain.metrics.vec import period_metrics_vec
from leadpact.domain.timeutil import to_us
from leadpact.store.facts import period_facts

START = datetime(2026, 3, 1, 5, tzinfo=UTC)
END = datetime(2026, 4, 1, 4, tzinfo=UTC)
US = timedelta(microseconds=1)
# a few instants, so that ties are frequent: on and around the edges, inside, before, after
POOL = [
    START - timedelta(days=40),
    START - US,
    START,
    START + US,
    START + timedelta(minutes=7),
    START + timedelta(hours=3, seconds=1),
    START + timedelta(days=9, microseconds=5),
    START + timedelta(days=15),
    END - timedelta(hours=2),
    END - US,
    END,
    END + timedelta(days=3),
]
instant = st.one_of(st.none(), st.sampled_from(POOL))
name = st.sampled_from  # readability


def _scalar_business(starts: Any, ends: Any) -> list[float]:
    return [min((e - s).total_seconds() / 60, 90.0) / 2 for s, e in zip(starts, ends, strict=True)]


def _vec_business(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    return np.minimum((ends - starts) / 1e6 / 60, 90.0) / 2


@st.composite
def handoffs(draw: Any) -> HandoffFacts:
    return HandoffFacts(
        lead_id=draw(name(["L1", "L2", "L3", "L4", "L5"])),
        n=draw(st.integers(1, 3)),
        kind=draw(name(["mql", "mql", "direct"])),
        mql_at=draw(instant),
        source=draw(name([None, "", "webinar", "content", "outbound"])),
        tier=draw(name([None, "high", "low"])),
        segment=draw(name([None, "smb", "enterprise"])),
        owner=draw(name([None, "", "ana", "bo", "cy"])),
        team=draw(name([None, "east", "west"])),
        campaign=draw(name([None, "", "c1", "c2"])),
        first_touch_at=draw(instant),
        touches=draw(st.integers(0, 6)),
        disposition=draw(name([None, "accepted", "rejected", "disqualified", "recycled"])),
        disposition_at=draw(instant),
        sql_at=draw(instant),
        opportunity_at=draw(instant),
        customer_at=draw(instant),
        rejected_at=draw(instant),
        disqualified_at=draw(instant),
        recycled_at=draw(instant),
        outcome_reason=draw(name([None, "", "competitor", "wrong_job_function", "no_budget", "unknown"])),
        min_touch_met=draw(name([None, True, False])),
        amount=draw(name([None, 0.0, 1000.0, 1234.5, 0.1, 25_000.0, 3.3])),
        first_activity_at=draw(instant),
        lead_first_touch_at=draw(instant),
        flags=draw(
            name(
                [
                    "[]",
                    '["hygiene:sql"]',
                    '["hygiene:opportunity"]',
                    '["hygiene:sql", "hygiene:opportunity"]',
                    '["touches_untracked"]',
                ]
            )
        ),
        won_amount=draw(name([None, None, 0.0, 999.0, 0.7])),
        closed_lost_at=draw(instant),
        closer=draw(name([None, "ana", "bo"])),
        product=draw(name([None, "pro", "team"])),
    )


@st.composite
def clock_facts(draw: Any, kind: str) -> ClockFacts:
    due = draw(st.sampled_from(POOL))
    return ClockFacts(
        clock=Clock(
            handoff=1,
            kind=kind,
            started_at=POOL[0],
            due_at=due,
            business=True,
            rule="r",
            met_at=draw(instant),
            cancelled_at=draw(instant),
        ),
        lead_id=draw(name(["L1", "L2", "L3"])),
        source=draw(name([None, "webinar", "event"])),
        tier=draw(name([None, "high", "medium"])),
        segment=draw(name([None, "smb"])),
        owner=draw(name([None, "ana", "dee"])),
        team=draw(name([None, "east", "north"])),
        campaign=draw(name([None, "c1", "c3"])),
        n=draw(st.integers(1, 2)),
    )


@st.composite
def params_and_targets(draw: Any) -> tuple[MetricParams, Targets]:
    params = MetricParams(
        reasons={"competitor": "exclude competitors", "wrong_job_function": "adjust persona targeting"},
        reason_alert_share=draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
        min_rejections=draw(st.integers(0, 3)),
        marketing_sources=frozenset({"webinar", "content"}),
        business_minutes=_scalar_business,
    )
    targets = Targets(
        mql_target=draw(st.sampled_from([None, 0.0, 355.56, 12.0])),
        elapsed_share=draw(st.sampled_from([None, 0.0, 0.4, 1.0])),
        source_plan=draw(st.sampled_from([{}, {"webinar": 0.6, "event": 0.4}, {"content": 1.0}])),
    )
    return params, targets


as_of_st = st.one_of(st.sampled_from(POOL), st.just(END + timedelta(days=400)))


def same(expected: Any, got: Any, path: str = "$") -> list[str]:
    """Equal documents: the same keys in the same order, None exactly, floats to 1e-9."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or list(expected) != list(got):
            return [f"{path}: keys {list(expected)} != {list(got) if isinstance(got, dict) else got!r}"]
        return [m for k in expected for m in same(expected[k], got[k], f"{path}.{k}")]
    if isinstance(expected, list):
        if not isinstance(got, list) or len(expected) != len(got):
            return [f"{path}: {expected!r} != {got!r}"]
        return [
            m for i, (a, b) in enumerate(zip(expected, got, strict=True)) for m in same(a, b, f"{path}[{i}]")
        ]
    if expected is None or isinstance(expected, bool | str):
        return (
            []
            if got is expected or (isinstance(expected, str) and got == expected)
            else [f"{path}: {expected!r} != {got!r}"]
        )
    if isinstance(expected, int) and not isinstance(expected, bool):
        ok = isinstance(got, int) and not isinstance(got, bool) and got == expected
        return [] if ok else [f"{path}: {expected!r} != {got!r}"]
    if isinstance(expected, float):
        ok = isinstance(got, float) and math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-9)
        return [] if ok else [f"{path}: {expected!r} != {got!r}"]
    return [] if expected == got else [f"{path}: {expected!r} != {got!r}"]


def _columns(rows: list[HandoffFacts]) -> HandoffColumns:
    return HandoffColumns.of(rows)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(handoffs(), max_size=14),
    first_contact=st.lists(clock_facts("first_contact"), max_size=6),
    disposition=st.lists(clock_facts("disposition"), max_size=6),
    pt=params_and_targets(),
    as_of=as_of_st,
)
def test_the_vectorised_document_is_the_reference_document(
    rows: list[HandoffFacts],
    first_contact: list[ClockFacts],
    disposition: list[ClockFacts],
    pt: tuple[MetricParams, Targets],
    as_of: datetime,
) -> None:
    params, targets = pt
    reference = period_metrics(
        period_facts(START, END, rows, first_contact, disposition), params, as_of, targets
    )
    got = period_metrics_vec(
        _columns(rows),
        ClockColumns.of(first_contact, disposition),
        START,
        END,
        params,
        as_of,
        targets,
        _vec_business,
    )
    assert same(reference, got) == []
    # without the array version of business minutes, the scalar one is called
    scalar = period_metrics_vec(
        _columns(rows), ClockColumns.of(first_contact, disposition), START, END, params, as_of, targets
    )
    assert same(reference, scalar) == []


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(handoffs(), max_size=14), as_of=as_of_st)
def test_stage_times_and_the_funnel_leak_are_the_reference(rows: list[HandoffFacts], as_of: datetime) -> None:
    facts = period_facts(START, END, rows, [], [])
    h = _columns(rows)
    cohort = period_lists(h, to_us(START), to_us(END)).cohort
    assert same(stage_times(facts.cohort, as_of), stage_times_vec(h, cohort, as_of)) == []
    plan = PlanRates(0.7, 0.3, 0.5, 0.25)
    assert same(funnel_leak(facts.cohort, plan, as_of), funnel_leak_vec(h, cohort, plan, as_of)) == []


@st.composite
def activity(draw: Any) -> Activity:
    return Activity(
        at=draw(st.sampled_from(POOL)),
        kind="webinar_attended",
        asset=draw(name([None, "", "a1", "a2", "a3"])),
        campaign=draw(name([None, "", "c1", "c2", "c3"])),
        source=draw(name([None, None, "", "event", "webinar"])),
    )


@settings(max_examples=400, deadline=None)
@given(
    rows=st.lists(handoffs(), max_size=12),
    acts=st.dictionaries(name(["L1", "L2", "L3", "L4", "L9"]), st.lists(activity(), max_size=6), max_size=5),
    as_of=as_of_st,
)
def test_attribution_is_the_reference(
    rows: list[HandoffFacts], acts: dict[str, list[Activity]], as_of: datetime
) -> None:
    facts = period_facts(START, END, rows, [], [])
    h = _columns(rows)
    lists = period_lists(h, to_us(START), to_us(END))
    columns = ActivityColumns.of(acts)
    assert (
        same(
            attribution(facts.opportunities, acts, as_of),
            attribution_vec(h, lists.opportunities, h.opportunity_at, columns, as_of),
        )
        == []
    )
    assert (
        same(
            attribution(facts.won, acts, as_of, instant=customer_instant, amount=won_amount),
            attribution_vec(h, lists.won, h.customer_at, columns, as_of, h.won),
        )
        == []
    )


def test_an_empty_period_gives_the_reference_nulls() -> None:
    params = MetricParams({}, 0.3, 3, frozenset(), _scalar_business)
    targets = Targets(356.0, 0.5, {"webinar": 1.0})
    reference = period_metrics(period_facts(START, END, [], [], []), params, END, targets)
    got = period_metrics_vec(
        _columns([]), ClockColumns.of([], []), START, END, params, END, targets, _vec_business
    )
    assert same(reference, got) == []
    assert got["acceptance_rate"] is None and got["response_minutes"]["median"] is None


# ---------------------------------------------------------------------------------- through the store


def _store_rows(
    seed: int, tricky: bool
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Handoffs, clocks and activity events around March 2026: instants on the month's edges and ties,
    NULLs everywhere they may be; `tricky` adds strings holding the packed reads' separators (the reads then
    fall back to rows), quotes, an orphan clock and a lead id with a separator."""
    import json
    import random

    from leadpact.domain.timeutil import to_us as us

    rnd = random.Random(seed)
    pool = [us(t) for t in POOL]
    strings = [None, "", "webinar", "content", "event", "O'Brien"]
    if tricky:
        strings += ["a\x1fb", "x\x1ey", "=", "\x1e"]

    def t() -> int | None:
        return rnd.choice([None, None, *pool])

    def pick(values: list[Any]) -> Any:
        return rnd.choice(values)

    handoffs, clocks, events = [], [], []
    leads = [f"L{i}" for i in range(40)] + (["L\x1f40"] if tricky else [])
    for lead in leads:
        for n in range(1, rnd.choice([2, 2, 3])):
            mql = t()
            disposition = pick([None, "accepted", "rejected", "disqualified", "recycled"])
            handoffs.append(
                (
                    lead,
                    n,
                    pick(["mql", "mql", "direct"]),
                    pool[0],
                    mql,
                    f"e-{lead}-{n}",
                    pick(strings),
                    pick(strings),
                    pick(strings),
                    pick(strings),
                    50.0,
                    10.0,
                    pick(strings),
                    t(),
                    rnd.randint(0, 9),
                    rnd.randint(0, 3),
                    disposition,
                    t(),
                    t(),
                    t(),
                    t(),
                    t(),
                    t(),
                    t(),
                    t(),
                    pick(strings),
                    pick([None, True, False]),
                    pick([None, 0.0, -0.0, 1234.5, 0.1, 1e15 + 0.5, 25_000.0]),
                    pick(["[]", '["hygiene:sql"]', '["hygiene:opportunity"]', '["HYGIENE:SQL"]']),
                    pick([None, 999.0, 0.7]),
                    t(),
                    t(),
                    pick(strings),
                )
            )
            for kind in ("first_contact", "disposition", "touches"):
                if rnd.random() < 0.8:
                    clocks.append(
                        (
                            lead,
                            n,
                            kind,
                            pool[0],
                            pick(pool),
                            True,
                            "r",
                            t(),
                            t(),
                            "[]",
                            pick(strings),
                            pick(strings),
                            pick(strings),
                            pick(strings),
                        )
                    )
        for k in range(rnd.randint(0, 4)):
            data = {"kind": "page_view"}
            for key in ("asset", "campaign"):
                if (value := pick([None, "a1", "a2", "c1", "spring 'launch'"])) is not None:
                    data[key] = value
            at = pick(pool)
            events.append((f"{lead}-a{k}", lead, "activity", 2, at, json.dumps(data), "h", at))
    if tricky:  # a clock whose handoff does not exist: left out, as the inner join of the reference
        clocks.append(
            (
                "L-none",
                1,
                "first_contact",
                pool[0],
                pool[3],
                True,
                "r",
                None,
                None,
                "[]",
                None,
                None,
                None,
                None,
            )
        )
    return handoffs, clocks, events


_H_COLS = (
    "lead_id",
    "n",
    "kind",
    "start_at",
    "mql_at",
    "trigger_event",
    "tier",
    "segment",
    "source",
    "campaign",
    "fit",
    "engagement",
    "owner",
    "first_touch_at",
    "touches",
    "channels",
    "disposition",
    "disposition_at",
    "sql_at",
    "opportunity_at",
    "customer_at",
    "rejected_at",
    "disqualified_at",
    "recycled_at",
    "first_activity_at",
    "outcome_reason",
    "min_touch_met",
    "amount",
    "flags",
    "won_amount",
    "lead_first_touch_at",
    "sal_at",
    "team",
)
_C_COLS = (
    "lead_id",
    "n",
    "kind",
    "started_at",
    "due_at",
    "business",
    "rule",
    "met_at",
    "cancelled_at",
    "warn_times",
    "owner",
    "team",
    "tier",
    "segment",
)
_E_COLS = ("id", "lead_id", "type", "rank", "at", "data", "hash", "received_at")


@pytest.mark.parametrize("tricky", [False, True])
@pytest.mark.parametrize("concurrent", [True, False])
@pytest.mark.parametrize("cache", [True, False])
def test_the_store_reads_give_the_reference_document(
    engine: Engine, pact: Any, tricky: bool, concurrent: bool, cache: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadpact.domain.rules import rules_from_pact
    from leadpact.services import metrics as service
    from leadpact.store import period_reads
    from leadpact.store.events import bulk_insert

    monkeypatch.setattr(period_reads, "CONCURRENT_READS", concurrent)
    handoffs, clocks, events = _store_rows(11, tricky)
    with engine.begin() as conn:
        bulk_insert(conn, "handoffs", _H_COLS, handoffs)
        bulk_insert(conn, "clocks", _C_COLS, clocks)
        bulk_insert(conn, "events", _E_COLS, events)
    rules = rules_from_pact(pact)
    for as_of in (START + timedelta(days=10), END - US, END + timedelta(days=400)):
        reference = service.metrics_reference(engine, pact, rules, "2026-03", as_of=as_of)
        got = service.metrics(engine, pact, rules, "2026-03", as_of=as_of, cache=cache)
        assert reference["mql_count"] > 0
        assert same(reference, got) == []
