"""Sales commitments and the feedback loop, end to end through ingest, the store and metrics."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from builders import BANT, GOOD_FIT, activity, created, disposition, ev, stage, touch
from leadpact.domain.metrics.document import reason_breakdown
from leadpact.domain.metrics.facts import MetricParams
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.services.ingest import IngestReport, ingest, vocabulary
from leadpact.services.leads import lead_view
from leadpact.services.metrics import metrics
from leadpact.services.signals import record_reason_signals
from leadpact.services.violations import list_violation_views

NOW = datetime(2026, 6, 1, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 New York


def enforcing() -> Pact:
    return Pact.model_validate(
        {
            **Pact().model_dump(mode="json"),
            "mode": "enforcing",
            "signoff": {"marketing": "Dana", "sales": "Sam"},
        }
    )


def run(engine: Engine, pact: Any, *rows: dict[str, Any]) -> IngestReport:
    text = "".join(json.dumps(r) + "\n" for r in rows)
    return ingest(
        engine, rules_from_pact(pact), vocabulary(pact), read_events(io.StringIO(text), "x.jsonl"), now=NOW
    )


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def worked(lead: str, touches: int, channels: list[str]) -> list[dict[str, Any]]:
    rows = [created(lead, at(0), **GOOD_FIT), activity(lead, at(0), "demo_request", id=f"{lead}-a")]
    rows += [
        touch(lead, at(60 * 24 * (i + 1) / 2), channel=channels[i % len(channels)], id=f"{lead}-t{i}")
        for i in range(touches)
    ]
    return rows


@pytest.mark.parametrize(
    ("touches", "channels", "allowed"),
    [
        (8, ["phone", "email"], True),  # exactly the minimum
        (7, ["phone", "email"], False),  # one touch short
        (8, ["phone"], False),  # one channel short
    ],
)
def test_the_minimum_touches_guard_in_enforcing_mode(
    engine: Engine, touches: int, channels: list[str], allowed: bool
) -> None:
    pact = enforcing()
    report = run(
        engine,
        pact,
        *worked("G1", touches, channels),
        disposition("G1", at(60 * 24 * 6), "disqualified", "no_budget_or_timeline", id="G1-d"),
    )
    if allowed:
        assert report.refused == 0
    else:
        [refusal] = [r for r in report.results if r.status == "refused"]
        assert refusal.id == "G1-d" and refusal.field == "data.outcome"
        assert f"{touches} of 8 touches on {len(channels)} of 2 channels in 14 days" in (refusal.reason or "")


def test_an_exempt_reason_needs_no_touches(engine: Engine) -> None:
    report = run(
        engine,
        enforcing(),
        *worked("G2", 0, ["phone"]),
        disposition("G2", at(30), "disqualified", "competitor"),
    )
    assert report.refused == 0


def test_monitoring_accepts_the_short_disqualification_and_records_who_owes_what(
    engine: Engine, pact: Any
) -> None:
    report = run(
        engine,
        pact,
        *worked("G3", 3, ["phone"]),
        disposition("G3", at(60 * 24 * 3), "disqualified", "no_budget_or_timeline", by="ana"),
    )
    assert report.refused == 0
    views = [v for v in list_violation_views(engine, now=NOW) if v["kind"] == "min_touches"]
    assert [(v["lead_id"], v["handoff"]) for v in views] == [("G3", 1)]
    m = metrics(engine, pact, rules_from_pact(pact), "2026-03", as_of=NOW)
    assert m["min_touch_rate"] == 0.0
    assert m["touches_per_lead"] == 3.0


def test_hygiene_is_flagged_in_monitoring_and_refused_in_enforcing(engine: Engine, pact: Any) -> None:
    base = [
        created("H1", at(0), **GOOD_FIT),
        activity("H1", at(0), "demo_request"),
        touch("H1", at(2)),
        disposition("H1", at(10), "accepted"),
    ]
    incomplete = stage("H1", at(60), "sql", id="H1-s", budget="yes", authority="yes", need="yes")
    report = run(engine, enforcing(), *base, incomplete)
    [refusal] = [r for r in report.results if r.status == "refused"]
    assert refusal.field == "data.timeline" and "missing timeline" in (refusal.reason or "")
    report = run(engine, pact, incomplete)
    assert report.refused == 0
    m = metrics(engine, pact, rules_from_pact(pact), "2026-03", as_of=NOW)
    assert m["hygiene_rate"] == 0.0
    run(engine, pact, stage("H1", at(120), "opportunity", amount=1000, close_date="2026-05-01"))
    m = metrics(engine, pact, rules_from_pact(pact), "2026-03", as_of=NOW)
    assert m["hygiene_rate"] == 0.5
    assert m["by_rep"]["ana"]["hygiene_rate"] == 0.5  # the rep who works it owns it until routing


def test_a_recycled_lead_returns_with_new_clocks_and_is_counted_apart(engine: Engine, pact: Any) -> None:
    rows = [
        *worked("R1", 8, ["phone", "email"]),
        disposition("R1", at(60 * 24 * 5), "recycled", "no_budget_or_timeline"),
        activity("R1", at(60 * 24 * 10), "pricing_inquiry", id="R1-back"),
        touch("R1", at(60 * 24 * 10 + 3), id="R1-t-back"),
    ]
    assert run(engine, pact, *rows).refused == 0
    view = lead_view(engine, rules_from_pact(pact), "R1", as_of=NOW)
    assert view is not None and [h["n"] for h in view["handoffs"]] == [1, 2]
    second = [c for c in view["clocks"] if c["handoff"] == 2]
    assert {c["kind"] for c in second} == {"first_contact", "disposition", "touches"}
    assert next(c for c in second if c["kind"] == "first_contact")["started_at"] == (
        T0 + timedelta(days=10)
    ).isoformat().replace("+00:00", "Z")
    m = metrics(engine, pact, rules_from_pact(pact), "2026-03", as_of=NOW)
    assert m["mql_count"] == 2 and m["rehandoff_count"] == 1
    assert m["by_cycle"]["first"]["mql_count"] == 1 and m["by_cycle"]["rehandoff"]["mql_count"] == 1
    assert m["by_cycle"]["rehandoff"]["worked_rate"] == 1.0


def _params(share: float = 0.2, minimum: int = 10) -> MetricParams:
    return MetricParams(
        reasons={"a": "do a", "b": "do b"},
        reason_alert_share=share,
        min_rejections=minimum,
        marketing_sources=frozenset(),
        business_minutes=lambda a, b: [],
    )


def test_a_reason_is_flagged_just_above_the_share_and_not_at_it_nor_below_min_rejections() -> None:
    at_threshold = reason_breakdown({"a": 2, "b": 8}, _params())  # a: exactly 20%
    assert at_threshold["a"]["share"] == 0.2 and not at_threshold["a"]["flagged"]
    above = reason_breakdown({"a": 21, "b": 79}, _params())  # a: 21%
    assert above["a"]["flagged"] and above["b"]["flagged"]
    few = reason_breakdown({"a": 5, "b": 4}, _params())  # 9 < 10 rejections in all
    assert not few["a"]["flagged"] and not few["b"]["flagged"]
    assert above["a"]["action"] == "do a"


def test_the_closed_month_signal_goes_to_marketing_once(engine: Engine, pact: Any) -> None:
    rows: list[dict[str, Any]] = []
    for i in range(10):
        lead = f"S{i}"
        reason = "wrong_job_function" if i < 3 else "wrong_company_size"
        rows += [
            created(lead, at(i), **GOOD_FIT),
            activity(lead, at(i), "demo_request", id=f"{lead}-a"),
            disposition(lead, at(i + 30), "rejected", reason),
        ]
    assert run(engine, pact, *rows).refused == 0
    now = datetime(2026, 4, 2, tzinfo=UTC)
    rules = rules_from_pact(pact)
    assert record_reason_signals(engine, pact=pact, rules=rules, now=now) == 2
    assert record_reason_signals(engine, pact=pact, rules=rules, now=now) == 0
    signals = [v for v in list_violation_views(engine, now=now) if v["kind"] == "reason_signal"]
    assert {v["what"].split(" ")[0] for v in signals} == {"wrong_job_function", "wrong_company_size"}
    assert all(v["owed_by"] == "marketing" for v in signals)


def test_outbound_pipeline_is_sales_sourced(engine: Engine, pact: Any) -> None:
    rows = [
        created("O1", at(0), source="outbound"),
        touch("O1", at(5)),
        disposition("O1", at(10), "accepted"),
        stage("O1", at(60), "sql", **BANT),
        stage("O1", at(120), "opportunity", amount=40000, close_date="2026-06-01"),
        created("M1", at(0), **GOOD_FIT),
        activity("M1", at(1), "demo_request"),
        touch("M1", at(3)),
        disposition("M1", at(10), "accepted"),
        stage("M1", at(60), "sql", **BANT),
        stage("M1", at(120), "opportunity", amount=10000, close_date="2026-06-01"),
    ]
    assert run(engine, pact, *rows).refused == 0
    pipeline = metrics(engine, pact, rules_from_pact(pact), "2026-03", as_of=NOW)["pipeline"]
    assert pipeline == {
        "total": 50000.0,
        "marketing_sourced": 10000.0,
        "sales_sourced": 40000.0,
        "marketing_influenced": 10000.0,
    }


def test_duplicates_are_flagged_with_the_suggested_reason(engine: Engine, pact: Any) -> None:
    run(
        engine,
        pact,
        created(
            "D1",
            at(0),
            email="ada@acme.example",
            first_name="Ada",
            last_name="Byron",
            account_id="ACME",
            **GOOD_FIT,
        ),
    )
    run(
        engine,
        pact,
        created("D2", at(10), email="ADA@acme.example", **GOOD_FIT),
        created(
            "D3",
            at(20),
            email="other@acme.example",
            first_name="ada",
            last_name="byron",
            account_id="ACME",
            **GOOD_FIT,
        ),
        activity("D3", at(21), "demo_request"),
    )
    rules = rules_from_pact(pact)
    for lead in ("D2", "D3"):
        view = lead_view(engine, rules, lead, as_of=NOW)
        assert view is not None and "duplicate_of:D1" in view["flags"]
    view = lead_view(engine, rules, "D3", as_of=NOW)
    assert view is not None and view["packet"]["suggested_reason"] == "duplicate_or_customer"
    # The original arriving after its duplicate flags the newer one.
    run(engine, pact, created("D0", at(-30), email="zed@acme.example", **GOOD_FIT))
    run(engine, pact, created("D9", at(-60), email="zed@acme.example", **GOOD_FIT))
    view = lead_view(engine, rules, "D0", as_of=NOW)
    assert view is not None and "duplicate_of:D9" in view["flags"]


def test_a_retracted_disposition_can_be_made_again(engine: Engine, pact: Any) -> None:
    base = [
        created("X1", at(0), **GOOD_FIT),
        activity("X1", at(0), "demo_request"),
        touch("X1", at(2)),
        disposition("X1", at(10), "rejected", "competitor", id="X1-d"),
    ]
    run(engine, pact, *base)
    assert run(engine, pact, disposition("X1", at(20), "accepted", id="X1-d2")).refused == 1
    report = run(
        engine,
        pact,
        ev("retract", "X1", at(15), id="X1-r", event_id="X1-d", reason="wrong lead"),
        disposition("X1", at(20), "accepted", id="X1-d2"),
    )
    assert report.refused == 0
    view = lead_view(engine, rules_from_pact(pact), "X1", as_of=NOW)
    assert view is not None and view["stage"] == "sal"
    assert {e["id"]: e["status"] for e in view["timeline"]}["X1-d"] == "retracted"


def test_the_feedback_signal_counts_a_rejection_at_the_instant_it_is_read_as_the_metric_does(
    engine: Engine, pact: Any
) -> None:
    """One dating rule for both: a rejection made exactly at `as_of` is in the month's reasons and raises the
    month-to-date warning (it used to be in the metric and not in the signal)."""
    rows: list[dict[str, Any]] = []
    for i in range(10):
        lead = f"Q{i}"
        rows += [
            created(lead, at(i), **GOOD_FIT),
            activity(lead, at(i), "demo_request", id=f"{lead}-a"),
            disposition(lead, at(i + 30), "rejected", "wrong_job_function" if i < 9 else "competitor"),
        ]
    assert run(engine, pact, *rows).refused == 0
    as_of = T0 + timedelta(minutes=9 + 30)  # the instant of the tenth rejection
    m = metrics(engine, pact, rules_from_pact(pact), "2026-03", as_of=as_of)
    assert sum(r["count"] for r in m["reasons"].values()) == 10
    assert record_reason_signals(engine, pact=pact, rules=rules_from_pact(pact), now=as_of) == 1
    [warning] = [v for v in list_violation_views(engine, now=as_of) if v["kind"] == "reason_warning"]
    assert "of the 10 rejections" in warning["what"]
