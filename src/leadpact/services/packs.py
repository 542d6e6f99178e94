"""Month packs: a month's metric rows kept in the store as columns, so that a period's metrics read a few
packs instead of the tables (issue 7: a month of a 1M-lead company in well under 150 ms).

`period_columns(engine, period)` answers any period from the packs of the local months it touches
(`domain.metrics.period_columns.combine` and `restrict`). A pack is used while the marks of the days its
month overlaps are what they were when it was read (`store.packs`). When they moved and the change log names
the leads that changed, only those leads' rows are read again and patched in
(`domain.metrics.period_columns.patch`); otherwise, or when the pack is missing or of another `FORMAT`, the
month is read whole. The new pack is saved in the background, best effort: a database busy with a writer, or
read-only, only costs the next call the same work.
The worker keeps the stored packs up to date (`refresh_stale`).

With `cache=False` the period is read from the tables directly and no pack is read or written; both ways give
the same columns (a property test holds them to it).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from leadpact.domain.metrics.columns import ActivityColumns, ClockColumns, Codes, HandoffColumns
from leadpact.domain.metrics.period_columns import PeriodColumns, combine, patch, restrict
from leadpact.domain.periods import Period, months_in, parse_period
from leadpact.domain.timeutil import to_us
from leadpact.store import packs as store_packs
from leadpact.store.columns import FORMAT
from leadpact.store.db import BUSY_TIMEOUT_MS
from leadpact.store.period_reads import read_period

log = logging.getLogger(__name__)

#: how long saving a pack waits for a lock before giving up
WAIT_MS = 250


#: a stale pack whose month changed for at most this many leads re-reads only theirs
PATCH_LEADS = 2000

_PARTS = (("handoffs", HandoffColumns), ("clocks", ClockColumns), ("activities", ActivityColumns))


@dataclass(frozen=True)
class Save:
    """A pack to store: a month's columns as read with the marks `gens`."""

    engine: Engine
    month: Period
    gens: dict[int, int]
    cols: PeriodColumns


def period_columns(
    engine: Engine,
    period: Period,
    *,
    cache: bool = True,
    profile: dict[str, float] | None = None,
    saves: list[Save] | None = None,
) -> PeriodColumns:
    """The rows the period's metrics read (`domain.metrics.period_columns`), from the month packs (or, without
    `cache`, from the tables). `profile` receives `packs.used`, `packs.patched` and `packs.built` (how each
    month was had, see `month_columns`) and the milliseconds of each read (`read.*`). The packs to save are
    saved in the background at once, or, given `saves`, put there for the caller to pass to `save` when it is
    done computing (so that the saving does not compete with it)."""
    if not cache:
        cols, took = read_period(engine, period)
        _note(profile, took)
        return cols
    months = months_in(period)
    parts = []
    for month in months:
        got, how = month_columns(engine, month, profile, saves)
        _count(profile, f"packs.{how}")
        parts.append(got)
    cols = combine(parts)
    if (period.start, period.end) != (months[0].start, months[-1].end):
        cols = restrict(cols, to_us(period.start), to_us(period.end))
    return cols


def _note(profile: dict[str, float] | None, took: dict[str, float]) -> None:
    if profile is not None:
        for k, v in took.items():
            profile[f"read.{k}"] = profile.get(f"read.{k}", 0.0) + v


def _count(profile: dict[str, float] | None, key: str) -> None:
    if profile is not None:
        profile[key] = profile.get(key, 0) + 1


def month_columns(
    engine: Engine,
    month: Period,
    profile: dict[str, float] | None = None,
    saves: list[Save] | None = None,
) -> tuple[PeriodColumns, str]:
    """A month's columns and how they were had: `used` (its pack, unchanged), `patched` (its pack, the
    leads that changed since read again), or `built` (the month read whole). A patched or built pack is
    saved in the background (or put in `saves`, see `period_columns`)."""
    start, end = to_us(month.start), to_us(month.end)
    then: dict[int, int] | None = None  # the marks the stored pack was read with
    payload = b""
    with engine.connect() as conn:
        gens = store_packs.marks(conn, start, end)  # before anything else (see store.packs)
        row = store_packs.get_pack(conn, month.tz, month.label)
        if row is not None and row["format"] == FORMAT:
            then, payload = store_packs.gens_of(row), bytes(row["payload"])
        changed = None if then is None or then == gens else store_packs.changed_leads(conn, then, gens)
    t = time.perf_counter()
    if then == gens:
        cols = decode(payload)
        _note(profile, {"pack": (time.perf_counter() - t) * 1000})
        return cols, "used"
    if changed is not None and len(changed) <= PATCH_LEADS:
        old = decode(payload)
        _note(profile, {"pack": (time.perf_counter() - t) * 1000})
        fresh, took = read_period(engine, month, sorted(changed))
        _note(profile, took)
        t = time.perf_counter()
        cols = patch(old, changed, fresh)
        _note(profile, {"patch": (time.perf_counter() - t) * 1000})
        _to_save(saves, Save(engine, month, gens, cols))
        return cols, "patched"
    cols, took = read_period(engine, month)
    _note(profile, took)
    _to_save(saves, Save(engine, month, gens, cols))
    return cols, "built"


#: saves run here, one at a time, after the caller has its columns (the interpreter waits for them at exit)
_saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadpact-packs")
_pending: list[Future[None]] = []
_pending_lock = threading.Lock()


def refresh_stale(engine: Engine) -> int:
    """Bring every stored month pack that something changed since it was read up to date (patched, or read
    whole), so that the months someone reads stay ready while events arrive (the worker does this); how
    many were."""
    with engine.connect() as conn:
        heads = store_packs.pack_heads(conn)
    refreshed = 0
    for head in heads:
        month = parse_period(head["month"], head["tz"])
        with engine.connect() as conn:
            gens = store_packs.marks(conn, to_us(month.start), to_us(month.end))
        if head["format"] == FORMAT and store_packs.gens_of(head) == gens:
            continue  # up to date: not even its payload is read
        month_columns(engine, month)
        refreshed += 1
    flush()
    return refreshed


def prune_log(engine: Engine, *, now: datetime) -> int:
    """Forget the change log of days too old to be logged lead by lead any more (`store.packs.LOG_DAYS`)."""
    with engine.begin() as conn:
        return store_packs.prune_changes(conn, now)


def _to_save(saves: list[Save] | None, pack: Save) -> None:
    if saves is None:
        save([pack])
    else:
        saves.append(pack)


def save(saves: list[Save]) -> None:
    """Store these packs in the background, one at a time (the interpreter waits for them at exit)."""
    with _pending_lock:
        _pending[:] = [f for f in _pending if not f.done()]
        for s in saves:
            _pending.append(_saver.submit(_write, s.engine, s.month, s.gens, s.cols))


def flush() -> None:
    """Wait for the packs being saved (before wiping a store, say)."""
    with _pending_lock:
        waiting = list(_pending)
        _pending.clear()
    for f in waiting:
        f.result()


def _write(engine: Engine, month: Period, marks: dict[int, int], cols: PeriodColumns) -> None:
    """Store the pack unless the database cannot take it at once (busy writing, read-only): a cache, the
    next call reads the month again. The marks were read before the rows, so a pack saved late is only ever
    stale-looking, never stale."""
    payload = encode(cols)
    rows = len(cols.handoffs) + len(cols.clocks) + int(cols.activity_seq.size)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.begin() as conn:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {WAIT_MS}")
            else:
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{WAIT_MS}ms'")
            try:
                store_packs.put_pack(
                    conn, month.tz, month.label, FORMAT, marks, datetime.now(UTC), rows, payload
                )
            finally:
                if sqlite:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except DBAPIError as exc:
        log.info("month pack %s not saved: %s", month.label, exc.orig)


# ------------------------------------------------------------------------------------------ the payload


def encode(cols: PeriodColumns) -> bytes:
    """The columns as one `.npz` payload of numpy arrays (no pickling): string lists and names as JSON text,
    string codes as int32."""
    arrays: dict[str, Any] = {"activity_seq": cols.activity_seq}
    for part, _ in _PARTS:
        columns = getattr(cols, part)
        for f in fields(columns):
            v = getattr(columns, f.name)
            key = f"{part}.{f.name}"
            if isinstance(v, Codes):
                arrays[f"{key}.codes"] = v.codes.astype(np.int32)
                arrays[f"{key}.names"] = _json(v.names)
            elif isinstance(v, np.ndarray):
                arrays[key] = v
            else:
                arrays[f"{key}.json"] = _json(v)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def decode(payload: bytes) -> PeriodColumns:
    data = np.load(io.BytesIO(payload), allow_pickle=False)
    parts: dict[str, Any] = {}
    for part, kind in _PARTS:
        values: dict[str, Any] = {}
        for f in fields(kind):
            key = f"{part}.{f.name}"
            if f"{key}.codes" in data.files:
                codes = data[f"{key}.codes"].astype(np.int64)
                values[f.name] = Codes(codes, tuple(_unjson(data[f"{key}.names"])))
            elif f"{key}.json" in data.files:
                values[f.name] = _unjson(data[f"{key}.json"])
            else:
                values[f.name] = data[key]
        parts[part] = kind(**values)
    return PeriodColumns(parts["handoffs"], parts["clocks"], parts["activities"], data["activity_seq"])


def _json(values: Any) -> Any:
    return np.frombuffer(json.dumps(list(values)).encode(), dtype=np.uint8)


def _unjson(array: Any) -> list[str]:
    out: list[str] = json.loads(array.tobytes())
    return out
