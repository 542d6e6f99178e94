"""The demo event generator: determinism, event shape, lifecycle legality, rates, flat memory, roster.

Legality is checked by a small re-implementation of the default pact's rules written here, independently
of both the generator's helper (`leadpact.demo.gate`) and the engine: the gate (fit + decayed engagement),
the re-handoff rule, the §1 transitions, reasons and `by`, and the minimum-touch count.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import tracemalloc
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from leadpact.demo.company import DEMO_ROSTER_YAML, CompanyProfile
from leadpact.demo.generator import generate, write_jsonl

# -- the default pact, restated -----------------------------------------------------------------------------
RANK = {
    "lead.created": 0,
    "lead.updated": 1,
    "activity": 2,
    "assignment": 3,
    "touch": 4,
    "disposition": 5,
    "stage": 6,
    "retract": 7,
}
POINTS = {
    "demo_request": (50, None),
    "trial_signup": (50, None),
    "pricing_inquiry": (40, None),
    "webinar_question": (25, None),
    "event_attended": (20, None),
    "webinar_attended": (15, None),
    "pricing_page_view": (10, 30),
    "content_download": (5, 20),
    "email_click": (2, 10),
}
KINDS = set(POINTS) | {"page_view", "webinar_registered", "contact_form"}
REASONS = {
    "wrong_company_size",
    "wrong_industry",
    "wrong_job_function",
    "duplicate_or_customer",
    "competitor",
    "invalid_contact",
    "no_budget_or_timeline",
}
EXEMPT = {"competitor", "invalid_contact", "duplicate_or_customer"}
SOURCES = {"demo_request", "content", "webinar", "event", "paid_search", "referral", "outbound"}
MOVES = {
    "raw": {"sal"},
    "mql": {"sal", "rejected", "disqualified", "recycled"},
    "sal": {"sql", "disqualified", "recycled"},
    "sql": {"opportunity", "disqualified", "recycled", "closed_lost"},
    "opportunity": {"customer", "closed_lost"},
    "closed_lost": {"recycled"},
}
OUTCOME_STAGE = {
    "accepted": "sal",
    "rejected": "rejected",
    "disqualified": "disqualified",
    "recycled": "recycled",
}
CHANNELS = {"email", "phone", "linkedin", "video", "meeting", "sms"}
OUTCOMES = {"attempted", "connected", "voicemail", "replied", "bounced", "meeting_booked"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def fit(f: dict[str, Any]) -> int:
    points = 0
    if 200 <= (f.get("employees") or 0) <= 5000:
        points += 20
    points += 15 * (f.get("job_function") in ("marketing", "sales", "revops"))
    points += 15 * (f.get("seniority") in ("manager", "director", "vp", "c_level"))
    points += 10 * (f.get("industry") in ("software", "saas", "fintech", "ecommerce"))
    points += 5 * (f.get("country") in ("US", "CA", "GB", "DE", "FR", "NL", "AU"))
    points -= 30 * bool(re.search(r"(?i)intern|student", f.get("title") or ""))
    return points


def engagement(acts: list[tuple[datetime, str]], at: datetime) -> float:
    sums: dict[str, float] = {}
    for when, kind in acts:
        if when <= at and kind in POINTS:
            age = (at - when).total_seconds() / 86400.0
            sums[kind] = sums.get(kind, 0.0) + POINTS[kind][0] * 0.5 ** (age / 30.0)
    return sum(s if POINTS[k][1] is None else min(POINTS[k][1], s) for k, s in sums.items())


@dataclass
class Handoff:
    kind: str  # "mql" or "direct"
    at: datetime
    enterprise: bool
    first_touch: datetime | None = None
    disposition: str | None = None
    reason: str | None = None
    reached_sql: bool = False
    short: bool | None = None  # for a non-exempt disqualify/recycle of an MQL cycle
    touches: list[tuple[datetime, str, bool]] = field(default_factory=list)  # (at, channel, counts)


@dataclass
class Lead:
    lead_id: str
    source: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    handoffs: list[Handoff] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def check_lead(events: list[dict[str, Any]]) -> Lead:
    """Replay one lead's events in ingest order and record every illegality."""
    lead = Lead(events[0]["lead_id"])
    ordered = sorted(events, key=lambda e: (datetime.fromisoformat(e["at"]), RANK[e["type"]], e["id"]))
    stage, recycled_at, at_recycle = "raw", None, 0.0
    acts: list[tuple[datetime, str]] = []

    def err(event: dict[str, Any], why: str) -> None:
        lead.errors.append(f"{event['id']}: {why}")

    for e in ordered:
        at, data, kind = datetime.fromisoformat(e["at"]), e["data"], e["type"]
        if kind == "lead.created":
            lead.source, lead.fields = data["source"], data
            continue
        if not lead.fields:
            err(e, "before lead.created")
            continue
        f = lead.fields
        enterprise = (f.get("employees") or 0) >= 1000
        fit_ok = fit(f) >= (50 if enterprise else 40)
        mql_cycles = sum(h.kind == "mql" for h in lead.handoffs)
        current = lead.handoffs[-1] if lead.handoffs else None
        if kind == "activity":
            acts.append((at, data["kind"]))
            score = engagement(acts, at)
            gate = stage == "raw" and fit_ok and score >= 30
            comeback = (
                stage == "recycled"
                and fit_ok
                and mql_cycles < 3
                and recycled_at is not None
                and at - recycled_at <= timedelta(days=30)
                and (data["kind"] in ("demo_request", "pricing_inquiry") or score - at_recycle >= 25)
            )
            if gate or comeback:
                lead.handoffs.append(Handoff("mql", at, enterprise))
                stage = "mql"
        elif kind == "touch":
            if current is not None and at >= current.at:
                counts = not data.get("automated", False) and data.get("outcome") != "bounced"
                current.touches.append((at, data["channel"], counts))
                if current.first_touch is None and not data.get("automated", False):
                    current.first_touch = at
        elif kind == "disposition":
            outcome, reason, target = data["outcome"], data.get("reason"), OUTCOME_STAGE[data["outcome"]]
            if target not in MOVES.get(stage, set()):
                err(e, f"{stage} -> {target}")
                continue
            if stage == "raw" and lead.source != "outbound":
                err(e, "a marketing lead accepted before its gate crossing")
                continue
            if outcome != "accepted" and reason not in REASONS:
                err(e, f"reason {reason!r}")
            if not data.get("by"):
                err(e, "disposition without by")
            if stage == "raw":
                lead.handoffs.append(Handoff("direct", at, enterprise))
            h = lead.handoffs[-1]
            if h.kind == "mql" and outcome in ("disqualified", "recycled") and reason not in EXEMPT:
                minimum, days, channels = (10, 21, 3) if h.enterprise else (8, 14, 2)
                until = min(at, h.at + timedelta(days=days))
                counted = [t for t in h.touches if t[2] and t[0] <= until]
                h.short = len(counted) < minimum or len({t[1] for t in counted}) < channels
            if h.disposition is None:
                h.disposition, h.reason = outcome, reason
            stage = target
            if outcome == "recycled":
                recycled_at, at_recycle = at, engagement(acts, at)
        elif kind == "stage":
            if data["stage"] not in MOVES.get(stage, set()):
                err(e, f"{stage} -> {data['stage']}")
                continue
            if not data.get("by"):
                err(e, "stage without by")
            if data["stage"] == "sql":
                lead.handoffs[-1].reached_sql = True
            stage = data["stage"]
    return lead


def by_lead(events: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for _, group in itertools.groupby(events, key=lambda e: e["lead_id"]):
        yield list(group)


def rates(leads: list[Lead]) -> dict[str, Any]:
    """The shares the generator promises, from replayed leads."""
    mql = [h for lead in leads for h in lead.handoffs if h.kind == "mql"]
    decided = [h for h in mql if h.disposition is not None]
    guarded = [h for h in mql if h.short is not None]
    by_source: dict[str, list[Handoff]] = {}
    for lead in leads:
        for h in lead.handoffs:
            if h.kind == "mql":
                by_source.setdefault(lead.source, []).append(h)
    return {
        "mql_share": sum(any(h.kind == "mql" for h in lead.handoffs) for lead in leads) / len(leads),
        "acceptance": sum(h.disposition == "accepted" for h in decided) / len(decided),
        "rejected": sum(h.disposition == "rejected" for h in decided) / len(decided),
        "recycled": sum(h.disposition == "recycled" for h in decided) / len(decided),
        "disqualified": sum(h.disposition == "disqualified" for h in decided) / len(decided),
        "pending": 1 - len(decided) / len(mql),
        "never_touched": sum(h.first_touch is None for h in mql) / len(mql),
        "short_of_minimum": sum(bool(h.short) for h in guarded) / max(len(guarded), 1),
        "rehandoffs": len(mql) - sum(any(h.kind == "mql" for h in lead.handoffs) for lead in leads),
        "mql_to_sql": {s: sum(h.reached_sql for h in hs) / len(hs) for s, hs in sorted(by_source.items())},
    }


@pytest.fixture(scope="module")
def five_thousand() -> list[dict[str, Any]]:
    return list(generate(5000, seed=11))


# -- determinism --------------------------------------------------------------------------------------------
def _digest(events: Iterable[dict[str, Any]]) -> str:
    h = hashlib.sha256()
    for event in events:
        h.update(json.dumps(event, separators=(",", ":")).encode())
    return h.hexdigest()


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert write_jsonl(a, generate(800, seed=3)) == write_jsonl(b, generate(800, seed=3))
    assert a.read_bytes() == b.read_bytes()
    assert _digest(generate(800, seed=3)) != _digest(generate(800, seed=4))
    assert _digest(generate(800, seed=3, months=6)) != _digest(generate(800, seed=3))


def test_write_jsonl_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    count = write_jsonl("-", generate(20, seed=1))
    lines = capsys.readouterr().out.splitlines()
    assert count == len(lines) > 20
    assert json.loads(lines[0])["id"] == "L-000001-c"


# -- shape --------------------------------------------------------------------------------------------------
def test_every_event_has_the_ingest_shape(five_thousand: list[dict[str, Any]]) -> None:
    ids: set[str] = set()
    start = datetime.fromisoformat("2026-01-05T00:00:00-05:00")
    end = datetime.fromisoformat("2027-01-05T00:00:00-05:00")
    seen_leads: list[str] = []
    for e in five_thousand:
        assert list(e) == ["id", "type", "lead_id", "at", "data"]
        assert e["id"] not in ids
        ids.add(e["id"])
        assert e["id"].startswith(e["lead_id"] + "-")
        assert ISO.match(e["at"]), e["at"]
        assert start <= datetime.fromisoformat(e["at"]) < end
        data = e["data"]
        if e["type"] == "lead.created":
            assert e["id"] == e["lead_id"] + "-c"
            assert {
                "email",
                "source",
                "first_name",
                "last_name",
                "company",
                "title",
                "job_function",
                "seniority",
                "industry",
                "employees",
                "annual_revenue",
                "country",
                "region",
                "campaign",
            } <= set(data)
            assert data["source"] in SOURCES and "@" in data["email"]
            seen_leads.append(e["lead_id"])
        elif e["type"] == "activity":
            assert data["kind"] in KINDS
        elif e["type"] == "touch":
            assert data["channel"] in CHANNELS and data["outcome"] in OUTCOMES and data["rep"]
            assert isinstance(data.get("automated", False), bool)
        elif e["type"] == "disposition":
            assert data["outcome"] in OUTCOME_STAGE and data["by"]
        else:
            assert e["type"] == "stage" and data["stage"] in {"sql", "opportunity", "customer", "closed_lost"}
    assert seen_leads == [f"L-{i:06d}" for i in range(1, 5001)]  # lead by lead, in order


def test_leads_emails_accounts_and_firmographics(five_thousand: list[dict[str, Any]]) -> None:
    created = [e["data"] for e in five_thousand if e["type"] == "lead.created"]
    emails = Counter(d["email"] for d in created)
    duplicates = sum(n - 1 for n in emails.values() if n > 1)
    assert duplicates <= 0.015 * len(created)
    people = Counter((d["first_name"], d["last_name"], d["account_id"]) for d in created if "account_id" in d)
    assert duplicates + sum(n - 1 for n in people.values() if n > 1) >= 0.004 * len(created)
    accounts = Counter(d["account_id"] for d in created if d.get("account_id"))
    in_accounts = sum(n for n in accounts.values() if n >= 2)
    assert 0.14 <= in_accounts / len(created) <= 0.26
    assert max(accounts.values()) <= 6
    sources = Counter(d["source"] for d in created)
    for source, share in (("content", 0.35), ("webinar", 0.25), ("demo_request", 0.15), ("event", 0.12)):
        assert abs(sources[source] / len(created) - share) < 0.03
    good = sum(fit(d) >= 50 for d in created) / len(created)
    enterprise = sum(d["employees"] >= 1000 for d in created) / len(created)
    assert 0.55 <= good <= 0.65
    assert 0.11 <= enterprise <= 0.20
    assert any(d["employees"] > 5000 for d in created)
    assert any(fit(d) < 0 for d in created)  # interns and students


# -- legality -----------------------------------------------------------------------------------------------
def test_every_timeline_is_legal_under_the_default_pact(five_thousand: list[dict[str, Any]]) -> None:
    leads = [check_lead(events) for events in by_lead(five_thousand)]
    errors = [error for lead in leads for error in lead.errors]
    assert errors == []
    kinds = Counter(h.kind for lead in leads for h in lead.handoffs)
    assert kinds["direct"] > 0 and kinds["mql"] > 0
    for lead in leads:
        if any(h.kind == "direct" for h in lead.handoffs):
            assert lead.source == "outbound"


def test_the_checker_catches_illegal_timelines() -> None:
    base = [
        {
            "id": "x-c",
            "type": "lead.created",
            "lead_id": "x",
            "at": "2026-03-02T10:00:00-05:00",
            "data": {
                "email": "a@b.example",
                "source": "content",
                "employees": 300,
                "job_function": "marketing",
                "seniority": "vp",
                "title": "VP Marketing",
            },
        },
        {
            "id": "x-a1",
            "type": "activity",
            "lead_id": "x",
            "at": "2026-03-02T10:01:00-05:00",
            "data": {"kind": "content_download"},
        },
    ]
    early = {
        "id": "x-d1",
        "type": "disposition",
        "lead_id": "x",
        "at": "2026-03-02T10:02:00-05:00",
        "data": {"outcome": "accepted", "by": "ana"},
    }
    assert check_lead([*base, early]).errors  # no gate crossing yet
    crossing = {
        "id": "x-a2",
        "type": "activity",
        "lead_id": "x",
        "at": "2026-03-02T10:01:30-05:00",
        "data": {"kind": "demo_request"},
    }
    assert check_lead([*base, crossing, early]).errors == []
    twice = dict(early, id="x-d2", data={"outcome": "rejected", "reason": "competitor", "by": "ana"})
    assert check_lead([*base, crossing, early, twice]).errors  # sal -> rejected
    sql = {
        "id": "x-s1",
        "type": "stage",
        "lead_id": "x",
        "at": "2026-03-02T09:00:00-05:00",
        "data": {"stage": "sql", "by": "ana"},
    }
    assert check_lead([*base, crossing, early, sql]).errors  # before the acceptance


def test_rates_on_five_thousand_leads(five_thousand: list[dict[str, Any]]) -> None:
    r = rates([check_lead(events) for events in by_lead(five_thousand)])
    assert 0.30 <= r["mql_share"] <= 0.40, r
    assert 0.70 <= r["acceptance"] <= 0.82, r
    assert 0.08 <= r["rejected"] <= 0.16, r
    assert 0.05 <= r["recycled"] <= 0.12, r
    assert 0.01 <= r["never_touched"] <= 0.06, r
    assert 0.06 <= r["short_of_minimum"] <= 0.30, r
    assert r["rehandoffs"] > 0
    by = r["mql_to_sql"]
    assert by["demo_request"] > 2 * by["content"], by
    assert 0.35 <= by["demo_request"] <= 0.65 and 0.03 <= by["content"] <= 0.18, by


def test_first_touch_is_fast_for_high_intent_in_business_hours(five_thousand: list[dict[str, Any]]) -> None:
    delays = []
    for events in by_lead(five_thousand):
        lead = check_lead(events)
        kinds = [e["data"]["kind"] for e in events if e["type"] == "activity"]
        for h in lead.handoffs[:1]:
            local = h.at
            if (
                h.kind == "mql"
                and "demo_request" in kinds[:1]
                and h.first_touch is not None
                and local.weekday() < 5
                and 9 <= local.hour < 16
            ):
                delays.append((h.first_touch - h.at).total_seconds() / 60)
    delays.sort()
    assert len(delays) > 100
    assert delays[len(delays) // 2] < 15  # median minutes: most reps are fast
    assert delays[int(len(delays) * 0.95)] > 60  # and two are slow


# -- memory and the roster ----------------------------------------------------------------------------------
def test_memory_stays_flat_for_two_hundred_thousand_leads() -> None:
    """200k leads asked for, iterated without storing: the traced peak is a few hundred KB and does not grow
    between the 10,000th and the 40,000th event (the shared state, accounts and recent leads, is bounded)."""
    list(generate(1, seed=5))  # one-time costs first: the holidays package loads its tables lazily
    tracemalloc.start()
    try:
        peaks = []
        last = ""
        for n, event in enumerate(generate(200_000, seed=5), 1):
            if n in (10_000, 40_000):
                peaks.append(tracemalloc.get_traced_memory()[1])
            if n >= 40_000:
                last = event["lead_id"]
                break
        assert last > "L-004000"
    finally:
        tracemalloc.stop()
    assert peaks[1] < 2_000_000, peaks
    assert peaks[1] - peaks[0] < 250_000, peaks


def test_demo_roster_is_a_valid_team_file() -> None:
    roster = yaml.safe_load(io.StringIO(DEMO_ROSTER_YAML))
    assert roster["marketing"]["owner"]
    assert set(roster["teams"]) == {"sdr-enterprise", "sdr-smb"}
    assert roster["teams"]["sdr-enterprise"]["after_hours"] == "sdr-smb"
    reps = roster["reps"]
    assert 6 <= len(reps) <= 10 and all(1 <= r["weight"] <= 2 and r["team"] in roster["teams"] for r in reps)
    assert any(r.get("time_off") for r in reps) and any(r.get("capacity") for r in reps)
    rules = roster["routing"]["rules"]
    assert rules[0] == {"when": {"field": "account_id", "op": "exists"}, "to": "account_owner"}
    assert rules[1] == {"when": {"field": "employees", "op": ">=", "value": 1000}, "to": "sdr-enterprise"}
    assert rules[2] == {"to": "sdr-smb"}
    assert "notify" not in roster
    from leadpact.roster import parse_roster

    parse_roster(roster, None)  # the project's own validation accepts it
    rep_ids = {r["id"] for r in reps}
    used = {e["data"]["rep"] for e in generate(300, seed=2) if e["type"] == "touch"}
    assert used <= rep_ids and len(used) >= 6


def test_profile_knobs_change_the_company() -> None:
    quiet = CompanyProfile(source_mix=(("outbound", 1.0),))
    created = [e for e in generate(50, seed=1, profile=quiet) if e["type"] == "lead.created"]
    assert {e["data"]["source"] for e in created} == {"outbound"}
    uncut = CompanyProfile(cut_at_horizon=False)
    whole = list(generate(300, seed=1, start=date(2026, 4, 1), months=2, profile=uncut))
    assert any(datetime.fromisoformat(e["at"]).date() >= date(2026, 6, 1) for e in whole)
    assert all(
        datetime.fromisoformat(e["at"]).date() < date(2026, 6, 1)
        for e in whole
        if e["type"] == "lead.created"
    )


def test_an_end_date_cuts_the_history_at_its_midnight_instead_of_whole_months() -> None:
    """The demo's history runs to the start of yesterday, so the dashboard's current month is not empty."""
    start, end = date(2026, 1, 5), date(2026, 3, 18)
    events = list(generate(400, 5, start=start, months=1, end=end))
    newest = max(datetime.fromisoformat(e["at"]) for e in events)
    midnight = datetime(2026, 3, 18, tzinfo=newest.tzinfo)  # the company's zone, as the events carry it
    assert datetime(2026, 3, 11, tzinfo=newest.tzinfo) < newest < midnight  # past Feb 5 (1 month), before end
    whole = list(generate(400, 5, start=start, months=1))
    assert max(datetime.fromisoformat(e["at"]) for e in whole) < datetime(2026, 2, 6, tzinfo=newest.tzinfo)
    with pytest.raises(ValueError, match="end must be after start"):
        list(generate(1, 5, start=start, end=start))
