"""The touches capacity reads, on both stores: rep, instant, and whether the touch was automated."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from sqlalchemy import Engine

from builders import created, touch
from leadpact.domain.rules import Versions, rules_from_pact
from leadpact.domain.timeutil import to_us
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.services.ingest import ingest, vocabulary
from leadpact.store.touches import touch_rows

NOW = datetime(2026, 3, 20, tzinfo=UTC)


def test_touch_rows_read_rep_instant_and_automation_alike_on_both_stores(engine: Engine) -> None:
    rows = [
        created("T1", "2026-03-02T09:00:00Z"),
        touch("T1", "2026-03-02T10:00:00Z", rep="ana", id="t-1"),
        touch("T1", "2026-03-02T11:00:00Z", rep="ben", id="t-2", automated=True),
        touch("T1", "2026-03-05T11:00:00Z", rep="ana", id="t-3", automated=False),
    ]
    events = read_events(io.StringIO("".join(json.dumps(r) + "\n" for r in rows)), "x.jsonl")
    pact = Pact()
    ingest(engine, Versions.single(rules_from_pact(pact)), vocabulary(pact), events, now=NOW)
    start, end = to_us(datetime(2026, 3, 2, tzinfo=UTC)), to_us(datetime(2026, 3, 5, tzinfo=UTC))
    with engine.connect() as conn:
        got = sorted(touch_rows(conn, start, end))
    assert got == [
        ("ana", to_us(datetime(2026, 3, 2, 10, tzinfo=UTC)), False),
        ("ben", to_us(datetime(2026, 3, 2, 11, tzinfo=UTC)), True),
    ]
