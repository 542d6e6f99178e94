"""Day marks, their change log, and month packs (the tables' side of `services.packs`).

A month pack holds a month's metric rows as columns. It stays valid while nothing it holds changes, which the
**day marks** tell: one counter per UTC day, bumped in the same transaction as any write that changes a row a
metric reads, for each day one of that row's dating instants falls on (before and after the change). A pack
records the marks of the days its month overlaps at the moment it was read; it is valid while they are
unchanged (marks only grow).

Each bump also **logs** which leads changed on that day at that mark (`period_changes`), so a stale pack can
re-read just those leads' rows. The log is complete for a day when it holds every mark between two readings;
a day too old (`LOG_DAYS`) or a write with too many leads on one day (`LOG_LEADS`) is logged as `EVERY` lead,
and a pruned log shows as missing marks: either way the month is read whole.

The marks are read *before* the rows and the log: a write that commits in between makes the stored marks
stale, never the rows older than the marks. On one day, marks commit in order (a bump holds the day's row
until its transaction ends), so the log up to a mark one has read is all there. Writers bump their marks
last, just before they commit, so a day's row is locked only briefly.

Which writes change what a metric reads (`changed_days`): a handoff or clock of a lead written with other
values (ingest's replay, `routing.set_owner`), and a new or withdrawn activity at or before a lead's
opportunity or customer instant (attribution).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, RowMapping, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite

from leadpact.domain.dating import DATED
from leadpact.domain.timeutil import to_us
from leadpact.store.columns import CLOCK_READ, HANDOFF_READ, INSTANTS
from leadpact.store.tables import clocks, handoffs, period_changes, period_marks, period_packs

DAY_US = 86_400_000_000
LOG_LEADS = 500  # leads logged one by one for a day in one write; more are logged as EVERY
LOG_DAYS = 62  # days before now whose changes are logged lead by lead; older ones as EVERY
EVERY = "*"  # in the change log: every lead of the day may have changed


Row = RowMapping | Mapping[str, Any]


def returning(table: Any, names: Sequence[str]) -> list[Any]:
    """`lead_id` and these columns for a RETURNING clause, instants as raw µs (as the rows are written)."""
    cols = [table.c.lead_id]
    cols += [type_coerce(table.c[n], BigInteger).label(n) if n in INSTANTS else table.c[n] for n in names]
    return cols


def days_of(instants: Iterable[int | None]) -> set[int]:
    return {int(at) // DAY_US for at in instants if at is not None}


def _by_lead(rows: Iterable[Row], names: Sequence[str]) -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    out: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = defaultdict(dict)
    for r in rows:
        key = (r["n"], r["kind"]) if "due_at" in names else (r["n"],)
        out[r["lead_id"]][key] = tuple(_plain(r[n]) for n in names)
    return out


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def changed_days(
    old_handoffs: Iterable[Row],
    new_handoffs: Iterable[Row],
    old_clocks: Iterable[Row],
    new_clocks: Iterable[Row],
    activity_since: Mapping[str, int],
) -> dict[int, set[str]]:
    """The UTC days whose marks a replay's writes must bump, each with the leads that changed on it.

    A lead whose handoffs or clocks now read differently: every dating instant and clock due time, before
    and after. A lead with a new (or withdrawn) activity: its opportunity and customer instants at or after
    `activity_since[lead]` (µs; attribution counts activities at or before those instants)."""
    old_h, new_h = _by_lead(old_handoffs, HANDOFF_READ), _by_lead(new_handoffs, HANDOFF_READ)
    old_c, new_c = _by_lead(old_clocks, CLOCK_READ), _by_lead(new_clocks, CLOCK_READ)
    out: dict[int, set[str]] = defaultdict(set)
    h_dated = [HANDOFF_READ.index(n) for n in DATED]
    attributed = [HANDOFF_READ.index("opportunity_at"), HANDOFF_READ.index("customer_at")]
    due = CLOCK_READ.index("due_at")
    for lead in {*old_h, *new_h, *old_c, *new_c}:
        hs = [*old_h.get(lead, {}).values(), *new_h.get(lead, {}).values()]
        days: set[int] = set()
        if old_h.get(lead, {}) != new_h.get(lead, {}) or old_c.get(lead, {}) != new_c.get(lead, {}):
            days |= days_of(row[i] for row in hs for i in h_dated)
            cs = [*old_c.get(lead, {}).values(), *new_c.get(lead, {}).values()]
            days |= days_of(row[due] for row in cs)
        since = activity_since.get(lead)
        if since is not None:
            days |= days_of(
                row[i] for row in hs for i in attributed if row[i] is not None and row[i] >= since
            )
        for day in days:
            out[day].add(lead)
    return dict(out)


def bump(conn: Connection, changes: Mapping[int, Collection[str]], now: datetime) -> None:
    """Bump the marks of these UTC days and log which leads changed on each (in the caller's transaction,
    in day order). A day more than `LOG_DAYS` before `now`, or with more than `LOG_LEADS` leads, is logged
    as `EVERY` lead (a pack of its month is then read whole again): the log stays small, and the months
    that change most, the recent ones, are patched."""
    recent = (to_us(now) // DAY_US) - LOG_DAYS
    ordered = sorted(changes)
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    log: list[dict[str, Any]] = []
    for i in range(0, len(ordered), 5000):
        stmt = dialect.insert(period_marks).values([{"day": d, "gen": 1} for d in ordered[i : i + 5000]])
        stmt = stmt.on_conflict_do_update(index_elements=["day"], set_={"gen": period_marks.c.gen + 1})
        for day, gen in conn.execute(stmt.returning(period_marks.c.day, period_marks.c.gen)):
            leads = changes[day]
            for lead in sorted(leads) if len(leads) <= LOG_LEADS and day >= recent else [EVERY]:
                log.append({"day": day, "gen": gen, "lead_id": lead})
    if log:
        conn.execute(period_changes.insert(), log)


def marks(conn: Connection, start_us: int, end_us: int) -> dict[int, int]:
    """The marks of the UTC days overlapping [start, end) that have one."""
    d = period_marks.c.day
    query = select(d, period_marks.c.gen).where(d >= start_us // DAY_US, d <= (end_us - 1) // DAY_US)
    return {int(day): int(gen) for day, gen in conn.execute(query)}


def changed_leads(conn: Connection, then: Mapping[int, int], now: Mapping[int, int]) -> set[str] | None:
    """The leads that changed on these days between two readings of their marks; None when that cannot be
    told (a change logged for every lead, or a log pruned since)."""
    moved = {day: (then.get(day, 0), gen) for day, gen in now.items() if gen != then.get(day, 0)}
    if any(before > after for before, after in moved.values()) or set(then) - set(now):
        return None  # marks only grow: the store was reset
    c = period_changes.c
    leads: set[str] = set()
    for day, (before, after) in moved.items():
        seen: set[int] = set()
        query = select(c.gen, c.lead_id).where(c.day == day, c.gen > before, c.gen <= after)
        for gen, lead in conn.execute(query):
            if lead == EVERY:
                return None
            seen.add(int(gen))
            leads.add(lead)
        if len(seen) != after - before:
            return None
    return leads


def prune_changes(conn: Connection, now: datetime, keep_days: int = LOG_DAYS) -> int:
    """Forget the change log of the days more than `keep_days` before `now`: packs of those months are read
    whole when they change again. How many rows went."""
    c = period_changes.c
    oldest = to_us(now) // DAY_US - keep_days
    return int(conn.execute(period_changes.delete().where(c.day < oldest)).rowcount or 0)


def get_pack(conn: Connection, tz: str, month: str) -> Row | None:
    """The pack's format, marks and payload. On PostgreSQL the payload travels in binary (as text, bytea is
    hex: twice the size, and slow to parse)."""
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        with raw.cursor(binary=True) as cursor:
            cursor.execute(
                "SELECT format, gens, payload FROM period_packs WHERE tz = %s AND month = %s", (tz, month)
            )
            found = cursor.fetchone()
        return None if found is None else dict(zip(("format", "gens", "payload"), found, strict=True))
    p = period_packs.c
    query = select(p.format, p.gens, p.payload).where(p.tz == tz, p.month == month)
    return conn.execute(query).mappings().first()


def gens_of(row: Row) -> dict[int, int]:
    """A pack's day marks as they were when it was read."""
    return {int(day): int(gen) for day, gen in json.loads(row["gens"] or "{}").items()}


def put_pack(
    conn: Connection,
    tz: str,
    month: str,
    fmt: int,
    gens: Mapping[int, int],
    built_at: datetime,
    rows: int,
    payload: bytes,
) -> None:
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {
        "format": fmt,
        "marks": sum(gens.values()),
        "gens": json.dumps({str(day): gen for day, gen in sorted(gens.items())}),
        "built_at": built_at,
        "rows": rows,
        "payload": payload,
    }
    stmt = dialect.insert(period_packs).values(tz=tz, month=month, **values)
    stored = period_packs.c
    newer = (stored.format != stmt.excluded.format) | (stored.marks <= stmt.excluded.marks)
    # a save that lost a race to a newer one (another process) leaves it: marks only grow
    conn.execute(stmt.on_conflict_do_update(index_elements=["tz", "month"], set_=values, where=newer))


def forget_packs(conn: Connection) -> int:
    """Drop every pack (they are rebuilt when next read); how many there were."""
    return int(conn.execute(period_packs.delete()).rowcount or 0)


def pack_heads(conn: Connection) -> list[Row]:
    """Every stored pack's time zone, month, format and marks (no payload)."""
    p = period_packs.c
    return list(conn.execute(select(p.tz, p.month, p.format, p.gens).order_by(p.tz, p.month)).mappings())


def owner_changes(conn: Connection, lead_id: str, n: int) -> dict[int, set[str]]:
    """The days a handoff's and its clocks' instants fall on (what an owner change touches)."""
    h, c = handoffs.c, clocks.c
    row = conn.execute(
        select(*(type_coerce(h[name], BigInteger) for name in DATED)).where(h.lead_id == lead_id, h.n == n)
    ).first()
    days = days_of(row or ())
    due = conn.execute(select(type_coerce(c.due_at, BigInteger)).where(c.lead_id == lead_id, c.n == n))
    return {day: {lead_id} for day in days | days_of(r[0] for r in due)}
