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


def _generate(path: str, leads: int, seed: int, start: date, months: int) -> int:
    from leadpact.demo.generator import generate, write_jsonl

    return write_jsonl(Path(path), generate(leads, seed, start=start, months=months))


RAG = {
    "green": "[green]● green[/green]",
    "amber": "[yellow]● amber[/yellow]",
    "red": "[red]● red[/red]",
    None: "[dim]● no data[/dim]",
}


def _grade(value: float | None, target: float, *, amber: float = 0.9) -> str | None:
    if value is None:
        return None
    if value >= target:
        return "green"
    return "amber" if value >= target * amber else "red"


def scorecard_rows(m: dict[str, Any], pact: Any) -> list[tuple[str, str, str, str, str | None]]:
    """(team, commitment, value, target, grade) for one period's metrics."""
    compliance_min = float(pact.escalation.sales_response.compliance_below)
    volume_min = float(pact.escalation.marketing_volume.below)
    pace = m["mql_pace"]
    rows: list[tuple[str, str, str, str, str | None]] = [
        (
            "marketing",
            "MQL volume vs target",
            f"{m['mql_count']} of {m['mql_target']:.1f}" if m["mql_target"] else str(m["mql_count"]),
            f"≥ {volume_min:.0%} of target",
            None if pace is None else ("green" if pace >= 1 else "amber" if pace >= volume_min else "red"),
        ),
        (
            "marketing",
            "acceptance rate",
            _fmt(m["acceptance_rate"]),
            f"≥ {pact.targets.acceptance_min:.0%}",
            _grade(m["acceptance_rate"], float(pact.targets.acceptance_min)),
        ),
        (
            "sales",
            "first contact within SLA",
            _fmt(m["response_compliance"]),
            f"≥ {compliance_min:.0%}",
            _grade(m["response_compliance"], compliance_min),
        ),
        ("sales", "MQLs worked", _fmt(m["worked_rate"]), "100%", _grade(m["worked_rate"], 1.0, amber=0.95)),
        (
            "sales",
            f"{pact.touches.min} touches before closing",
            _fmt(m["min_touch_rate"]),
            "100%",
            _grade(m["min_touch_rate"], 1.0),
        ),
        (
            "sales",
            "disposition within SLA",
            _fmt(m["disposition_compliance"]),
            f"≥ {compliance_min:.0%}",
            _grade(m["disposition_compliance"], compliance_min),
        ),
    ]
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
    as_json: bool = JsonOption,
) -> None:
    """A realistic company: its pact, its team, a year of leads, in a fresh embedded store."""
    from leadpact.cli.cmd_ingest import run_ingest
    from leadpact.cli.context import now_utc, open_context

    first = date.fromisoformat(start) if start else None
    if generate is not None:
        count = _generate(generate, leads, seed, first or date(2026, 1, 5), months)
        if generate != "-":
            console.print(f"wrote {count:,} events for {leads:,} leads to {generate}")
        return
    from leadpact.demo.company import DEMO_ROSTER_YAML

    now = now_utc()
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("leadpact.db", "leadpact.db-wal", "leadpact.db-shm", "events.jsonl"):
        (directory / name).unlink(missing_ok=True)
    shutil.copyfile(TEMPLATES / "pact.yaml", directory / "pact.yaml")
    (directory / "team.yaml").write_text(DEMO_ROSTER_YAML)
    events = directory / "events.jsonl"
    with console.status(f"generating {leads:,} leads over {months} months"):
        count = _generate(str(events), leads, seed, first or _start_for(months, now.date()), months)
    ctx = open_context(directory / "pact.yaml", None)
    report = run_ingest(ctx, str(events), atomic=False, quiet=as_json)
    from leadpact.services.worker import record_due

    worker = record_due(
        ctx.engine, now=now, mode=ctx.pact.mode, roster=ctx.roster, timezone=ctx.pact.timezone
    )
    from leadpact.services.leads import store_counts

    held = store_counts(ctx.engine)
    card = _scorecard(ctx, now)
    if as_json:
        print_json(
            {
                "dir": str(directory),
                "events": count,
                "ingest": report.summary,
                "store": held,
                "breaches_recorded": worker.breaches,
                "scorecard": {
                    k: [
                        dict(zip(("team", "commitment", "value", "target", "grade"), r, strict=True))
                        for r in v["rows"]
                    ]
                    for k, v in card.items()
                },
            }
        )
        return
    s = report.summary
    console.print(
        f"[bold]Demo company[/bold] in {directory}/ — {count:,} events for {leads:,} leads "
        f"({s['stored']:,} stored, {s['refused']:,} refused)"
    )
    console.print(
        f"store: {held['leads']:,} leads, {held['handoffs']:,} handoffs (MQL cycles and sales-sourced), "
        f"{held['events']:,} events; the worker recorded {worker.breaches:,} breaches and "
        f"{worker.warnings:,} warnings as of {Times(ctx.pact.timezone).text(now)}",
        highlight=False,
    )
    for kind, label in (("month", "last full month"), ("week", "last full week")):
        m = card[kind]["metrics"]
        table = listing(title=f"Scorecard, {label}: {m['period']}")
        whole(table, "team")
        folding(table, "commitment", min_width=14, ratio=None)
        whole(table, "actual", "pact", "status")
        for team, name, value, target, grade in card[kind]["rows"]:
            table.add_row(team, name, value, target, RAG[grade])
        console.print(table)
    if s["refused"]:
        fail(f"{s['refused']} generated events were refused; the generator and the engine disagree")
    console.print(
        f"next: [bold]leadpact metrics --pact {directory}/pact.yaml --period "
        f"{card['month']['metrics']['period']}[/bold], "
        f"[bold]leadpact lead L-000001 --pact {directory}/pact.yaml[/bold]"
    )
