"""CRM import throughput and memory: a HubSpot-shaped contacts export (the columns of a real export, unmapped
ones among them, UTF-8 with a BOM, CRLF, quoted cells with newlines and thousands separators) imported as
history (`leadpact import hubspot FILE --history`), on SQLite and PostgreSQL. Each size runs in its own
process, so its peak memory (max RSS) is its own: flat as the file grows means the import streams.

    python bench/import.py --rows 1000000 --db both
    python bench/import.py --sizes 100000,300000,1000000 --db sqlite      # memory flat as N grows?
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import fresh, pg_database

HEADER = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title",
    "Number of Employees", "Annual Revenue", "Industry", "Country/Region", "Lifecycle Stage", "Lead Status",
    "Original Source", "Create Date", "Became a Marketing Qualified Lead Date",
    "Became a Sales Qualified Lead Date", "Became an Opportunity Date", "Became a Customer Date",
    "Contact owner", "Last Activity Date", "Message",
]  # fmt: skip
SOURCES = ["Organic Search", "Paid Search", "Direct Traffic", "Referrals", "Social Media", "Email Marketing"]
OWNERS = ["Ana Ruiz", "ben@acme.example", "Eva Lind", ""]
START = datetime(2021, 1, 4, 9, 0)
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def contacts_file(rows: int, folder: Path) -> Path:
    """`rows` contacts over five years; about half become MQLs, a fifth SQLs, a tenth opportunities."""
    path = folder / f"hubspot-contacts-{rows}.csv"
    if path.exists():
        return path
    rng = random.Random(11)
    with path.open("wb") as raw:
        raw.write(b"\xef\xbb\xbf")
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        out = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        out.writerow(HEADER)
        span = 5 * 365 * 24 * 60
        for i in range(rows):
            created = START + timedelta(minutes=rng.randrange(span))
            dates = ["", "", "", ""]
            at = created
            stage = "lead"
            for k, (share, name) in enumerate(
                (
                    (0.5, "marketingqualifiedlead"),
                    (0.4, "salesqualifiedlead"),
                    (0.5, "opportunity"),
                    (0.4, "customer"),
                )
            ):
                if rng.random() >= share:
                    break
                at += timedelta(hours=rng.randrange(1, 24 * 20))
                dates[k] = _when(at)
                stage = name
            employees = rng.choice([5, 40, 250, 1200, 8000])
            message = "First line\nsecond line" if i % 7 == 0 else ""
            out.writerow(
                [
                    str(1000 + i), "Zoë", f"Nachname{i}", f"c{i}@example.com", "+1 555 0100",
                    f"Company {i % 5000}", rng.choice(["VP Marketing", "Head of Sales", "Analyst"]),
                    f"{employees:,}", f"{employees * 12_500:,}", "Software", "United States", stage, "NEW",
                    rng.choice(SOURCES), _when(created), *dates, rng.choice(OWNERS), _when(at), message,
                ]
            )  # fmt: skip
        text.flush()
        text.detach()
    return path


def _workspace(folder: Path, url: str) -> object:
    from leadpact.cli.cmd_init import template_text
    from leadpact.services.workspace import open_workspace

    words = ["organic_search", "direct_traffic", "referrals", "social_media", "email_marketing"]
    pact = template_text("pact.yaml").replace(
        "  outbound: sales\n", "  outbound: sales\n" + "".join(f"  {w}: marketing\n" for w in words), 1
    )
    (folder / "pact.yaml").write_text(pact, encoding="utf-8")
    (folder / "team.yaml").write_text(template_text("team.yaml"), encoding="utf-8")
    return open_workspace(folder / "pact.yaml", url, now=NOW)


def measure(path: Path, url: str, folder: Path) -> dict[str, float]:
    from leadpact.importers.readers import CsvRecords
    from leadpact.importers.text import lines_of
    from leadpact.services.crm_import import import_table

    ws = _workspace(folder, url)
    started = time.perf_counter()
    with path.open("rb") as stream:
        lines, encoding = lines_of(stream, spreadsheet=True)
        table = CsvRecords(lines, encoding)
        result = import_table(ws, table, vendor="hubspot", history=True, now=NOW)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    s = result.report.summary
    return {
        "rows": result.rows_read,
        "events": s["stored"],
        "refused": s["refused"],
        "seconds": seconds,
        "rows_per_second": result.rows_read / seconds,
        "events_per_second": s["stored"] / seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run_child(path: Path, url: str, folder: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--file", str(path), "--url", url, "--dir", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"import run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sizes", help="comma-separated row counts (overrides --rows)")
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--dir", default=None, help="where generated files and the SQLite file go")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="leadpact-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.child:
        print(json.dumps(measure(Path(args.file), args.url, folder)))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.rows]
    kinds = ["sqlite", "pg"] if args.db == "both" else [args.db]
    table = Table("store", "rows", "rows/s", "events/s", "events", "refused", "seconds", "peak MB",
                  title="leadpact import hubspot --history")  # fmt: skip
    for size in sizes:
        with console.status(f"writing a {size:,}-row HubSpot contacts export"):
            path = contacts_file(size, folder)
        for kind in kinds:
            url = fresh(
                f"sqlite:///{folder / 'bench.db'}" if kind == "sqlite" else pg_database("leadpact_bench")
            )
            with console.status(f"{kind}: import of {size:,} rows"):
                got = _run_child(path, url, folder)
            table.add_row(
                kind, f"{size:,}", f"{got['rows_per_second']:,.0f}", f"{got['events_per_second']:,.0f}",
                f"{got['events']:,.0f}", f"{got['refused']:,.0f}", f"{got['seconds']:.1f}",
                f"{got['peak_mb']:.0f}",
            )  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    main()
