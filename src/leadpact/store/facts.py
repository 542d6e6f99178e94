"""The period's rows as the reference implementation reads them (`services.metrics.metrics_reference`):
plain rows into the domain's facts, one row at a time. The fast path reads the same rows as columns
(`store.period_reads`); the two are kept apart on purpose, so they check each other."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from leadpact.domain import dating
from leadpact.domain.metrics.facts import Activity, ClockFacts, HandoffFacts, PeriodFacts
from leadpact.domain.periods import Period
from leadpact.store.clocks import clock_from_row
from leadpact.store.tables import clocks, events, handoffs

_FACT_COLUMNS = [f.name for f in fields(HandoffFacts)]


def _range(column: Any, period: Period) -> Any:
    return and_(column >= period.start, column < period.end)


def load_facts(conn: Connection, period: Period) -> PeriodFacts:
    h = handoffs.c
    columns = [getattr(h, name) for name in _FACT_COLUMNS]
    dated = [getattr(h, name) for name in dating.DATED]
    rows = conn.execute(select(*columns).where(or_(*(_range(c, period) for c in dated)))).all()
    facts = [HandoffFacts(*row) for row in rows]
    c = clocks.c
    clock_rows = (
        conn.execute(
            select(clocks, h.source, h.campaign)
            .join(handoffs, and_(h.lead_id == c.lead_id, h.n == c.n))
            .where(
                c.kind.in_(tuple(dating.CLOCK_LISTS.values())), _range(getattr(c, dating.CLOCK_DATED), period)
            )
        )
        .mappings()
        .all()
    )
    clock_facts = {"first_contact": [], "disposition": []}  # type: dict[str, list[ClockFacts]]
    for r in clock_rows:
        clock_facts[r["kind"]].append(
            ClockFacts(
                clock_from_row(r),
                r["lead_id"],
                r["source"],
                r["tier"],
                r["segment"],
                r["owner"],
                r["team"],
                r["campaign"],
                r["n"],
            )
        )
    return period_facts(
        period.start, period.end, facts, clock_facts["first_contact"], clock_facts["disposition"]
    )


def period_facts(
    start: datetime,
    end: datetime,
    facts: Sequence[HandoffFacts],
    first_contact: Sequence[ClockFacts],
    disposition_clocks: Sequence[ClockFacts],
) -> PeriodFacts:
    """The period's handoff rows split into the lists of `PeriodFacts`, each by its dating columns
    (`domain.dating`, the split `metrics.columns.period_lists` makes over columns)."""
    split = dating.lists(facts, start, end, getattr, lambda f: f.kind == "mql")
    return PeriodFacts(
        start=start,
        end=end,
        **split,
        first_contact=list(first_contact),
        disposition_clocks=list(disposition_clocks),
    )


def load_activities(conn: Connection, lead_ids: Iterable[str], until: datetime) -> dict[str, list[Activity]]:
    """The `activity` events of these leads at or before `until`, per lead, oldest first, but those a stored
    retract withdrew (for attribution: the period's opportunity and customer leads). One query per 900
    leads (SQLite's bound-parameter limit)."""
    ids = sorted(set(lead_ids))
    e = events.c
    out: dict[str, list[Activity]] = {}
    for i in range(0, len(ids), 900):
        part = ids[i : i + 900]
        withdrawn = {
            json.loads(data).get("event_id")
            for (data,) in conn.execute(select(e.data).where(e.type == "retract", e.lead_id.in_(part)))
        }
        query = (
            select(e.lead_id, e.id, e.at, e.data)
            .where(e.type == "activity", e.lead_id.in_(part), e.at <= until)
            .order_by(e.lead_id, e.at, e.seq)
        )
        for lead_id, event_id, at, data in conn.execute(query):
            if event_id in withdrawn:
                continue
            d = json.loads(data)
            out.setdefault(lead_id, []).append(
                Activity(at, d.get("kind", ""), d.get("asset"), d.get("campaign"))
            )
    return out
