"""A period's rows read from the store straight into numpy columns (no ORM row, no `Instant` conversion, no
dataclass per row): the handoffs dated in the period, its clocks, and the activities attribution reads (see
:mod:`leadpact.domain.metrics.period_columns`), in canonical order.

Each read is one statement whose columns travel packed (`store.columnar`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, QueuePool

from leadpact.domain.dating import CLOCK_DATED, CLOCK_LISTS, DATED, sql_inside
from leadpact.domain.metrics.columns import (
    NONE_US,
    ActivityColumns,
    ClockColumns,
    Codes,
    HandoffColumns,
    period_lists,
)
from leadpact.domain.metrics.period_columns import PeriodColumns, canonical, restrict
from leadpact.domain.periods import Period
from leadpact.domain.timeutil import to_us
from leadpact.store.columnar import Col, Columns, Dialect, read_columns, split_key, string_columns
from leadpact.store.columns import CLOCK_KEY, HANDOFF_INSTANTS, HANDOFF_KEYS

# ------------------------------------------------------------------------------------ columnar reads

#: read the period's handoffs, clocks and activities on three connections at once where that helps
#: (`_concurrent`: PostgreSQL); False reads them one after the other on one connection everywhere
CONCURRENT_READS = True

# the handoff's string dimensions, read as two combined keys of few distinct values each
_KEY_A, _KEY_B = HANDOFF_KEYS
_KEY_CLOCK = CLOCK_KEY
_FLAGS = (
    "mql",
    "accepted",
    "min_touch_met",
    "incomplete_sql",
    "incomplete_opportunity",
    "min_touch_owed",
    "untracked",
)
_FLAG_BITS = 8  # the flags, then `touches` above them in the same integer


def _of_leads(
    d: Dialect, where: str, params: list[Any], leads: Sequence[str] | None
) -> tuple[str, list[Any]]:
    """`where`, for these leads only when given."""
    if leads is None:
        return where, params
    ids, ids_params = _lead_list(d, leads)
    return f"lead_id IN (SELECT lead_id FROM {ids}) AND ({where})", [*ids_params, *params]


def _handoffs_where(d: Dialect, period: Period, leads: Sequence[str] | None) -> tuple[str, list[Any]]:
    m = d.mark
    where = sql_inside(DATED, m)
    where, params = _of_leads(d, where, [to_us(period.start), to_us(period.end)] * len(DATED), leads)
    return f"FROM handoffs WHERE {where}", params


def load_handoff_columns(
    conn: Connection, period: Period, leads: Sequence[str] | None = None
) -> HandoffColumns:
    """The handoff rows whose dating columns fall in the period (one OR query over their indexes), of these
    leads only when given, as columns."""
    d = Dialect(conn)
    d.prepare()
    from_where, params = _handoffs_where(d, period, leads)
    tests = (
        "kind = 'mql'",
        "disposition = 'accepted'",
        "min_touch_met",
        d.contains("flags", '"hygiene:sql"'),
        d.contains("flags", '"hygiene:opportunity"'),
        "min_touch_met IS NOT NULL",
        d.contains("flags", '"touches_untracked"'),
    )
    flags = " + ".join(f"(CASE WHEN {test} THEN {1 << k} ELSE 0 END)" for k, test in enumerate(tests))
    _, read = read_columns(
        d,
        [
            Col("n", "n", "int"),
            Col("flags", f"{flags} + touches * {1 << _FLAG_BITS}", "int"),
            *(Col(t, t, "int", NONE_US) for t in HANDOFF_INSTANTS),
            Col("amount", "amount", "float", 0.0),
            Col("won", "COALESCE(won_amount, amount)", "float", 0.0),
            Col("lead_id", "lead_id", "text"),
            Col("key_a", d.key(_KEY_A), "text"),
            Col("key_b", d.key(_KEY_B), "text"),
        ],
        from_where,
        params,
    )
    codes = split_key(read["key_a"], _KEY_A) or string_columns(d, _KEY_A, from_where, params)
    codes.update(split_key(read["key_b"], _KEY_B) or string_columns(d, _KEY_B, from_where, params))
    packed = read["flags"]
    flag = {name: (packed & (1 << k)) != 0 for k, name in enumerate(_FLAGS)}
    return HandoffColumns(
        lead_id=read["lead_id"],
        n=read["n"],
        touches=packed >> _FLAG_BITS,
        amount=read["amount"],
        won=read["won"],
        source=codes["source"],
        tier=codes["tier"],
        segment=codes["segment"],
        owner=codes["owner"],
        team=codes["team"],
        campaign=codes["campaign"],
        outcome_reason=codes["outcome_reason"],
        closer=codes["closer"],
        product=codes["product"],
        **flag,
        **{t: read[t] for t in HANDOFF_INSTANTS},
    )


#: the kinds of clock a period reads (`domain.dating.CLOCK_LISTS`), as SQL
_CLOCK_KINDS = ", ".join(f"'{kind}'" for kind in CLOCK_LISTS.values())


@dataclass(frozen=True)
class _ClockRead:
    lead_id: list[str]
    columns: Columns
    codes: dict[str, Codes]


def _read_clocks(conn: Connection, period: Period, leads: Sequence[str] | None = None) -> _ClockRead:
    """The first-contact and disposition clocks due in the period (of these leads only when given), without
    their handoff's columns."""
    d = Dialect(conn)
    d.prepare()
    m = d.mark
    where, params = _of_leads(
        d,
        f"kind IN ({_CLOCK_KINDS}) AND {sql_inside((CLOCK_DATED,), m)}",
        [to_us(period.start), to_us(period.end)],
        leads,
    )
    from_where = f"FROM clocks WHERE {where}"
    _, read = read_columns(
        d,
        [
            Col("first_contact", "CASE WHEN kind = 'first_contact' THEN 1 ELSE 0 END", "int"),
            Col("due_at", "due_at", "int"),
            Col("met_at", "met_at", "int", NONE_US),
            Col("cancelled_at", "cancelled_at", "int", NONE_US),
            Col("n", "n", "int"),
            Col("lead_id", "lead_id", "text"),
            Col("key", d.key(_KEY_CLOCK), "text"),
        ],
        from_where,
        params,
    )
    codes = split_key(read["key"], _KEY_CLOCK) or string_columns(d, _KEY_CLOCK, from_where, params)
    return _ClockRead(read["lead_id"], read, codes)


def _join_clocks(conn: Connection, read: _ClockRead, h: HandoffColumns) -> ClockColumns:
    """Each clock with its handoff's source and campaign: from the period's handoff rows `h` (matched by lead
    and cycle), else read by lead; a clock without a handoff is left out (the inner join of `load_facts`)."""
    d = Dialect(conn)
    n = read.columns["n"]
    leads = read.lead_id
    index = dict(zip(h.lead_id, range(len(h)), strict=True))
    pos = np.fromiter(map(index.get, leads, repeat(-1)), dtype=np.int64, count=len(leads))
    found = pos >= 0
    found[found] = h.n[pos[found]] == n[found]
    at = np.maximum(pos, 0)
    source = np.where(found, h.source.codes[at] if len(h) else -1, -1)
    campaign = np.where(found, h.campaign.codes[at] if len(h) else -1, -1)
    source_names, campaign_names = list(h.source.names), list(h.campaign.names)
    keep = np.ones(len(leads), dtype=bool)
    missing = np.flatnonzero(~found)
    if missing.size:
        other = _handoff_sources(d, sorted({leads[k] for k in missing.tolist()}))
        s_index = {v: k for k, v in enumerate(source_names)}
        c_index = {v: k for k, v in enumerate(campaign_names)}
        for k in missing.tolist():
            got = other.get((leads[k], int(n[k])))
            if got is None:  # no such handoff: the clock is not read (an inner join, as `load_facts`)
                keep[k] = False
                continue
            src, camp = got
            source[k] = -1 if src is None else s_index.setdefault(src, len(s_index))
            campaign[k] = -1 if camp is None else c_index.setdefault(camp, len(c_index))
        source_names, campaign_names = list(s_index), list(c_index)
    col = read.columns
    return ClockColumns(
        lead_id=[lead for lead, k in zip(leads, keep.tolist(), strict=True) if k],
        first_contact=col["first_contact"][keep] == 1,
        due_at=col["due_at"][keep],
        met_at=col["met_at"][keep],
        cancelled_at=col["cancelled_at"][keep],
        n=n[keep],
        source=Codes(source[keep].astype(np.int64), tuple(source_names)),
        campaign=Codes(campaign[keep].astype(np.int64), tuple(campaign_names)),
        tier=read.codes["tier"].take(keep),
        segment=read.codes["segment"].take(keep),
        owner=read.codes["owner"].take(keep),
        team=read.codes["team"].take(keep),
    )


def _lead_list(d: Dialect, leads: Sequence[str]) -> tuple[str, list[Any]]:
    """A FROM item `ids(lead_id)` holding these lead ids, and its parameters."""
    if d.name == "postgresql":
        return f"unnest(CAST({d.mark} AS TEXT[])) AS ids(lead_id)", [list(leads)]
    return f"(SELECT value AS lead_id FROM json_each({d.mark})) AS ids", [json.dumps(list(leads))]


def _handoff_sources(
    d: Dialect, leads: Sequence[str]
) -> dict[tuple[str, int], tuple[str | None, str | None]]:
    """(source, campaign) of every handoff of these leads, by (lead, cycle)."""
    ids, params = _lead_list(d, leads)
    # PostgreSQL: one index lookup per lead (OFFSET 0 keeps the planner from a hash join over the table)
    sql = (
        f"SELECT ids.lead_id, h.n, h.source, h.campaign FROM {ids} CROSS JOIN LATERAL "
        "(SELECT n, source, campaign FROM handoffs WHERE handoffs.lead_id = ids.lead_id OFFSET 0) AS h"
        if d.name == "postgresql"
        else f"SELECT h.lead_id, h.n, h.source, h.campaign FROM {ids} JOIN handoffs h USING (lead_id)"
    )
    return {(str(r[0]), int(r[1])): (r[2], r[3]) for r in d.run(sql, params)}


@dataclass(frozen=True)
class _Activities:
    columns: ActivityColumns
    seq: Any  # int64: each activity's event sequence


def _activity_columns(rows: Sequence[tuple[Any, ...]], retracted: set[int]) -> _Activities:
    """Activity rows `(lead_id, at, asset, campaign, seq)` as columns, but those a retract withdrew."""
    rows = [r for r in rows if int(r[4]) not in retracted] if retracted else rows
    return _Activities(
        ActivityColumns(
            lead=Codes.of(r[0] for r in rows),
            at=np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)),
            asset=Codes.of(r[2] for r in rows),
            campaign=Codes.of(r[3] for r in rows),
            source=Codes(np.full(len(rows), -1, dtype=np.int64), ()),
        ),
        np.fromiter((r[4] for r in rows), dtype=np.int64, count=len(rows)),
    )


def _read_activities(conn: Connection, leads: Sequence[str], until: datetime) -> _Activities:
    """The `activity` events of these leads at or before `until` (each lead by the index on (lead_id, at)),
    but those a retract withdrew. An activity's asset and campaign are text when present (ingest checks
    them), so the database reads them out of the JSON."""
    d = Dialect(conn)
    d.prepare()
    if not leads:
        return _activity_columns([], set())
    ids, params = _lead_list(d, leads)
    rows = d.run(*_activities_sql(d, ids, params, until))
    return _activity_columns(rows, _retracted(d, ids, params))


def _retracted(d: Dialect, ids: str, params: list[Any]) -> set[int]:
    """The sequence numbers of the events a stored retract of the leads `ids` withdraws (a stored retract
    always withdraws its event: ingest refuses one that cannot)."""
    target = d.json_text("r.data", "event_id")
    if d.name == "postgresql":
        sql = (
            f"SELECT e.seq FROM {ids} CROSS JOIN LATERAL (SELECT data FROM events WHERE events.lead_id = "
            "ids.lead_id AND type = 'retract' OFFSET 0) AS r "
            f"JOIN events e ON e.id = ({d.json_text('r.data', 'event_id')})"
        )
    else:
        sql = (
            f"SELECT e.seq FROM events r JOIN events e ON e.id = {target} "
            f"WHERE r.type = 'retract' AND r.lead_id IN (SELECT lead_id FROM {ids})"
        )
    return {int(r[0]) for r in d.run(sql, params)}


def _activities_sql(d: Dialect, ids: str, params: list[Any], until: datetime) -> tuple[str, list[Any]]:
    """The activities of the leads `ids` (a FROM item with a `lead_id` column) at or before `until`."""
    asset, campaign = d.json_text("data", "asset"), d.json_text("data", "campaign")
    if d.name == "postgresql":  # one index scan per lead; OFFSET 0 keeps the planner from a hash join
        sql = (
            f"SELECT ids.lead_id, e.at, e.asset, e.campaign, e.seq FROM {ids} CROSS JOIN LATERAL (SELECT at, "
            f"{asset} AS asset, {campaign} AS campaign, seq FROM events WHERE events.lead_id = ids.lead_id "
            f"AND type = 'activity' AND at <= {d.mark} OFFSET 0) AS e"
        )
        return sql, [*params, to_us(until)]
    sql = (
        f"SELECT lead_id, at, {asset}, {campaign}, seq FROM events WHERE type = 'activity' "
        f"AND at <= {d.mark} AND lead_id IN (SELECT lead_id FROM {ids})"
    )
    return sql, [to_us(until), *params]


def _read_period_activities(conn: Connection, period: Period, until: datetime) -> _Activities:
    """The activities of the leads whose handoffs have their opportunity or customer instant in the period
    (the leads attribution reads), at or before `until`, but those a retract withdrew."""
    d = Dialect(conn)
    d.prepare()
    m = d.mark
    ids = (
        f"(SELECT DISTINCT lead_id FROM handoffs WHERE (opportunity_at >= {m} AND opportunity_at < {m}) "
        f"OR (customer_at >= {m} AND customer_at < {m})) AS ids"
    )
    start, end = to_us(period.start), to_us(period.end)
    params: list[Any] = [start, end, start, end]
    rows = d.run(*_activities_sql(d, ids, params, until))
    return _activity_columns(rows, _retracted(d, ids, params))


def _concurrent(engine: Engine) -> bool:
    """Read on three connections at once: on PostgreSQL, whose server processes do most of the reading
    (on SQLite the reading happens in this process, where threads only contend)."""
    return CONCURRENT_READS and engine.dialect.name == "postgresql" and isinstance(engine.pool, QueuePool)


def read_period(
    engine: Engine, period: Period, leads: Sequence[str] | None = None
) -> tuple[PeriodColumns, dict[str, float]]:
    """The period's rows (:mod:`leadpact.domain.metrics.period_columns`) as columns in canonical order, of
    these leads only when given, with the milliseconds each read took. On PostgreSQL the three reads of a
    whole period run on three connections at once (`_concurrent`), else one after the other on one
    connection; each is one statement."""
    took: dict[str, float] = {}

    def timed(name: str, read: Any, conn: Connection, *args: Any) -> Any:
        t = time.perf_counter()
        out = read(conn, *args)
        took[name] = (time.perf_counter() - t) * 1000
        return out

    def on_own_connection(name: str, read: Any, *args: Any) -> Any:
        with engine.connect() as conn:
            return timed(name, read, conn, *args)

    start, end = to_us(period.start), to_us(period.end)
    if leads is None and _concurrent(engine):
        with ThreadPoolExecutor(max_workers=2) as pool:
            clocks_job = pool.submit(on_own_connection, "clocks", _read_clocks, period)
            acts_job = pool.submit(
                on_own_connection, "activities", _read_period_activities, period, period.end
            )
            with engine.connect() as conn:
                h = timed("handoffs", load_handoff_columns, conn, period)
                clock_read, acts = clocks_job.result(), acts_job.result()
                c = _join_clocks(conn, clock_read, h)
    else:
        with engine.connect() as conn:
            h = timed("handoffs", load_handoff_columns, conn, period, leads)
            clock_read = timed("clocks", _read_clocks, conn, period, leads)
            lists = period_lists(h, start, end)
            leads = sorted({h.lead_id[i] for i in np.flatnonzero(lists.opportunities | lists.won).tolist()})
            acts = timed("activities", _read_activities, conn, leads, period.end)
            c = _join_clocks(conn, clock_read, h)
    t = time.perf_counter()
    out = restrict(canonical(PeriodColumns(h, c, acts.columns, acts.seq)), start, end)
    took["order"] = (time.perf_counter() - t) * 1000
    return out, took
