"""`leadpact curve [--period P | --from D --to D]`: conversion to SQL by response time, with confidence
intervals — the company's own "N times more likely within 5 minutes than after 30" (DESIGN.md §13)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import Times, folding, listing, whole


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _times(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}×"


def _interval(r: dict[str, Any]) -> str:
    return "—" if r["low"] is None else f"{_times(r['low'])}–{_times(r['high'])}"


def _short_note(r: dict[str, Any]) -> str:
    if r["note"] is None:
        return ""
    if not r["enough"] and r["ratio"] is not None:
        return "sample too small to trust"
    return str(r["note"]).split(":")[0]


def show(c: dict[str, Any], zone: str) -> None:
    times = Times(zone)
    console.print(
        f"[bold]Response curve, {c['period']}[/bold]: {c['handoffs']:,} MQL cycles by MQL instant, "
        f"SQL reached by {times.text(c['as_of'])}",
        highlight=False,
    )
    table = listing()
    whole(table, "first contact")
    whole(table, "handoffs", "SQLs", "SQL rate", "95% interval", justify="right")
    for b in c["buckets"]:
        interval = "—" if b["low"] is None else f"{_pct(b['low'])}–{_pct(b['high'])}"
        table.add_row(b["label"], f"{b['handoffs']:,}", f"{b['sqls']:,}", _pct(b["sql_rate"]), interval)
    console.print(table)
    ratios = listing(title="Within 5 minutes vs after 30")
    whole(ratios, "group")
    whole(ratios, "ratio", "95% interval", "≤5m", ">30m", justify="right")
    folding(ratios, "note", min_width=12)
    rows = [("all", c["ratio"])] + [(f"{t} intent", v["ratio"]) for t, v in c["by_tier"].items()]
    for name, r in rows:
        fast, slow = r["within_5m"], r["after_30m"]
        ratios.add_row(
            name, _times(r["ratio"]), _interval(r), f"{fast['sqls']}/{fast['handoffs']}",
            f"{slow['sqls']}/{slow['handoffs']}", _short_note(r),
        )  # fmt: skip
    console.print(ratios)
    console.print(
        "≤5m and >30m: handoffs that reached SQL / all; a tier's ratio compares leads of like intent",
        highlight=False,
    )
    main = c["ratio"]
    if main["note"]:
        console.print(f"note: {main['note']}", highlight=False)


@app.command("curve")
def curve_command(
    period: str | None = typer.Option(None, "--period", help="A period (default: the last 12 full months)."),
    start: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--to", help="Last day (YYYY-MM-DD)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Conversion to SQL by response-time bucket, with Wilson intervals, and the 5-vs-30-minute ratio."""
    from leadpact.services.curve import curve, window

    ctx = open_context(pact, db)
    now = as_of_or_now(as_of)
    days: list[date | None] = []
    for name, text in (("--from", start), ("--to", end)):
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError:
            fail(f"{name}: {text!r} is not a day like 2026-03-01", 2)
    try:
        chosen = window(ctx.pact.timezone, now=now, period=period, start=days[0], end=days[1])
    except ValueError as exc:
        fail(f"{'--period' if period else '--from/--to'}: {exc}", 2)
    result = curve(ctx.engine, chosen, as_of=now)
    if as_json:
        print_json(result)
    else:
        show(result, ctx.pact.timezone)
