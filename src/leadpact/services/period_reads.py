"""A period's rows read from the store straight into numpy columns (no ORM row, no `Instant` conversion, no
dataclass per row): the handoffs dated in the period, its clocks, and the activities attribution reads (see
:mod:`leadpact.domain.period_columns`), in canonical order.

Columns travel packed where the database can pack them: one row per query whose values are whole columns
(PostgreSQL: `string_agg` of `int8send`/`float8send`, read with `np.frombuffer`; SQLite: `group_concat` of the
values as text, `quote()` for exact floats, read with `np.fromstring`), strings joined by a separator and
factorised once. Every aggregate of one SELECT sees the rows in the same order, so the columns line up. A
value that holds a separator character makes the packed read fall back to reading rows.
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

from leadpact.domain.metrics_vec import (
    NONE_US,
    ActivityColumns,
    ClockColumns,
    Codes,
    HandoffColumns,
    period_lists,
    to_us,
)
from leadpact.domain.period_columns import DATED, PeriodColumns, canonical, restrict
from leadpact.domain.periods import Period

# ------------------------------------------------------------------------------------ columnar reads

#: read the period's handoffs, clocks and activities on three connections at once where that helps
#: (`_concurrent`: PostgreSQL); False reads them one after the other on one connection everywhere
CONCURRENT_READS = True

_SEP = "\x1f"  # between the values of a packed text column
_PART = "\x1e"  # between the parts of a combined key
_HANDOFF_TIMES = (
    "mql_at",
    "first_touch_at",
    "disposition_at",
    "sql_at",
    "opportunity_at",
    "customer_at",
    "rejected_at",
    "disqualified_at",
    "recycled_at",
    "first_activity_at",
    "lead_first_touch_at",
)
# the handoff's string dimensions, read as two combined keys of few distinct values each
_KEY_A = ("source", "campaign", "tier", "segment")
_KEY_B = ("owner", "team", "outcome_reason")
_KEY_CLOCK = ("tier", "segment", "owner", "team")
_FLAGS = ("mql", "accepted", "min_touch_met", "incomplete_sql", "incomplete_opportunity")
_FLAG_BITS = 8  # the flags, then `touches` above them in the same integer


def _us(at: datetime) -> int:
    return to_us(at)


@dataclass(frozen=True)
class _Col:
    """A column to read: a SQL expression over the FROM item, read as int64, float64 or text. With a `fill`,
    the expression may be NULL (that row gets `fill`) and only the non-NULL values travel."""

    name: str
    expr: str
    kind: str  # "int" | "float" | "text"
    fill: int | float | None = None


Columns = dict[str, Any]  # name -> int64 / float64 array, or list of str


class _Dialect:
    def __init__(self, conn: Connection) -> None:
        self.name = conn.dialect.name
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.conn = conn

    def cursor(self) -> Any:
        raw = self.conn.connection.driver_connection
        if self.name == "postgresql":
            return raw.cursor(binary=True)  # type: ignore[union-attr]
        return raw.cursor()  # type: ignore[union-attr]

    def run(self, sql: str, params: Sequence[Any], one: bool = False) -> Any:
        cursor = self.cursor()
        try:
            cursor.execute(sql, tuple(params))
            return cursor.fetchone() if one else cursor.fetchall()
        finally:
            cursor.close()

    def prepare(self) -> None:
        """PostgreSQL: no JIT compilation and no parallel workers for these short reads (both cost more to
        start than the reads take); for this transaction only."""
        if self.name == "postgresql":
            self.run(
                "SELECT set_config('jit', 'off', true), "
                "set_config('max_parallel_workers_per_gather', '0', true)",
                (),
            )

    def contains(self, column: str, needle: str) -> str:
        """`needle in column`, case-sensitive, no wildcard."""
        func = "instr" if self.name == "sqlite" else "strpos"
        return f"{func}({column}, '{needle}') > 0"

    def key(self, columns: Sequence[str]) -> str:
        """One text value from several nullable text columns: each `=value` or empty when NULL."""
        return f" || '{_PART}' || ".join(f"COALESCE('=' || {c}, '')" for c in columns)

    def json_text(self, column: str, key: str) -> str:
        """The text value of a key of a JSON object (NULL when absent)."""
        if self.name == "sqlite":
            return f"json_extract({column}, '$.{key}')"
        return f"CAST({column} AS json) ->> '{key}'"


def _read(d: _Dialect, cols: Sequence[_Col], from_where: str, params: Sequence[Any]) -> tuple[int, Columns]:
    """The columns of the rows `FROM ... WHERE ...` selects: packed into one row when the database can
    (see the module's doc), else row by row."""
    if d.name in ("sqlite", "postgresql"):
        packed = _read_packed(d, cols, from_where, params)
        if packed is not None:
            return packed
    return _read_rows(d, cols, from_where, params)


def _read_packed(
    d: _Dialect, cols: Sequence[_Col], from_where: str, params: Sequence[Any]
) -> tuple[int, Columns] | None:
    sparse = [c for c in cols if c.fill is not None]
    nulls = " + ".join(f"(CASE WHEN {c.expr} IS NULL THEN {1 << k} ELSE 0 END)" for k, c in enumerate(sparse))
    select = ["COUNT(*)"]
    if sparse:
        select.append(_packed_expr(d, _Col("", nulls, "int")))
    select.extend(_packed_expr(d, c) for c in cols)
    row = d.run(f"SELECT {', '.join(select)} {from_where}", params, one=True)
    count = int(row[0])
    values = list(row[1:])
    null_bits = _unpack(d, "int", values.pop(0), count) if sparse else None
    out: Columns = {}
    for c in cols:
        v = values.pop(0)
        if c.fill is None:
            arr = _unpack(d, c.kind, v, count)
            if arr is None:
                return None
            out[c.name] = arr
            continue
        assert null_bits is not None
        present = (null_bits & (1 << sparse.index(c))) == 0
        got = _unpack(d, c.kind, v, int(present.sum()))
        if got is None:
            return None
        full = np.full(count, c.fill, dtype=np.int64 if c.kind == "int" else np.float64)
        full[present] = got
        out[c.name] = full
    return count, out


def _packed_expr(d: _Dialect, c: _Col) -> str:
    if d.name == "sqlite":
        if c.kind == "text":
            return f"group_concat({c.expr}, '{_SEP}')"
        if c.kind == "float":  # quote(): text that reads back as the same double
            return f"group_concat(nullif(quote({c.expr}), 'NULL'))"
        return f"group_concat({c.expr})"
    if c.kind == "text":
        return f"string_agg({c.expr}, '{_SEP}')"
    if c.kind == "float":
        return f"string_agg(float8send(CAST({c.expr} AS DOUBLE PRECISION)), NULL)"
    return f"string_agg(int8send(CAST({c.expr} AS BIGINT)), NULL)"


def _unpack(d: _Dialect, kind: str, value: Any, count: int) -> Any:
    """One packed column of `count` values (NULL values are not in it), or None if it does not hold
    `count` values (a text value that held the separator)."""
    if kind == "text":
        pieces = str(value).split(_SEP) if count else []
        return pieces if len(pieces) == count else None
    dtype = np.int64 if kind == "int" else np.float64
    if not count:
        return np.zeros(0, dtype=dtype)
    if d.name == "sqlite":
        arr = np.fromstring(value, dtype=dtype, sep=",")
    else:
        arr = np.frombuffer(value, dtype=">i8" if kind == "int" else ">f8").astype(dtype)
    return arr if arr.size == count else None


def _read_rows(
    d: _Dialect, cols: Sequence[_Col], from_where: str, params: Sequence[Any]
) -> tuple[int, Columns]:
    rows = d.run(f"SELECT {', '.join(c.expr for c in cols)} {from_where}", params)
    out: Columns = {}
    for k, c in enumerate(cols):
        values = [r[k] if r[k] is not None else c.fill for r in rows]
        if c.kind == "text":
            out[c.name] = [str(v) for v in values]
        else:
            out[c.name] = np.asarray(values, dtype=np.int64 if c.kind == "int" else np.float64)
    return len(rows), out


def _split_key(values: list[str], columns: Sequence[str]) -> dict[str, Codes] | None:
    """Per column, the codes of a combined key column (`_Dialect.key`); None if a value held `_PART`."""
    index = {v: i for i, v in enumerate(dict.fromkeys(values))}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    parts = [k.split(_PART) for k in index]
    if any(len(p) != len(columns) for p in parts):
        return None
    out: dict[str, Codes] = {}
    for j, column in enumerate(columns):
        names: dict[str, int] = {}
        table = np.asarray(
            [-1 if not p[j] else names.setdefault(p[j][1:], len(names)) for p in parts] or [0],
            dtype=np.int64,
        )
        out[column] = Codes(table[codes] if codes.size else codes, tuple(names))
    return out


def _string_columns(
    d: _Dialect, columns: Sequence[str], from_where: str, params: Sequence[Any]
) -> dict[str, Codes]:
    """The rare fallback of a key that held `_PART`: the columns themselves, row by row."""
    rows = d.run(f"SELECT {', '.join(columns)} {from_where}", params)
    return {c: Codes.of(r[j] for r in rows) for j, c in enumerate(columns)}


def _handoffs_where(d: _Dialect, period: Period) -> tuple[str, list[int]]:
    m = d.mark
    where = " OR ".join(f"({c} >= {m} AND {c} < {m})" for c in DATED)
    return f"FROM handoffs WHERE {where}", [_us(period.start), _us(period.end)] * len(DATED)


def load_handoff_columns(conn: Connection, period: Period) -> HandoffColumns:
    """The handoff rows whose dating columns fall in the period (one OR query over their indexes), as
    columns."""
    d = _Dialect(conn)
    d.prepare()
    from_where, params = _handoffs_where(d, period)
    tests = (
        "kind = 'mql'",
        "disposition = 'accepted'",
        "min_touch_met",
        d.contains("flags", '"hygiene:sql"'),
        d.contains("flags", '"hygiene:opportunity"'),
    )
    flags = " + ".join(f"(CASE WHEN {test} THEN {1 << k} ELSE 0 END)" for k, test in enumerate(tests))
    _, read = _read(
        d,
        [
            _Col("n", "n", "int"),
            _Col("flags", f"{flags} + touches * {1 << _FLAG_BITS}", "int"),
            *(_Col(t, t, "int", NONE_US) for t in _HANDOFF_TIMES),
            _Col("amount", "amount", "float", 0.0),
            _Col("won", "COALESCE(won_amount, amount)", "float", 0.0),
            _Col("lead_id", "lead_id", "text"),
            _Col("key_a", d.key(_KEY_A), "text"),
            _Col("key_b", d.key(_KEY_B), "text"),
        ],
        from_where,
        params,
    )
    codes = _split_key(read["key_a"], _KEY_A) or _string_columns(d, _KEY_A, from_where, params)
    codes.update(_split_key(read["key_b"], _KEY_B) or _string_columns(d, _KEY_B, from_where, params))
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
        **flag,
        **{t: read[t] for t in _HANDOFF_TIMES},
    )


@dataclass(frozen=True)
class _ClockRead:
    lead_id: list[str]
    columns: Columns
    codes: dict[str, Codes]


def _read_clocks(conn: Connection, period: Period) -> _ClockRead:
    """The first-contact and disposition clocks due in the period, without their handoff's columns."""
    d = _Dialect(conn)
    d.prepare()
    m = d.mark
    from_where = (
        f"FROM clocks WHERE kind IN ('first_contact', 'disposition') AND due_at >= {m} AND due_at < {m}"
    )
    params = [_us(period.start), _us(period.end)]
    _, read = _read(
        d,
        [
            _Col("first_contact", "CASE WHEN kind = 'first_contact' THEN 1 ELSE 0 END", "int"),
            _Col("due_at", "due_at", "int"),
            _Col("met_at", "met_at", "int", NONE_US),
            _Col("cancelled_at", "cancelled_at", "int", NONE_US),
            _Col("n", "n", "int"),
            _Col("lead_id", "lead_id", "text"),
            _Col("key", d.key(_KEY_CLOCK), "text"),
        ],
        from_where,
        params,
    )
    codes = _split_key(read["key"], _KEY_CLOCK) or _string_columns(d, _KEY_CLOCK, from_where, params)
    return _ClockRead(read["lead_id"], read, codes)


def _join_clocks(conn: Connection, read: _ClockRead, h: HandoffColumns) -> ClockColumns:
    """Each clock with its handoff's source and campaign: from the period's handoff rows `h` (matched by lead
    and cycle), else read by lead; a clock without a handoff is left out (the inner join of `load_facts`)."""
    d = _Dialect(conn)
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


def _lead_list(d: _Dialect, leads: Sequence[str]) -> tuple[str, list[Any]]:
    """A FROM item `ids(lead_id)` holding these lead ids, and its parameters."""
    if d.name == "postgresql":
        return f"unnest(CAST({d.mark} AS TEXT[])) AS ids(lead_id)", [list(leads)]
    return f"(SELECT value AS lead_id FROM json_each({d.mark})) AS ids", [json.dumps(list(leads))]


def _handoff_sources(
    d: _Dialect, leads: Sequence[str]
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
    d = _Dialect(conn)
    d.prepare()
    if not leads:
        return _activity_columns([], set())
    ids, params = _lead_list(d, leads)
    rows = d.run(*_activities_sql(d, ids, params, until))
    return _activity_columns(rows, _retracted(d, ids, params))


def _retracted(d: _Dialect, ids: str, params: list[Any]) -> set[int]:
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


def _activities_sql(d: _Dialect, ids: str, params: list[Any], until: datetime) -> tuple[str, list[Any]]:
    """The activities of the leads `ids` (a FROM item with a `lead_id` column) at or before `until`."""
    asset, campaign = d.json_text("data", "asset"), d.json_text("data", "campaign")
    if d.name == "postgresql":  # one index scan per lead; OFFSET 0 keeps the planner from a hash join
        sql = (
            f"SELECT ids.lead_id, e.at, e.asset, e.campaign, e.seq FROM {ids} CROSS JOIN LATERAL (SELECT at, "
            f"{asset} AS asset, {campaign} AS campaign, seq FROM events WHERE events.lead_id = ids.lead_id "
            f"AND type = 'activity' AND at <= {d.mark} OFFSET 0) AS e"
        )
        return sql, [*params, _us(until)]
    sql = (
        f"SELECT lead_id, at, {asset}, {campaign}, seq FROM events WHERE type = 'activity' "
        f"AND at <= {d.mark} AND lead_id IN (SELECT lead_id FROM {ids})"
    )
    return sql, [_us(until), *params]


def _read_period_activities(conn: Connection, period: Period, until: datetime) -> _Activities:
    """The activities of the leads whose handoffs have their opportunity or customer instant in the period
    (the leads attribution reads), at or before `until`, but those a retract withdrew."""
    d = _Dialect(conn)
    d.prepare()
    m = d.mark
    ids = (
        f"(SELECT DISTINCT lead_id FROM handoffs WHERE (opportunity_at >= {m} AND opportunity_at < {m}) "
        f"OR (customer_at >= {m} AND customer_at < {m})) AS ids"
    )
    start, end = _us(period.start), _us(period.end)
    params: list[Any] = [start, end, start, end]
    rows = d.run(*_activities_sql(d, ids, params, until))
    return _activity_columns(rows, _retracted(d, ids, params))


def _concurrent(engine: Engine) -> bool:
    """Read on three connections at once: on PostgreSQL, whose server processes do most of the reading
    (on SQLite the reading happens in this process, where threads only contend)."""
    return CONCURRENT_READS and engine.dialect.name == "postgresql" and isinstance(engine.pool, QueuePool)


def read_period(engine: Engine, period: Period) -> tuple[PeriodColumns, dict[str, float]]:
    """The period's rows (:mod:`leadpact.domain.period_columns`) as columns in canonical order, with the
    milliseconds each read took. On PostgreSQL the three reads run on three connections at once
    (`_concurrent`), else one after the other on one connection; each is one statement."""
    took: dict[str, float] = {}

    def timed(name: str, read: Any, conn: Connection, *args: Any) -> Any:
        t = time.perf_counter()
        out = read(conn, *args)
        took[name] = (time.perf_counter() - t) * 1000
        return out

    def on_own_connection(name: str, read: Any, *args: Any) -> Any:
        with engine.connect() as conn:
            return timed(name, read, conn, *args)

    start, end = _us(period.start), _us(period.end)
    if _concurrent(engine):
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
            h = timed("handoffs", load_handoff_columns, conn, period)
            clock_read = timed("clocks", _read_clocks, conn, period)
            lists = period_lists(h, start, end)
            leads = sorted({h.lead_id[i] for i in np.flatnonzero(lists.opportunities | lists.won).tolist()})
            acts = timed("activities", _read_activities, conn, leads, period.end)
            c = _join_clocks(conn, clock_read, h)
    t = time.perf_counter()
    out = restrict(canonical(PeriodColumns(h, c, acts.columns, acts.seq)), start, end)
    took["order"] = (time.perf_counter() - t) * 1000
    return out, took
