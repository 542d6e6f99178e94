"""Ingest throughput and memory: N generated events through `ingest`, beside a raw executemany of the same
rows into a bare table, on SQLite and PostgreSQL. Each measurement runs in its own process so its peak
memory (max RSS) is its own.

    python bench/ingest.py --events 1000000 --db both
    python bench/ingest.py --sizes 100000,300000,1000000 --db sqlite      # memory flat as N grows?
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import fresh, pg_database

MONTHS = 36
AFTER_GENERATED = datetime(2029, 2, 1, tzinfo=UTC)  # after generate(..., months=MONTHS) from 2026-01-05


def _events_file(events: int, folder: Path) -> Path:
    """A generated company with at least `events` events (cut to exactly that many lines)."""
    from leadpact.demo.generator import generate

    path = folder / f"events-v2-{events}.jsonl"
    if path.exists():
        return path
    written = 0
    leads = max(10, events // 6)  # ~8.5 events a lead: enough leads in one pass, then cut
    with path.open("w") as out:
        for event in generate(leads, 11, months=MONTHS):
            out.write(json.dumps(event) + "\n")
            written += 1
            if written >= events:
                break
    return path


def _fresh_url(kind: str, folder: Path) -> str:
    return fresh(f"sqlite:///{folder / 'bench.db'}" if kind == "sqlite" else pg_database("leadpact_bench"))


def measure_ingest(path: Path, url: str, routed: bool = False) -> dict[str, float]:
    """Through the engine; with `routed`, under the demo company's roster with routing on."""
    import yaml

    from leadpact.demo.company import DEMO_ROSTER_YAML
    from leadpact.domain.routing import RoutingRules
    from leadpact.importers.readers import read_events
    from leadpact.pact import Pact
    from leadpact.roster import parse_roster
    from leadpact.services.ingest import ingest, vocabulary
    from leadpact.services.workspace import rules_for
    from leadpact.store.db import open_store

    pact = Pact()
    roster = parse_roster(yaml.safe_load(DEMO_ROSTER_YAML), pact) if routed else None
    rules = rules_for(pact, roster)
    routing = RoutingRules.from_roster(roster, rules.calendars) if roster is not None else None
    engine = open_store(url)
    started = time.perf_counter()
    with path.open("rb") as stream:  # as `leadpact ingest FILE` reads it
        report = ingest(
            engine,
            rules,
            vocabulary(pact),
            read_events(stream, path.name),
            now=AFTER_GENERATED,  # the generated months run into the future; as of their end, none is ahead
            routing=routing,
            roster=roster,
        )
    seconds = time.perf_counter() - started
    total = sum(report.summary.values())
    return {
        "events": total,
        "seconds": seconds,
        "per_second": total / seconds,
        "refused": report.summary["refused"],
        "peak_mb": _peak_mb(),
    }


def measure_raw(path: Path, url: str) -> dict[str, float]:
    """The floor: the same rows inserted with executemany into a bare table, in batches of 5,000."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS raw_events"))
        conn.execute(
            text(
                "CREATE TABLE raw_events (id VARCHAR(200), lead_id VARCHAR(200), type VARCHAR(16), "
                "at VARCHAR(40), data TEXT)"
            )
        )
    started = time.perf_counter()
    count = 0
    with engine.begin() as conn, path.open() as stream:
        batch = []
        for line in stream:
            e = json.loads(line)
            batch.append(
                {
                    "id": e["id"],
                    "lead_id": e["lead_id"],
                    "type": e["type"],
                    "at": e["at"],
                    "data": json.dumps(e["data"]),
                }
            )
            if len(batch) == 5000:
                conn.execute(text("INSERT INTO raw_events VALUES (:id, :lead_id, :type, :at, :data)"), batch)
                count += len(batch)
                batch = []
        if batch:
            conn.execute(text("INSERT INTO raw_events VALUES (:id, :lead_id, :type, :at, :data)"), batch)
            count += len(batch)
    seconds = time.perf_counter() - started
    return {"events": count, "seconds": seconds, "per_second": count / seconds, "peak_mb": _peak_mb()}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(args: argparse.Namespace) -> None:
    path, url = Path(args.file), args.url
    if args.child == "raw":
        result = measure_raw(path, url)
    else:
        result = measure_ingest(path, url, routed=args.child == "routed")
    print(json.dumps(result))


def _run_child(kind: str, path: Path, url: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--file", str(path), "--url", url],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sizes", help="comma-separated event counts (overrides --events)")
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--dir", default=None, help="where generated files and the SQLite file go")
    parser.add_argument("--child", choices=["raw", "ingest", "routed"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--routing", action="store_true", help="also ingest with the demo roster's routing on"
    )
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="leadpact-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.events]
    kinds = ["sqlite", "pg"] if args.db == "both" else [args.db]
    table = Table(
        "store",
        "events",
        "ingest ev/s",
        "raw insert rows/s",
        "ingest ÷ raw",
        "ingest peak MB",
        "raw peak MB",
        "refused",
        "routed ev/s",
        "routing cost",
        title="leadpact ingest",
    )
    for size in sizes:
        with console.status(f"generating {size:,} events"):
            path = _events_file(size, folder)
        for kind in kinds:
            with console.status(f"{kind}: raw executemany of {size:,} rows"):
                raw = _run_child("raw", path, _fresh_url(kind, folder))
            with console.status(f"{kind}: ingest of {size:,} events"):
                got = _run_child("ingest", path, _fresh_url(kind, folder))
            routed = cost = "—"
            if args.routing:
                with console.status(f"{kind}: ingest of {size:,} events with routing"):
                    with_routing = _run_child("routed", path, _fresh_url(kind, folder))
                routed = f"{with_routing['per_second']:,.0f}"
                cost = f"{got['per_second'] / with_routing['per_second'] - 1:+.1%} time"
            table.add_row(
                kind,
                f"{size:,}",
                f"{got['per_second']:,.0f}",
                f"{raw['per_second']:,.0f}",
                f"{got['per_second'] / raw['per_second']:.2f}",
                f"{got['peak_mb']:.0f}",
                f"{raw['peak_mb']:.0f}",
                f"{got['refused']:,.0f}",
                routed,
                cost,
            )
    console.print(table)
    console.print(
        "goal (DESIGN issue 2): ≥ 25,000 events/s SQLite, ≥ 15,000 events/s PostgreSQL for 1M events, "
        "peak memory flat as N grows"
    )


if __name__ == "__main__":
    main()
