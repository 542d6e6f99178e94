"""`leadpact metrics [--period P] [--as-of T]`: both teams' numbers, one definition everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import Times, folding, listing, whole
from leadpact.services.metrics import metrics


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def show(m: dict[str, Any], zone: str) -> None:
    times = Times(zone)
    console.print(
        f"[bold]{m['period']}[/bold]  {times.text(m['start'])} .. {times.text(m['end'])}  "
        f"(as of {times.text(m['as_of'])})",
        highlight=False,
    )
    table = listing()
    table.show_header = False
    folding(table, "commitment", min_width=16, ratio=None)
    whole(table, "value")
    rows = [
        ("MQLs (re-handoffs)", f"{m['mql_count']} ({m['rehandoff_count']})"),
        (
            "MQL target / pace / projected",
            f"{_num(m['mql_target'], '{:.2f}')} / {_pct(m['mql_pace'])} / {_num(m['projected'])}",
        ),
        ("acceptance rate (pending)", f"{_pct(m['acceptance_rate'])} ({m['pending_dispositions']})"),
        ("MQL→SQL / SQL→opp", f"{_pct(m['mql_to_sql'])} / {_pct(m['sql_to_opp'])}"),
        (
            "response minutes median / mean / p90",
            " / ".join(_num(m["response_minutes"][k]) for k in ("median", "mean", "p90")),
        ),
        ("response compliance", _pct(m["response_compliance"])),
        ("worked rate", _pct(m["worked_rate"])),
        ("touches per lead / min-touch rate", f"{_num(m['touches_per_lead'])} / {_pct(m['min_touch_rate'])}"),
        ("disposition compliance", _pct(m["disposition_compliance"])),
        ("sales-flagged rate", _pct(m["sales_flagged_rate"])),
        (
            "pipeline (marketing-sourced / influenced)",
            f"{m['pipeline']['total']:,.0f} ({m['pipeline']['marketing_sourced']:,.0f} / "
            f"{m['pipeline']['marketing_influenced']:,.0f})",
        ),
        ("win rate (won / lost)", f"{_pct(m['win_rate'])} ({m['customers']} / {m['closed_lost']})"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    if m["reasons"]:
        reasons = listing(title="Reasons")
        whole(reasons, "reason")
        whole(reasons, "count", "share", justify="right")
        whole(reasons, "flag")
        folding(reasons, "marketing action", min_width=16)
        for code, r in m["reasons"].items():
            reasons.add_row(
                code, str(r["count"]), _pct(r["share"]), "⚑" if r["flagged"] else "", r["action"] or ""
            )
        console.print(reasons)
    sources = listing(title="By source")
    whole(sources, "source")
    whole(sources, "MQLs", "target", "accept", "MQL→SQL", "pipeline", justify="right")
    for source, s in m["by_source"].items():
        sources.add_row(
            source,
            str(s["mql_count"]),
            _num(s.get("mql_target")),
            _pct(s["acceptance_rate"]),
            _pct(s["mql_to_sql"]),
            f"{s['pipeline']['total']:,.0f}",
        )
    console.print(sources)
    for key, title in (("by_closer", "closer"), ("by_product", "product")):
        deals = {k: v for k, v in m[key].items() if k != "(none)" and (v["customers"] or v["closed_lost"])}
        if not deals:
            continue
        table = listing(title=f"By {title}")
        whole(table, title)
        whole(table, "won", "lost", "win rate", "revenue", justify="right")
        for name, d in deals.items():
            table.add_row(
                name,
                str(d["customers"]),
                str(d["closed_lost"]),
                _pct(d["win_rate"]),
                f"{d['revenue']['total']:,.0f}",
            )
        console.print(table)


@app.command("metrics")
def metrics_command(
    period: str | None = typer.Option(
        None, "--period", help="2026-03, 2026-W10, 2026-Q1, 2026, or a..b (default: the current month)."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    no_cache: bool = typer.Option(
        False,
        "--no-cache",
        help="Read the period's rows from the tables, not from the month packs (the numbers are the same).",
    ),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Every metric of the pact for a period, with its breakdowns."""
    ctx = open_context(pact, db)
    now = as_of_or_now(as_of)
    if period is None:
        from leadpact.domain.periods import period_containing

        period = period_containing("month", now, ctx.pact.timezone).label
    try:
        result = metrics(ctx.engine, ctx.pact, ctx.rules, period, as_of=now, cache=not no_cache)
    except ValueError as exc:
        fail(f"--period: {exc}", 2)
    if as_json:
        print_json(result)
    else:
        show(result, ctx.pact.timezone)
