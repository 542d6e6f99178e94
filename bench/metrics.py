"""Metrics speed (issue 7, point 7): a month's full metrics document out of a store holding 1M leads over 36
months and ~10M events, on SQLite and PostgreSQL.

    python bench/metrics.py [--leads 1000000] [--months 36] [--db sqlite|pg|both] [--rebuild]
                            [--runs 5] [--reads default|sequential|concurrent|both] [--check]

The store is built once per (leads, months, seed) and kept (SQLite under the system temp folder,
PostgreSQL in a database of its own); `--rebuild` starts it over. Its rows are *synthesised*: the derived
tables `handoffs` and `clocks` are written directly with the driver's executemany (`bulk_insert`), from
numpy distributions shaped like a real company (≈28k MQL handoffs a month, 40 reps in 4 teams, the default
pact's 7 sources, tiers and segments, first-contact clocks by tier on the business calendar, dispositions,
SQL/opportunity/customer stages, re-handoffs after a recycle, sales-sourced direct cycles), and `events`
gets ~10M rows (lead created, activities, assignments, touches, dispositions, stages) with small JSON
bodies, so the event log has its real size and attribution reads real activities (`leads` stays empty:
metrics never read it). Ingesting 10M events through the engine (replay, routing, clocks) would take many
minutes and measure ingest, not metrics.

Then it times `metrics(...)` for a mid-range month, its month pack dropped first (services/packs.py): the
first call (it reads the tables and saves the pack), warm calls from the pack (median of 5), calls with
`cache=False` (the tables every time), the call after late events changed 10 of the month's leads (their
rows are read again and patched into the pack), the call after a batch too big to log lead by lead (the
month is read whole),
a week inside the month, and its quarter (first, then from three packs); per phase (query, compute,
attribution) and per read (pack, handoffs, clocks, activities), the rows used, and beside it a naive
full-table GROUP BY of the same month's core counts. `--check` also computes the month with the reference
implementation (row by row, `domain/metrics/reference.py`) and prints whether the documents agree, and
whether the document from the pack is exactly the one from the tables. Figures only; nothing is asserted.

The synthetic company is `metrics_synth.py`, its rows and stores `metrics_store.py`; this file times.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from metrics_store import build, counts, pg_url, sqlite_url
from metrics_synth import US, month_start, synthesise, us_of
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

from leadpact.domain.rules import rules_from_pact
from leadpact.pact import Pact
from leadpact.services.metrics import metrics
from leadpact.store.db import open_store

console = Console()


# --------------------------------------------------------------------------------------------- timing


def naive_group_by(engine: Engine, start: int, end: int) -> float:
    """The month's core counts per source by a plain full-table GROUP BY (no index can help), in ms."""
    in_month = "mql_at >= :s AND mql_at < :e AND kind = 'mql'"
    query = text(
        "SELECT source, "
        f"SUM(CASE WHEN {in_month} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {in_month} AND disposition = 'accepted' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {in_month} AND disposition IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {in_month} AND sql_at IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {in_month} AND first_touch_at IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN opportunity_at >= :s AND opportunity_at < :e THEN amount ELSE 0 END) "
        "FROM handoffs GROUP BY source"
    )
    t = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(query, {"s": start, "e": end}).all()
    return (time.perf_counter() - t) * 1000


def measure(url: str, period: str, as_of: datetime, runs: int, concurrent: bool) -> dict[str, Any]:
    """`metrics(...)` on a fresh engine, the month's pack dropped first: the first call (it reads the tables
    and saves the pack), the median of `runs` warm calls (from the pack), the median of `runs` calls with
    `cache=False` (the tables every time), and the call after a late event (a bumped day mark in the month:
    the pack is read again)."""
    from leadpact.services import packs
    from leadpact.store import packs as store_packs
    from leadpact.store import period_reads
    from leadpact.store.db import make_engine

    period_reads.CONCURRENT_READS = concurrent
    pact = Pact()
    rules = rules_from_pact(pact)
    engine = make_engine(url)
    with engine.begin() as conn:
        store_packs.forget_packs(conn)

    def timed(cache: bool = True, period: str = period) -> dict[str, float]:
        profile: dict[str, float] = {}
        t = time.perf_counter()
        doc = metrics(engine, pact, rules, period, as_of=as_of, cache=cache, profile=profile)
        profile["total"] = (time.perf_counter() - t) * 1000
        profile["json_bytes"] = len(json.dumps(doc))
        return profile

    def median(profiles: list[dict[str, float]]) -> dict[str, float]:
        keys = dict.fromkeys(k for p in profiles for k in p)
        return {k: statistics.median(p.get(k, 0.0) for p in profiles) for k in keys}

    first = timed()
    packs.flush()  # the pack is saved in the background; the warm runs read it
    warm = median([timed() for _ in range(runs)])
    scratch = median([timed(cache=False) for _ in range(runs)])
    zone = ZoneInfo(pact.timezone)
    y, m = (int(x) for x in period.split("-"))
    mid = us_of(datetime(y, m, 15, 12, tzinfo=zone))
    with engine.begin() as conn:  # ten leads handed off in the month change (as a late event's replay says)
        leads = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT lead_id FROM handoffs WHERE mql_at >= :a AND mql_at < :b "
                    "ORDER BY lead_id LIMIT 10"
                ),
                {"a": mid, "b": mid + store_packs.DAY_US},
            )
        ]
        # as if it happened while the month was recent (older days are logged as every lead)
        store_packs.bump(conn, {mid // store_packs.DAY_US: set(leads)}, datetime.fromtimestamp(mid / US, UTC))
    late = timed()
    packs.flush()
    with engine.begin() as conn:  # a big batch: logged as every lead of the day
        store_packs.bump(conn, {mid // store_packs.DAY_US: {store_packs.EVERY}}, as_of)
    batch = timed()
    packs.flush()
    # other period forms from the packs: a week inside the month, and its quarter (two more months to read)
    iso = datetime(y, m, 10).isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    quarter = f"{y}-Q{(m - 1) // 3 + 1}"
    week_warm = median([timed(period=week) for _ in range(runs)])
    quarter_first = timed(period=quarter)
    packs.flush()
    quarter_warm = median([timed(period=quarter) for _ in range(runs)])
    engine.dispose()
    return {
        "first": first,
        "warm": warm,
        "no cache": scratch,
        "late event": late,
        "big batch": batch,
        "week": week_warm,
        "quarter first": quarter_first,
        "quarter": quarter_warm,
    }


def check(url: str, period: str, as_of: datetime) -> tuple[int, float, list[str]]:
    """The document against the reference implementation (row by row, `domain.metrics.reference`), and the
    document from the month pack against the one read from the tables (`cache=False`): differences."""
    from leadpact.services.metrics import metrics_reference
    from leadpact.store.db import make_engine

    pact = Pact()
    rules = rules_from_pact(pact)
    engine = make_engine(url)
    fast = metrics(engine, pact, rules, period, as_of=as_of)
    scratch = metrics(engine, pact, rules, period, as_of=as_of, cache=False)
    t = time.perf_counter()
    reference = metrics_reference(engine, pact, rules, period, as_of=as_of)
    took = (time.perf_counter() - t) * 1000
    engine.dispose()
    diffs = differences(reference, fast)
    if fast != scratch:  # the pack and the tables: exactly the same document
        diffs.append("the document from the month pack differs from the one read from the tables")
    return len(diffs), took, diffs[:5]


def differences(expected: Any, got: Any, path: str = "$") -> list[str]:
    """Where two documents differ: keys (and their order), None exactly, floats beyond 1e-9."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or list(expected) != list(got):
            return [f"{path}: keys differ"]
        return [m for k in expected for m in differences(expected[k], got[k], f"{path}.{k}")]
    if isinstance(expected, list):
        if not isinstance(got, list) or len(expected) != len(got):
            return [f"{path}: lengths differ"]
        return [
            m
            for i, (a, b) in enumerate(zip(expected, got, strict=True))
            for m in differences(a, b, f"{path}[{i}]")
        ]
    if isinstance(expected, float) and isinstance(got, float):
        return (
            []
            if math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-9)
            else [f"{path}: {expected} != {got}"]
        )
    same = expected == got and type(expected) is type(got)
    return [] if same else [f"{path}: {expected!r} != {got!r}"]


def _ms(p: dict[str, float], key: str) -> str:
    return f"{p[key]:.1f}" if key in p else "-"


def _table(results: dict[tuple[str, str], dict[str, Any]]) -> Table:
    table = Table(title="metrics(...) for one month: ms per phase, rows read", show_lines=False)
    for col in ("database", "reads", "run", "query", "compute", "attribution", "total"):
        table.add_column(col, justify="right" if col not in ("database", "reads", "run") else "left")
    for col in ("pack", "handoffs", "clocks", "activities"):
        table.add_column(f"read {col}", justify="right")
    for col in ("handoff rows", "clock rows", "activity rows"):
        table.add_column(col, justify="right")
    for (db, mode), r in results.items():
        for run in (
            "first",
            "warm",
            "no cache",
            "late event",
            "big batch",
            "week",
            "quarter first",
            "quarter",
        ):
            p = r[run]
            table.add_row(
                db,
                mode,
                {
                    "first": "first (saves the pack)",
                    "warm": "warm, from the pack (median)",
                    "no cache": "cache=False (median)",
                    "late event": "after 10 leads changed (patched)",
                    "big batch": "after a big batch (read whole)",
                    "week": "a week in it, from the pack (median)",
                    "quarter first": "its quarter (2 more months read)",
                    "quarter": "its quarter, from 3 packs (median)",
                }[run],
                _ms(p, "query"),
                _ms(p, "compute"),
                _ms(p, "attribution"),
                f"[bold]{p['total']:.1f}[/bold]",
                _ms(p, "read.pack"),
                _ms(p, "read.handoffs"),
                _ms(p, "read.clocks"),
                _ms(p, "read.activities"),
                f"{p.get('rows.handoffs', 0):,.0f}",
                f"{p.get('rows.clocks', 0):,.0f}",
                f"{p.get('rows.activities', 0):,.0f}",
            )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--db", choices=("sqlite", "pg", "both"), default="both")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rebuild", action="store_true", help="build the store again even if it is there")
    ap.add_argument("--runs", type=int, default=5, help="warm runs (the median is shown)")
    ap.add_argument(
        "--reads",
        choices=("default", "sequential", "concurrent", "both"),
        default="default",
        help="PostgreSQL: the period's three reads one after the other, on three connections at once, or "
        "both (default: as services.period_reads.CONCURRENT_READS says); SQLite reads on one connection",
    )
    ap.add_argument("--check", action="store_true", help="also compare with the reference implementation")
    args = ap.parse_args(argv)

    from leadpact.store import period_reads as service
    from leadpact.store.db import make_engine

    console.rule("[bold]leadpact metrics benchmark")
    t = time.perf_counter()
    company = synthesise(args.leads, args.months, args.seed)
    mid = args.months // 2
    start, end = month_start(mid), month_start(mid + 1)
    period = f"{start.astimezone(ZoneInfo('America/New_York')):%Y-%m}"
    as_of = datetime.fromtimestamp(company.now / US, UTC)
    in_month = (company.mql >= us_of(start)) & (company.mql < us_of(end))
    console.print(
        f"synthesised {args.leads:,} leads over {args.months} months in {time.perf_counter() - t:.1f} s: "
        f"{company.lead.size:,} handoffs ({int((company.n > 1).sum()):,} re-handoffs, "
        f"{int(company.direct.sum()):,} sales-sourced direct cycles), {int(in_month.sum()):,} MQL handoffs "
        f"in {period}; the month is timed as of {as_of:%Y-%m-%d}",
        highlight=False,
    )
    console.print(
        "[dim]The rows are synthesised and bulk-inserted (handoffs, clocks, ~10M events), not ingested: "
        "ingesting 10M events through the engine takes many minutes and measures ingest, not metrics. "
        "Metrics read them exactly as they read ingested rows.[/dim]"
    )
    modes = {
        "default": [service.CONCURRENT_READS],
        "sequential": [False],
        "concurrent": [True],
        "both": [False, True],
    }[args.reads]
    urls: dict[str, str] = {}
    if args.db in ("sqlite", "both"):
        urls["SQLite"] = sqlite_url(args.leads, args.months, args.seed)
    if args.db in ("pg", "both"):
        urls["PostgreSQL"] = pg_url(args.leads, args.months, args.seed)
    results: dict[tuple[str, str], dict[str, Any]] = {}
    naive: dict[str, float] = {}
    checks: dict[str, tuple[int, float, list[str]]] = {}
    for label, url in urls.items():
        ready = False
        if not args.rebuild:
            try:
                probe = make_engine(url)
                have = counts(probe)
                probe.dispose()
                ready = have["handoffs"] == company.lead.size and have["events"] > 0
            except Exception:  # noqa: BLE001 - no store yet
                ready = False
        if not ready:
            console.print(f"building the {label} store (once; kept for later runs) ...", highlight=False)
            build(url, company, args.seed, label).dispose()
        engine = open_store(url)  # migrated to this checkout's schema
        have = counts(engine)
        console.print(
            f"{label}: {have['handoffs']:,} handoffs, {have['clocks']:,} clocks, {have['events']:,} events",
            highlight=False,
        )
        for concurrent in modes if label == "PostgreSQL" else [False]:  # SQLite reads on one connection
            results[(label, "concurrent" if concurrent else "sequential")] = measure(
                url, period, as_of, args.runs, concurrent
            )
        naive[label] = statistics.median(naive_group_by(engine, us_of(start), us_of(end)) for _ in range(3))
        engine.dispose()
        if args.check:
            checks[label] = check(url, period, as_of)
    console.print(_table(results))
    console.print(
        "[dim]query: the reads of the period's handoffs, clocks and activities (wall time; 'read …' is each "
        "read, overlapping when concurrent); compute: the document but attribution; attribution: its "
        "views.[/dim]"
    )
    for label, ms in naive.items():
        best = min(r["warm"]["total"] for (db, _), r in results.items() if db == label)
        console.print(
            f"{label}: a naive full-table GROUP BY of the month's core counts per source takes {ms:,.0f} ms "
            f"(the whole document, warm: {best:,.1f} ms)",
            highlight=False,
        )
    for label, (n, took, first) in checks.items():
        verdict = "identical" if n == 0 else f"{n} differences: {first}"
        console.print(
            f"{label}: the document against the reference implementation ({took:,.0f} ms): {verdict}",
            highlight=False,
        )


if __name__ == "__main__":
    main()
