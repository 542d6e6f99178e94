"""`leadpact demo`: a realistic company in the embedded store; `--generate` writes its events instead."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import typer

from leadpact.cli.app import app
from leadpact.cli.common import JsonOption, console, fail, print_json
from leadpact.cli.render import Times, folding, listing, whole

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _start_for(months: int, today: date) -> date:
    """A Monday about `months` before today whose months end by yesterday (UTC): the engine refuses events
    stamped in the future, in whatever time zone the company keeps."""
    from leadpact.demo.generator import add_months

    start = today - timedelta(days=round(months * 30.44))
    start -= timedelta(days=start.weekday())
    while add_months(start, months) > today - timedelta(days=1):
        start -= timedelta(days=7)
    return start


def _generate(path: str, leads: int, seed: int, start: date, months: int, end: date | None = None) -> int:
    from leadpact.demo.generator import generate, write_jsonl

    return write_jsonl(Path(path), generate(leads, seed, start=start, months=months, end=end))


RAG = {
    "met": "[green]● met[/green]",
    "at_risk": "[yellow]● at risk[/yellow]",
    "missed": "[red]● missed[/red]",
    "none": "[dim]● no data[/dim]",
}


def scorecard_rows(m: dict[str, Any], pact: Any) -> list[tuple[str, str, str, str, str]]:
    """(team, commitment, value, target, status) for one period's metrics: the dashboard's scorecard
    (`domain.scorecard`), as text."""
    from leadpact.domain.scorecard import scorecard
    from leadpact.services.dashboard import commitments_of

    rows: list[tuple[str, str, str, str, str]] = []
    for line in scorecard(m, commitments_of(pact)):
        if line.key == "mql_pace":
            value = f"{m['mql_count']} of {m['mql_target']:.1f}" if m["mql_target"] else str(m["mql_count"])
            target = "on pace"
        else:
            value, target = _fmt(line.value), ("100%" if line.target >= 1 else f"≥ {line.target:.0%}")
        rows.append((line.team, line.commitment, value, target, line.status))
    return rows


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _scorecard(ctx: Any, now: Any) -> dict[str, Any]:
    from leadpact.domain.periods import period_containing, previous
    from leadpact.services.metrics import metrics

    out = {}
    for kind in ("month", "week"):
        last = previous(period_containing(kind, now, ctx.pact.timezone))
        m = metrics(ctx.engine, ctx.pact, ctx.rules, last.label, as_of=now)
        out[kind] = {"metrics": m, "rows": scorecard_rows(m, ctx.pact)}
    return out


ESCALATED_BACK = timedelta(weeks=4)  # the closed periods the demo's first worker pass judges for escalation
DirOption = typer.Option(Path("leadpact-demo"), "--dir", help="Where the demo company lives.")


@app.command("demo")
def demo_command(
    generate: str | None = typer.Option(
        None, "--generate", help="Write the company's events to FILE (- for stdout) instead of loading them."
    ),
    leads: int = typer.Option(
        9000, "--leads", min=1, help="How many leads (9,000 a year is about the seed's 356 MQLs a month)."
    ),
    seed: int = typer.Option(7, "--seed", help="Random seed: same seed, same company."),
    months: int = typer.Option(12, "--months", min=1, help="How many months of history."),
    start: str | None = typer.Option(
        None,
        "--start",
        help="First day (YYYY-MM-DD); default: --months before "
        "today for the demo, 2026-01-05 for --generate.",
    ),
    directory: Path = DirOption,
    no_serve: bool = typer.Option(
        False, "--no-serve", help="Build the company and stop (no live dashboard)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="The address to serve on."),
    port: int = typer.Option(
        8000, "--port", min=0, max=65535, help="The port to serve on (0: any free one)."
    ),
    every: float = typer.Option(
        4.0, "--every", min=0.2, help="Seconds between two batches of the live trickle of events."
    ),
    as_json: bool = JsonOption,
) -> None:
    """A realistic company: its pact, its team, a year of leads, in a fresh embedded store; then served live
    (the dashboard, the API, the worker) with new leads, touches and breaches trickling in, until Ctrl-C."""
    from leadpact.cli.cmd_ingest import run_ingest
    from leadpact.cli.context import now_utc, open_context

    first = date.fromisoformat(start) if start else None
    if generate is not None:
        count = _generate(generate, leads, seed, first or date(2026, 1, 5), months)
        if generate != "-":
            console.print(f"wrote {count:,} events for {leads:,} leads to {generate}")
        return
    from leadpact.demo.company import DEMO_ROSTER_YAML

    if not no_serve and port and not _port_free(host, port):
        fail(f"port {port} on {host} is in use: choose another with --port (0: any free one), or --no-serve")

    now = now_utc()
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("leadpact.db", "leadpact.db-wal", "leadpact.db-shm", "events.jsonl"):
        (directory / name).unlink(missing_ok=True)
    shutil.copyfile(TEMPLATES / "pact.yaml", directory / "pact.yaml")
    (directory / "team.yaml").write_text(DEMO_ROSTER_YAML)
    events = directory / "events.jsonl"
    with console.status(f"generating {leads:,} leads over {months} months"):
        # history runs to the start of yesterday (UTC date: midnight there is past in every zone), so the
        # dashboard's current month is full up to the live trickle; an explicit --start keeps whole months
        end = None if first else now.date() - timedelta(days=1)
        count = _generate(str(events), leads, seed, first or _start_for(months, now.date()), months, end)
    ctx = open_context(directory / "pact.yaml", None)
    report = run_ingest(ctx, str(events), atomic=False, quiet=as_json)
    from leadpact.services.worker import record_due

    worker = record_due(
        ctx.engine, now=now, mode=ctx.pact.mode, roster=ctx.roster, timezone=ctx.pact.timezone
    )
    from leadpact.services.escalations import evaluate

    # as if the worker had been running for the last weeks of the company's history: their misses escalate
    escalated = evaluate(
        ctx.engine, pact=ctx.pact, rules=ctx.rules, now=now, roster=ctx.roster, since=now - ESCALATED_BACK
    )
    from leadpact.services.leads import store_counts

    held = store_counts(ctx.engine)
    card = _scorecard(ctx, now)
    live = None if no_serve else _prepare_live(ctx, host, port)
    if as_json:
        print_json(
            {
                **({} if live is None else {"url": live[2], "key": live[1]}),
                "dir": str(directory),
                "events": count,
                "ingest": report.summary,
                "store": held,
                "breaches_recorded": worker.breaches,
                "escalations_opened": len(escalated.opened),
                "scorecard": {
                    k: [
                        dict(zip(("team", "commitment", "value", "target", "status"), r, strict=True))
                        for r in v["rows"]
                    ]
                    for k, v in card.items()
                },
            }
        )
    else:
        _print_built(ctx, directory, count, leads, report, held, worker, card, now, len(escalated.opened))
    if live is not None:
        settings, key, url = live
        if not as_json:
            console.print(
                f"\n[bold]Live dashboard[/bold] at [bold]{url}[/bold] — sign in with the key\n  {key}\n"
                f"New leads, touches and breaches trickle in every {every:g} s. Ctrl-C stops it.",
                highlight=False,
                soft_wrap=True,
            )
        _serve_live(ctx, settings, every)


def _print_built(
    ctx: Any,
    directory: Path,
    count: int,
    leads: int,
    report: Any,
    held: Any,
    worker: Any,
    card: Any,
    now: Any,
    escalated: int,
) -> None:
    s = report.summary
    console.print(
        f"[bold]Demo company[/bold] in {directory}/ — {count:,} events for {leads:,} leads "
        f"({s['stored']:,} stored, {s['refused']:,} refused)"
    )
    console.print(
        f"store: {held['leads']:,} leads, {held['handoffs']:,} handoffs (MQL cycles and sales-sourced), "
        f"{held['events']:,} events; the worker recorded {worker.breaches:,} breaches and "
        f"{worker.warnings:,} warnings as of {Times(ctx.pact.timezone).text(now)}, and opened "
        f"{escalated} escalation(s) over the last {ESCALATED_BACK.days // 7} weeks (leadpact escalations)",
        highlight=False,
    )
    for kind, label in (("month", "last full month"), ("week", "last full week")):
        m = card[kind]["metrics"]
        table = listing(title=f"Scorecard, {label}: {m['period']}")
        whole(table, "team")
        folding(table, "commitment", min_width=14, ratio=None)
        whole(table, "actual", "pact", "status")
        for team, name, value, target, status in card[kind]["rows"]:
            table.add_row(team, name, value, target, RAG[status])
        console.print(table)
    if s["refused"]:
        fail(f"{s['refused']} generated events were refused; the generator and the engine disagree")
    console.print(
        f"next: [bold]leadpact metrics --pact {directory}/pact.yaml --period "
        f"{card['month']['metrics']['period']}[/bold], "
        f"[bold]leadpact lead L-000001 --pact {directory}/pact.yaml[/bold]"
    )


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _prepare_live(ctx: Any, host: str, port: int) -> tuple[Any, str, str]:
    """The serve settings, a new admin key to sign in with, and the dashboard's URL."""
    from datetime import UTC, datetime

    from leadpact.services.keys import create_key
    from leadpact.web.settings import SettingsError, WebSettings

    port = port or _free_port(host)
    try:
        settings = WebSettings.load(
            pact_file=ctx.pact_file, db_url=ctx.url, host=host, port=port, worker=True
        )
    except SettingsError as exc:
        fail(f"settings:\n{exc}")
    key = create_key(ctx.engine, role="admin", name="demo", now=datetime.now(UTC)).key
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    return settings, key, f"http://{shown}:{port}/"


def _serve_live(ctx: Any, settings: Any, every: float) -> None:
    """`leadpact serve` on the demo's store with the trickle of events beside it (a thread posting through
    the ingest service the API uses), until Ctrl-C or SIGTERM."""
    import logging
    import threading
    from datetime import UTC, datetime

    from leadpact.demo.trickle import run_trickle
    from leadpact.services.posting import post_events
    from leadpact.services.workspace import open_workspace
    from leadpact.web.server import serve

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    trickle_ws = open_workspace(ctx.pact_file, ctx.url, now=datetime.now(UTC))
    stop = threading.Event()

    def post(batch: list[dict[str, Any]], now: datetime) -> Any:
        return post_events(trickle_ws, batch, role="admin", now=now)

    thread = threading.Thread(
        target=run_trickle,
        args=(post, stop),
        kwargs={"every": every},
        name="leadpact-demo-trickle",
        daemon=True,
    )
    thread.start()
    try:
        serve(settings, ctx)
    finally:
        stop.set()
        thread.join(10)
        trickle_ws.engine.dispose()
