"""The stores of bench/metrics.py: the synthetic company (``metrics_synth``) as rows of ``handoffs``,
``clocks`` and ``events`` in the tables' column order (events with small JSON bodies, so the event log has
its real size and attribution reads real activities), bulk-inserted with the driver's executemany into a
SQLite file under the system temp folder or a PostgreSQL database of its own, kept for later runs.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from common import fresh, pg_database
from metrics_synth import (
    ACTIVITY_KINDS,
    CHANNELS,
    DAY,
    FC_RULES,
    FLAG_TEXT,
    HOUR,
    I64,
    NA,
    OUTCOMES,
    REASON_CODES,
    REPS,
    SEGMENTS,
    SOURCES,
    TEAMS,
    TIERS,
    US,
    Company,
)
from rich.console import Console
from sqlalchemy import Engine, text

from leadpact.domain.events import TYPE_RANK
from leadpact.store.db import open_store
from leadpact.store.events import bulk_insert
from leadpact.store.tables import clocks, events, handoffs

console = Console()


# --------------------------------------------------------------------------------------------- rows


def _times(values: I64) -> list[int | None]:
    out: list[int | None] = values.tolist()
    for i in np.flatnonzero(values == NA).tolist():
        out[i] = None
    return out


def _names(codes: I64, names: Sequence[str]) -> list[str | None]:
    table = np.asarray([*names, None], dtype=object)
    return table[np.where(codes < 0, len(names), codes)].tolist()


def _floats(values: npt.NDArray[np.float64]) -> list[float | None]:
    out: list[float | None] = values.tolist()
    for i in np.flatnonzero(np.isnan(values)).tolist():
        out[i] = None
    return out


# the rows are built in the tables' column order (events: all but the sequence the database assigns)
HANDOFF_COLUMNS = tuple(c.name for c in handoffs.columns)
CLOCK_COLUMNS = tuple(c.name for c in clocks.columns)
EVENT_COLUMNS = tuple(c.name for c in events.columns if c.name != "seq")
CAMPAIGNS = tuple(f"{SOURCES[k // 8]}-{k % 8 + 1:02d}" for k in range(len(SOURCES) * 8))


def lead_name(i: int) -> str:
    return f"L{i:07d}"


def handoff_rows(c: Company, sel: slice) -> list[tuple[Any, ...]]:
    lead = c.lead[sel]
    outcome = c.outcome[sel]
    disposition_at = c.disposition_at[sel]
    later = c.later_dq[sel]

    def when(k: int) -> I64:
        return np.where(outcome == k, disposition_at, NA)

    disqualified = np.where(later != NA, later, when(2))
    touches_at_outcome = np.where((outcome > 0) | (later != NA), c.touches[sel], -1)
    reason = c.reason[sel]
    ids = [lead_name(i) for i in lead.tolist()]
    n = c.n[sel].tolist()
    owner = _names(c.owner[sel], REPS)
    team_codes = np.where(c.owner[sel] < 0, -1, c.owner[sel] // 10)
    opportunity = c.opportunity[sel]
    tier = _names(c.tier[sel], TIERS)
    source = _names(c.source[sel], SOURCES)
    segment = _names(c.segment[sel], SEGMENTS)
    fit = c.fit[sel].tolist()
    packets = [
        json.dumps(
            {
                "lead_id": lid,
                "tier": t,
                "source": s,
                "segment": g,
                "fit": f,
                "why": [f"fit {f}: employees, title", "engagement: webinar_attended, pricing_page_view"],
                "recent": ["webinar_attended", "content_download", "page_view"],
                "account": f"acct-{j % 97_000}",
            },
            separators=(",", ":"),
        )
        for lid, t, s, g, f, j in zip(ids, tier, source, segment, fit, lead.tolist(), strict=True)
    ]
    columns: list[list[Any]] = [
        ids,
        n,
        np.where(c.direct[sel], "direct", "mql").tolist(),
        _times(c.start[sel]),
        _times(c.mql[sel]),
        [f"{i}-a{k}" for i, k in zip(ids, n, strict=True)],
        tier,
        segment,
        source,
        _names(c.campaign[sel], CAMPAIGNS),
        fit,
        c.engagement[sel].tolist(),
        owner,
        _times(c.first_touch[sel]),
        [o if t is not None else None for o, t in zip(owner, _times(c.first_touch[sel]), strict=True)],
        c.touches[sel].tolist(),
        c.channels[sel].tolist(),
        _names(outcome, OUTCOMES),
        _times(disposition_at),
        _names(np.where(outcome > 0, reason, -1), REASON_CODES),
        [o if d is not None else None for o, d in zip(owner, _times(disposition_at), strict=True)],
        _times(when(0)),
        _times(c.sql[sel]),
        _times(opportunity),
        _times(c.customer[sel]),
        _times(c.closed_lost[sel]),
        _times(when(1)),
        _times(disqualified),
        _times(when(3)),
        _names(reason, REASON_CODES),
        [None if t < 0 else t for t in touches_at_outcome.tolist()],
        [None if t < 0 else t for t in np.where(touches_at_outcome < 0, -1, c.channels[sel]).tolist()],
        [None if m < 0 else bool(m) for m in c.min_touch_met[sel].tolist()],
        _floats(c.amount[sel]),
        [None if o == NA else f"opp-{i}-{k}" for i, k, o in zip(ids, n, opportunity.tolist(), strict=True)],
        [
            None if o == NA else str(np.datetime64(o + 45 * DAY, "us").astype("datetime64[D]"))
            for o in opportunity.tolist()
        ],
        _times(c.ended[sel]),
        _names(c.flags[sel], FLAG_TEXT),
        packets,
        _floats(c.won_amount[sel]),
        _times(c.first_activity[sel]),
        _times(c.lead_first_touch[sel]),
        _names(team_codes, TEAMS),
        [False] * len(ids),  # history: synthesised as live, not imported
        [  # closer: the owner on a won or lost deal
            o if w is not None or lost is not None else None
            for o, w, lost in zip(owner, _times(c.customer[sel]), _times(c.closed_lost[sel]), strict=True)
        ],
        [None] * len(ids),  # product
    ]
    return list(zip(*columns, strict=True))


def clock_rows(c: Company, sel: slice) -> list[tuple[Any, ...]]:
    ids = [lead_name(i) for i in c.lead[sel].tolist()]
    n = c.n[sel].tolist()
    owner = _names(c.owner[sel], REPS)
    team = _names(np.where(c.owner[sel] < 0, -1, c.owner[sel] // 10), TEAMS)
    tier = _names(c.tier[sel], TIERS)
    segment = _names(c.segment[sel], SEGMENTS)
    mql = c.mql[sel]
    first = c.first_touch[sel]
    disposition_at = c.disposition_at[sel]
    ends = np.where(c.outcome[sel] > 0, disposition_at, NA)
    rows: list[tuple[Any, ...]] = []
    fc_due, d_due, t_due = c.fc_due[sel], c.d_due[sel], c.t_due[sel]
    ends_big = np.where(ends == NA, np.iinfo(np.int64).max, ends)
    first_big = np.where(first == NA, np.iinfo(np.int64).max, first)
    cancel = (ends != NA) & (ends <= fc_due) & (ends < first_big)
    fc_met = np.where(cancel, NA, first)
    fc_cancel = np.where(cancel, ends, NA)
    t_cancel = np.where((c.sql[sel] != NA) | (ends != NA), np.minimum(c.sql[sel], ends_big), NA)
    t_cancel = np.where(t_cancel == np.iinfo(np.int64).max, NA, t_cancel)
    now = c.now

    def settled(due: I64, met: I64, cancelled: I64) -> list[int | None]:
        return _times(np.where((met != NA) | (cancelled != NA) | (due <= now), NA, due))

    for kind, started, due, met, cancelled, rule, business in (
        ("first_contact", mql, fc_due, fc_met, fc_cancel, _names(c.fc_rule[sel], FC_RULES), None),
        ("disposition", first, d_due, disposition_at, np.full(mql.size, NA), None, True),
        ("touches", mql, t_due, c.t_met[sel], t_cancel, None, False),
    ):
        keep = (due != NA) & (started != NA)
        if rule is None:
            rule = [
                "2bd after first contact" if kind == "disposition" else "8 touches, 2 channels"
            ] * mql.size
        flags = (
            np.asarray(c.fc_rule[sel] != 1) if business is None else np.full(mql.size, business)
        ).tolist()
        warn = [
            f"[[0.5, {s + (d - s) // 2}], [0.8, {s + (d - s) * 4 // 5}]]"
            for s, d in zip(started.tolist(), due.tolist(), strict=True)
        ]
        met_in_time = np.where(met > now, NA, met)
        columns = [
            ids,
            n,
            [kind] * mql.size,
            _times(started),
            _times(due),
            flags,
            rule,
            _times(met_in_time),
            _times(cancelled),
            warn,
            settled(due, met_in_time, cancelled),
            owner,
            team,
            tier,
            segment,
        ]
        rows.extend(r for r, k in zip(zip(*columns, strict=True), keep.tolist(), strict=True) if k)
    return rows


def event_rows(c: Company, sel: slice, rng: np.random.Generator) -> list[tuple[Any, ...]]:
    """The events of the leads of these handoffs: created, activities, assignments, touches, dispositions,
    stages (small JSON bodies; ids unique per lead)."""
    rows: list[tuple[Any, ...]] = []
    now = c.now
    lead = c.lead[sel]

    def add(lid: str, key: str, kind: str, at: int, data: str) -> None:
        if at <= now:
            rows.append(
                (
                    f"{lid}-{key}",
                    lid,
                    kind,
                    TYPE_RANK[kind],
                    at,
                    data,
                    f"{hash((lid, key)) & (2**64 - 1):032x}",
                    at + 90 * US,
                    False,  # history
                )
            )

    firsts = np.flatnonzero(c.n[sel] == 1)
    for j in firsts.tolist():
        i = sel.start + j
        lid = lead_name(int(lead[j]))
        src = SOURCES[c.source[i]]
        created = int(c.created[i])
        add(lid, "c", "lead.created", created, f'{{"email":"{lid.lower()}@example.com","source":"{src}"}}')
        k = int(c.activities[i])
        if k:
            start = int(c.first_activity[i]) if c.first_activity[i] != NA else created
            end = int(c.mql[i]) if c.mql[i] != NA else start + 30 * DAY
            times = np.sort(rng.integers(start, max(end, start + 1), k))
            times[0] = start
            kinds = rng.integers(0, len(ACTIVITY_KINDS), k).tolist()
            camp = CAMPAIGNS[c.campaign[i]] if c.campaign[i] >= 0 else None
            for a, (t, kind) in enumerate(zip(times.tolist(), kinds, strict=True)):
                body = {"kind": ACTIVITY_KINDS[kind], "asset": f"asset-{(i * 7 + a) % 240:03d}"}
                if camp is not None:
                    body["campaign"] = camp
                add(lid, f"a{a}", "activity", t, json.dumps(body, separators=(",", ":")))
    for j in range(lead.size):
        i = sel.start + j
        lid = lead_name(int(lead[j]))
        cyc = int(c.n[i])
        rep = REPS[c.owner[i]] if c.owner[i] >= 0 else None
        base = int(c.start[i])
        if rep is not None and cyc == 1 and i % 3 == 0:
            add(lid, f"as{cyc}", "assignment", base + US, f'{{"rep":"{rep}"}}')
        ft = int(c.first_touch[i]) if c.first_touch[i] != NA else base - 2 * DAY
        for t in range(int(c.touches[i])):
            at = ft + t * (6 + i % 37) * HOUR
            ch = CHANNELS[(i + t) % 3]
            add(lid, f"t{cyc}.{t}", "touch", at, f'{{"channel":"{ch}","rep":"{rep}","outcome":"attempted"}}')
        if c.outcome[i] >= 0:
            body = {"outcome": OUTCOMES[c.outcome[i]], "by": rep}
            if c.outcome[i] > 0 and c.reason[i] >= 0:
                body["reason"] = REASON_CODES[c.reason[i]]
            add(
                lid,
                f"d{cyc}",
                "disposition",
                int(c.disposition_at[i]),
                json.dumps(body, separators=(",", ":")),
            )
        if c.later_dq[i] != NA:
            add(
                lid,
                f"dq{cyc}",
                "disposition",
                int(c.later_dq[i]),
                f'{{"outcome":"disqualified","by":"{rep}","reason":"{REASON_CODES[c.reason[i]]}"}}',
            )
        for name, at_ in (
            ("sql", c.sql[i]),
            ("opportunity", c.opportunity[i]),
            ("customer", c.customer[i]),
            ("closed_lost", c.closed_lost[i]),
        ):
            if at_ != NA:
                extra = f',"amount":{c.amount[i]:.0f}' if name == "opportunity" else ""
                add(lid, f"s{cyc}.{name}", "stage", int(at_), f'{{"stage":"{name}"{extra}}}')
    rows.sort(key=lambda r: (r[1], r[4]))
    return rows


# --------------------------------------------------------------------------------------------- stores


def sqlite_url(leads: int, months: int, seed: int) -> str:
    folder = Path(tempfile.gettempdir()) / "leadpact-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'metrics-{leads}-{months}-{seed}.db'}"


def pg_url(leads: int, months: int, seed: int) -> str:
    return pg_database(f"leadpact_bench_metrics_{leads}_{months}_{seed}")


def counts(engine: Engine) -> dict[str, int]:
    out = {}
    with engine.connect() as conn:
        for table in ("handoffs", "clocks", "events"):
            out[table] = int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    return out


def chunks_of(c: Company, leads_per_chunk: int) -> Iterator[slice]:
    for lo in range(0, c.leads, leads_per_chunk):
        a, b = np.searchsorted(c.lead, [lo, lo + leads_per_chunk])
        yield slice(int(a), int(b))


def build(url: str, c: Company, seed: int, label: str) -> Engine:
    fresh(url)
    engine = open_store(url)
    rng = np.random.default_rng(seed + 1)
    started = time.perf_counter()
    totals = {"handoffs": 0, "clocks": 0, "events": 0}
    for sel in chunks_of(c, 50_000):
        h, k, e = handoff_rows(c, sel), clock_rows(c, sel), event_rows(c, sel, rng)
        with engine.begin() as conn:
            bulk_insert(conn, "handoffs", HANDOFF_COLUMNS, h)
            bulk_insert(conn, "clocks", CLOCK_COLUMNS, k)
            bulk_insert(conn, "events", EVENT_COLUMNS, e)
        totals["handoffs"] += len(h)
        totals["clocks"] += len(k)
        totals["events"] += len(e)
        console.print(
            f"  {label}: {sel.stop:>9,} handoffs, {totals['clocks']:>10,} clocks, "
            f"{totals['events']:>11,} events  ({time.perf_counter() - started:.0f} s)",
            highlight=False,
        )
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
            conn.commit()
        else:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("VACUUM ANALYZE"))
    console.print(f"  {label}: built in {time.perf_counter() - started:.0f} s", highlight=False)
    return engine
