"""Accountability test data: a pact whose weeks have round MQL targets, a roster with owners and executives,
and days of high-intent MQLs whose first contact is met or breached (tests/store, tests/cli, tests/web)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from builders import GOOD_FIT, activity, created, touch
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.roster import Roster
from leadpact.services.ingest import ingest, vocabulary

NY = ZoneInfo("America/New_York")


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY).astimezone(UTC)


def pact_with(**escalation: Any) -> Pact:
    data = Pact().model_dump(mode="json")
    for rule, values in escalation.items():
        data["escalation"][rule].update(values)
    # a month of 44 MQLs (a quarter of 132: 247,500 x 0.5 / 0.25 / 25,000 / 0.5 / 0.3): March's 22 business
    # days make a five-day week's target exactly 10
    data["targets"]["revenue"]["new_arr"] = 247_500
    return Pact.model_validate(data)


ROSTER = Roster.model_validate(
    {
        "marketing": {"owner": "dana@acme.example"},
        "executives": {"CRO": "cro@acme.example", "CEO": "ceo@acme.example"},
        "teams": {"sdr-smb": {"manager": "li@acme.example"}, "sdr-ent": {"manager": "maria@acme.example"}},
        "reps": [{"id": "ana", "name": "Ana", "email": "ana@acme.example", "team": "sdr-smb"}],
        "routing": {"rules": [{"to": "sdr-smb"}]},
        "notify": {"email": {"smtp_env": "SMTP", "from": "leadpact@acme.example"}},
    }
)
ENV = {"SMTP": "smtp://127.0.0.1:2525"}


def day_of_leads(
    engine: Engine, pact: Pact, day: date, *, leads: int = 1, touched: bool, tag: str = ""
) -> None:
    """`leads` high-intent MQLs at 10:00 on `day`, each touched at 10:02 (first contact met) or never
    (breached at 10:05); ingested at noon that day, as a live store would receive them."""
    rows = []
    for i in range(leads):
        lead = f"{tag}{day.isoformat()}-{i}"
        at = local(day, 10, 0).isoformat()
        rows += [created(lead, at, **GOOD_FIT), activity(lead, at, "demo_request", id=f"{lead}-a")]
        if touched:
            rows.append(touch(lead, local(day, 10, 2).isoformat(), id=f"{lead}-t"))
    text = "".join(json.dumps(r) + "\n" for r in rows)
    report = ingest(
        engine,
        rules_from_pact(pact),
        vocabulary(pact),
        read_events(io.StringIO(text), "x.jsonl"),
        now=local(day, 12, 0),
    )
    assert report.refused == 0
