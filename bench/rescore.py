"""A full rescore: N open leads with ~10 activities each under a changed pact, on SQLite and PostgreSQL.

    python bench/rescore.py --leads 200000 --db both      # goal (issue 3): 1M leads under 60 s

Rows are synthesised and bulk-inserted (leads + activity events), not ingested, so the store is built in
seconds; the rescore then reads them as it reads any store.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from common import fresh, pg_database

KINDS = [
    "page_view",
    "pricing_page_view",
    "content_download",
    "webinar_attended",
    "email_click",
    "demo_request",
    "webinar_question",
    "event_attended",
]


def _url(kind: str) -> str:
    return fresh(
        "sqlite:////tmp/leadpact-rescore.db" if kind == "sqlite" else pg_database("leadpact_rescore")
    )


def build(url: str, leads: int, now: datetime) -> None:
    from leadpact.domain.timeutil import to_us
    from leadpact.store.db import open_store

    rnd = random.Random(5)
    engine = open_store(url)
    now_us = to_us(now)
    with engine.begin() as conn:
        lead_rows, event_rows = [], []
        for i in range(leads):
            lead_id = f"R{i:07d}"
            fields = {
                "email": f"r{i}@x.example",
                "source": "content",
                "employees": rnd.choice([50, 300, 1500, 8000]),
                "job_function": rnd.choice(["marketing", "sales", "it", "finance"]),
                "seniority": rnd.choice(["manager", "director", "ic", "vp"]),
                "industry": "software",
                "country": rnd.choice(["US", "DE", "BR"]),
            }
            lead_rows.append(
                (
                    lead_id,
                    fields["email"],
                    "content",
                    json.dumps(fields),
                    "raw",
                    "{}",
                    0.0,
                    0.0,
                    0,
                    now_us - 86_400_000_000 * 40,
                    now_us,
                    "[]",
                )
            )
            for j in range(10):
                at = now_us - rnd.randrange(0, 60 * 86_400) * 1_000_000
                event_rows.append(
                    (
                        f"{lead_id}-a{j}",
                        lead_id,
                        "activity",
                        2,
                        at,
                        json.dumps({"kind": rnd.choice(KINDS)}),
                        "h",
                        now_us,
                    )
                )
            if len(event_rows) >= 200_000:
                _flush(conn, lead_rows, event_rows)
                lead_rows, event_rows = [], []
        _flush(conn, lead_rows, event_rows)


LEAD_COLUMNS = (
    "lead_id",
    "email",
    "source",
    "fields",
    "stage",
    "stage_times",
    "fit",
    "engagement",
    "cycles",
    "created_at",
    "last_event_at",
    "flags",
)
EVENT_COLUMNS = ("id", "lead_id", "type", "rank", "at", "data", "hash", "received_at")


def _flush(conn: Any, lead_rows: list[tuple[Any, ...]], event_rows: list[tuple[Any, ...]]) -> None:
    from leadpact.store.events import bulk_insert

    bulk_insert(conn, "leads", LEAD_COLUMNS, lead_rows)
    bulk_insert(conn, "events", EVENT_COLUMNS, event_rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    args = parser.parse_args()
    from rich.console import Console

    from leadpact.domain.rules import Versions, rules_from_pact
    from leadpact.pact import Pact
    from leadpact.services.rescore import rescore
    from leadpact.store.db import make_engine

    console = Console()
    now = datetime(2026, 11, 24, tzinfo=UTC)
    old = Pact()
    data = old.model_dump(mode="json")
    data["scoring"]["mql"] = {"fit": 30, "engagement": 20}
    new = Pact.model_validate(data)
    versions = Versions(
        (
            (None, old.version, rules_from_pact(old)),
            (now - timedelta(seconds=1), new.version, rules_from_pact(new)),
        )
    )
    for kind in ["sqlite", "pg"] if args.db == "both" else [args.db]:
        url = _url(kind)
        with console.status(f"{kind}: building {args.leads:,} leads and {10 * args.leads:,} activities"):
            build(url, args.leads, now)
        started = time.perf_counter()
        report = rescore(make_engine(url), versions, new.version, now=now)
        seconds = time.perf_counter() - started
        console.print(
            f"{kind}: rescored {report.scanned:,} open leads ({10 * report.scanned:,} activities) in "
            f"{seconds:.1f} s = {report.scanned / seconds:,.0f} leads/s -> 1M leads in "
            f"{1_000_000 / (report.scanned / seconds):.0f} s; {len(report.newly_cross):,} newly cross"
        )
    console.print("goal (issue 3): a full rescore of 1M leads under 60 s on SQLite and PostgreSQL")


if __name__ == "__main__":
    main()
