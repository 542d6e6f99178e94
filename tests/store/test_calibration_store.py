"""A calibration session on both stores: sampled, judged, reported."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from builders import GOOD_FIT, activity, created
from leadpact.domain.periods import parse_period
from leadpact.domain.rules import Versions, rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.services.calibration import record, record_sheet, report, sample
from leadpact.services.ingest import ingest, vocabulary

NOW = datetime(2026, 4, 10, tzinfo=UTC)


def test_a_session_is_stored_judged_and_reported_alike_on_both_stores(engine: Engine) -> None:
    rows = []
    for i in range(6):
        at = datetime(2026, 3, 2, 15, tzinfo=UTC) + timedelta(days=i)
        rows += [
            created(f"P{i}", at.isoformat(), **GOOD_FIT),
            activity(f"P{i}", (at + timedelta(minutes=1)).isoformat(), "demo_request"),
        ]
    events = read_events(io.StringIO("".join(json.dumps(r) + "\n" for r in rows)), "x.jsonl")
    pact = Pact()
    ingest(engine, Versions.single(rules_from_pact(pact)), vocabulary(pact), events, now=NOW)
    got = sample(engine, parse_period("2026-03", pact.timezone), now=NOW, size=4, seed=2)
    assert got["size"] == 4 and got["handoffs"] == 6
    leads = [r["lead_id"] for r in got["sheet"]]
    record(engine, got["session"], leads[0], team="marketing", said="yes", now=NOW)
    record(engine, got["session"], leads[0], team="sales", said="no", now=NOW)
    sheet = (
        "session,lead_id,handoff,marketing,sales\n"
        + f"{got['session']},{leads[1]},1,yes,yes\n99,P1,1,no,no\n"
    )
    done = record_sheet(engine, io.BytesIO(sheet.encode()), now=NOW)
    assert done.recorded == {"marketing": 1, "sales": 1}
    assert done.refused == [{"line": 3, "field": "session", "reason": "no calibration session 99"}]
    r = report(engine)
    assert (r["session"], r["n"], r["agreement"]) == (got["session"], 2, pytest.approx(0.5))
    assert r["disagreements"][0]["lead_id"] == leads[0]
