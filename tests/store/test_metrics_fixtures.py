"""Hand-computed metrics on a small timeline: week edges in the pact's zone across the DST switch, null
denominators, a re-handoff, and events arriving late and out of order (America/New_York, default pact).

2026-W10 is Mon 2 March .. Sun 8 March (local); DST starts Sunday 8 March at 02:00, so W11 starts at
Mon 9 March 00:00 EDT = 04:00Z, and a handoff at Sun 23:30 EDT (03:30Z on the 9th) is still W10's.
"""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from builders import GOOD_FIT, activity, created, disposition, stage, touch
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.metrics import metrics

AS_OF = datetime(2026, 4, 1, tzinfo=UTC)
BANT = {"budget": "y", "authority": "y", "need": "y", "timeline": "q3"}


def timeline() -> list[dict[str, Any]]:
    return [
        # E1: MQL Sunday 8 March 23:30 EDT (W10), never touched
        created("E1", "2026-03-08T23:00:00-04:00", **GOOD_FIT),
        activity("E1", "2026-03-08T23:30:00-04:00", "demo_request"),
        # E2: MQL Monday 9 March 00:00 EDT (W11's first instant); touched 12 min later; accepted; SQL
        created("E2", "2026-03-08T22:00:00-04:00", **GOOD_FIT),
        activity("E2", "2026-03-09T00:00:00-04:00", "demo_request"),
        touch("E2", "2026-03-09T00:12:00-04:00"),
        disposition("E2", "2026-03-09T10:00:00-04:00", "accepted"),
        stage("E2", "2026-03-10T10:00:00-04:00", "sql", **BANT),
        # E3: MQL Tue 10 March 10:00 (W11), touched after 30 min, rejected wrong_company_size
        created("E3", "2026-03-10T09:00:00-04:00", **GOOD_FIT),
        activity("E3", "2026-03-10T10:00:00-04:00", "demo_request"),
        touch("E3", "2026-03-10T10:30:00-04:00"),
        disposition("E3", "2026-03-10T11:00:00-04:00", "rejected", "wrong_company_size"),
        # E4: MQL Wed 11 March 10:00 (W11), touched 2 min later, recycled; back Fri 13 March 10:00 with a
        #     pricing inquiry (a re-handoff in W11), touched after 6 minutes
        created("E4", "2026-03-11T09:00:00-04:00", **GOOD_FIT),
        activity("E4", "2026-03-11T10:00:00-04:00", "demo_request"),
        touch("E4", "2026-03-11T10:02:00-04:00"),
        disposition("E4", "2026-03-11T12:00:00-04:00", "recycled", "no_budget_or_timeline"),
        activity("E4", "2026-03-13T10:00:00-04:00", "pricing_inquiry", id="E4-back"),
        touch("E4", "2026-03-13T10:06:00-04:00", id="E4-t2"),
    ]


def load(engine: Engine, pact: Any, rows: list[dict[str, Any]], calls: int = 1) -> None:
    rules, vocab = rules_from_pact(pact), vocabulary(pact)
    size = -(-len(rows) // calls)
    for i in range(0, len(rows), size):
        text = "".join(json.dumps(r) + "\n" for r in rows[i : i + size])
        report = ingest(engine, rules, vocab, read_events(io.StringIO(text), "x.jsonl"), now=AS_OF)
        assert report.refused == 0, report.results


def test_the_week_before_the_switch(engine: Engine, pact: Any) -> None:
    load(engine, pact, timeline())
    m = metrics(engine, pact, rules_from_pact(pact), "2026-W10", as_of=AS_OF)
    assert (m["start"], m["end"]) == ("2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z")
    assert m["mql_count"] == 1 and m["pending_dispositions"] == 1
    assert m["acceptance_rate"] is None  # no disposition: no denominator, never 0
    assert m["worked_rate"] == 0.0 and m["mql_to_sql"] == 0.0
    assert m["response_minutes"] == {"median": None, "mean": None, "p90": None}
    assert m["sql_to_opp"] is None and m["min_touch_rate"] is None and m["touches_per_lead"] is None
    # E1's 1h after-hours clock (Sunday) is due Mon 00:30 EDT: the next week's, breached as of now.
    assert m["response_compliance"] is None


def test_the_week_after_the_switch(engine: Engine, pact: Any) -> None:
    load(engine, pact, timeline())
    m = metrics(engine, pact, rules_from_pact(pact), "2026-W11", as_of=AS_OF)
    assert m["mql_count"] == 4 and m["rehandoff_count"] == 1  # E2, E3, E4 and E4's return
    assert m["acceptance_rate"] == pytest.approx(1 / 3)  # E2 of E2, E3, E4#1 (E4#2 pending)
    assert m["pending_dispositions"] == 1
    assert m["mql_to_sql"] == pytest.approx(1 / 4)
    assert m["sales_flagged_rate"] == pytest.approx(1 / 4)  # E3 rejected
    assert m["worked_rate"] == 1.0
    # first touch - handoff: 12, 30, 2, 6 minutes -> median (6 + 12) / 2, mean 12.5, p90 by interpolation
    assert m["response_minutes"]["median"] == 9.0
    assert m["response_minutes"]["mean"] == 12.5
    assert m["response_minutes"]["p90"] == pytest.approx(12 + 0.7 * 18)
    # business minutes: E2 Mon 00:00 -> 00:12 is before opening (0); the rest inside hours
    assert m["response_business_minutes"]["median"] == 4.0
    # first contact clocks due in W11: E1 (due Mon 00:30, breached), E2 (after hours 1h, met at 12 min),
    # E3 (5m, touched at 30: breached), E4#1 (met at 2), E4#2 (met at 6: due 10:05 -> breached)
    assert m["response_compliance"] == pytest.approx(2 / 5)
    assert m["reasons"]["wrong_company_size"]["count"] == 1
    assert m["reasons"]["wrong_company_size"]["flagged"] is False  # 1 < min_rejections
    assert m["by_cycle"]["rehandoff"]["mql_count"] == 1
    assert m["by_cycle"]["first"]["mql_count"] == 3


@pytest.mark.parametrize("seed", [1, 2])
def test_late_and_out_of_order_arrival_gives_the_same_numbers(engine: Engine, pact: Any, seed: int) -> None:
    rows = timeline()
    random.Random(seed).shuffle(rows)
    facts = [r for r in rows if r["type"] in ("lead.created", "activity", "touch")]
    judged = [r for r in rows if r["type"] not in ("lead.created", "activity", "touch")]
    load(engine, pact, facts, calls=3)  # facts in three calls, any order
    load(engine, pact, judged)  # dispositions and stages judged against the stored timeline
    m = metrics(engine, pact, rules_from_pact(pact), "2026-W11", as_of=AS_OF)
    assert (m["mql_count"], m["rehandoff_count"], m["pending_dispositions"]) == (4, 1, 1)
    assert m["response_minutes"]["median"] == 9.0
    assert m["response_compliance"] == pytest.approx(2 / 5)
