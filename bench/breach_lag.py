"""Breach lag: due time -> breach recorded, with N open clocks falling due over a minute and W workers
polling PostgreSQL (FOR UPDATE SKIP LOCKED). Also checks that every breach is recorded exactly once.

    python bench/breach_lag.py --clocks 100000 --workers 2 --spread 60
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from common import fresh, pg_database

WORKER = """
import sys, time
from datetime import datetime, UTC
from leadpact.store.db import make_engine
from leadpact.services.worker import record_due
engine = make_engine(sys.argv[1])
stop = float(sys.argv[2])
while time.time() < stop:
    record_due(engine, now=datetime.now(UTC), mode="monitoring", batch=500)
    time.sleep(0.05)
"""


def _fresh_db() -> str:
    return fresh(pg_database("leadpact_lag"))


def seed(url: str, clocks: int, start: datetime, spread: float) -> None:
    """Open first-contact clocks (no warnings) due evenly over [start, start + spread)."""
    from leadpact.domain.timeutil import to_us
    from leadpact.store.db import open_store
    from leadpact.store.events import bulk_insert

    engine = open_store(url)
    step = spread / clocks
    rows = []
    for i in range(clocks):
        due = start + timedelta(seconds=i * step)
        rows.append(
            (
                f"B{i}",
                1,
                "first_contact",
                to_us(due - timedelta(minutes=5)),
                to_us(due),
                False,
                "high, inside hours: 5m",
                "[]",
                to_us(due) + 1,
                "rep",
            )
        )
    columns = (
        "lead_id",
        "n",
        "kind",
        "started_at",
        "due_at",
        "business",
        "rule",
        "warn_times",
        "next_at",
        "owner",
    )
    with engine.begin() as conn:
        for i in range(0, len(rows), 10_000):
            bulk_insert(conn, "clocks", columns, rows[i : i + 10_000])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which the clocks fall due")
    args = parser.parse_args()
    import numpy as np
    from rich.console import Console
    from sqlalchemy import func, select

    from leadpact.store.db import make_engine
    from leadpact.store.tables import clock_alerts

    console = Console()
    url = _fresh_db()
    start = datetime.now(UTC) + timedelta(seconds=20)
    with console.status(f"seeding {args.clocks:,} open clocks"):
        seed(url, args.clocks, start, args.spread)
    if datetime.now(UTC) > start:
        raise SystemExit("seeding took longer than the head start; lower --clocks or raise the head start")
    stop = (start + timedelta(seconds=args.spread + 10)).timestamp()
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(stop)]) for _ in range(args.workers)]
    with console.status(f"{args.workers} workers recording breaches for {args.spread + 30:.0f} s"):
        for p in procs:
            p.wait()
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(clock_alerts.c.at, clock_alerts.c.recorded_at)).all()
        distinct = conn.execute(select(func.count(func.distinct(clock_alerts.c.lead_id)))).scalar_one()
    lags = np.array([(r.recorded_at - r.at).total_seconds() for r in rows])
    result = {
        "clocks": args.clocks,
        "workers": args.workers,
        "breaches_recorded": len(rows),
        "distinct_clocks": int(distinct),
        "lag_p50_s": float(np.percentile(lags, 50)) if len(lags) else None,
        "lag_p99_s": float(np.percentile(lags, 99)) if len(lags) else None,
        "lag_max_s": float(lags.max()) if len(lags) else None,
    }
    console.print_json(json.dumps(result))
    console.print(
        "goal: p99 < 1 s; every clock breached exactly once "
        f"({'ok' if len(rows) == distinct == args.clocks else 'MISMATCH'})"
    )
    time.sleep(0)


if __name__ == "__main__":
    main()
