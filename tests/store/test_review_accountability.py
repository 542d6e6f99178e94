"""The weekly review on both stores: a week marketing fell short shows its violation owed by the marketing
owner, the recovery plan escalated with its owner and due time, and a decision carried — who owes what."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from accountability_support import ENV, ROSTER, day_of_leads, local, pact_with
from leadpact.reports.render import render_report
from leadpact.services.decisions import decide
from leadpact.services.escalations import evaluate
from leadpact.services.metrics import metrics
from leadpact.services.reviews import review_document
from leadpact.services.versions import versions_in_force
from leadpact.services.workspace import Workspace, rules_for


def test_the_weekly_review_says_who_owes_what_for_a_short_week(engine: Engine) -> None:
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=7, touched=True)  # 7 MQLs against a week's 10
    monday = local(date(2026, 3, 9), 12)
    evaluate(engine, pact=pact, rules=rules_for(pact, ROSTER), now=monday, roster=ROSTER, env=ENV)
    decide(engine, text="Two extra webinars in W11", owner="dana@acme.example", due="2026-03-13",
           team="marketing", by="review", now=monday, tz=pact.timezone)  # fmt: skip
    ws = Workspace(engine, "test", Path("pact.yaml"), pact, ROSTER, versions_in_force(engine, pact, monday))

    doc = review_document(ws, "weekly", "2026-W10", now=local(date(2026, 3, 9), 13))
    assert doc["metrics"] == metrics(engine, pact, ws.rules, "2026-W10", as_of=local(date(2026, 3, 9), 13))
    (volume,) = [line for line in doc["scorecard"] if line["key"] == "mql_volume"]
    assert (volume["actual"], volume["met"]) == (7, False)
    owed = {(r["team"], r["owner"]): r["count"] for r in doc["violations"]["by_owner"]}
    assert owed[("marketing", "dana@acme.example")] == 1
    (esc,) = [e for e in doc["escalations"] if e["rule"] == "marketing_volume"]
    assert (esc["period"], esc["owner"], esc["state"]) == ("2026-W10", "dana@acme.example", "open")

    text = render_report(doc, "md").decode()
    assert "| marketing | MQL volume | at least 10 | 7 | missed |" in text
    assert "| marketing | dana@acme.example | 1 |" in text
    row = "| marketing volume | marketing | 2026-W10 | dana@acme.example | open | 2026-03-11 12:00 EDT |"
    assert row in text

    later = review_document(ws, "weekly", "2026-W11", now=local(date(2026, 3, 16), 12))
    (carried,) = later["decisions"]["due"]
    assert carried["text"] == "Two extra webinars in W11" and carried["state"] == "overdue"
