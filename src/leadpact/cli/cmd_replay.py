"""`leadpact replay --pact PROPOSED [--period P]`: what the proposed pact would have done to a period, beside
the pact in force (DESIGN.md §13)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, console, err_console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import Times, folding, listing, whole


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str, int, int], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True, disable=quiet) as bar:
        tasks: dict[str, Any] = {}

        def advance(side: str, done: int, total: int) -> None:
            if side not in tasks:
                tasks[side] = bar.add_task(f"replaying events under the {side} pact", total=total or None)
            bar.update(tasks[side], completed=done)

        yield advance


def _rate(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _count(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def _minutes(v: float | None) -> str:
    return "—" if v is None else f"{v:,.1f}"


def _change(v: float | None, kind: str) -> str:
    if v is None:
        return "—"
    if kind == "rate":
        return f"{v * 100:+.1f} pts"
    if kind == "minutes":
        return f"{v:+,.1f}"
    return f"{v:+,.0f}"


# (label, key, kind)
ROWS = (
    ("MQLs", "mql_count", "count"),
    ("re-handoffs", "rehandoff_count", "count"),
    ("MQL target", "mql_target", "count"),
    ("acceptance rate", "acceptance_rate", "rate"),
    ("pending dispositions", "pending_dispositions", "count"),
    ("MQL→SQL", "mql_to_sql", "rate"),
    ("sales-flagged rate", "sales_flagged_rate", "rate"),
    ("response compliance", "response_compliance", "rate"),
    ("disposition compliance", "disposition_compliance", "rate"),
    ("worked rate", "worked_rate", "rate"),
    ("min-touch rate", "min_touch_rate", "rate"),
)
SHOW = {"count": _count, "rate": _rate, "minutes": _minutes}


def show(r: dict[str, Any], zone: str) -> None:
    times = Times(zone)
    cur, new, diff = r["current"], r["proposed"], r["difference"]
    console.print(
        f"[bold]Replay of {r['period']}[/bold] as of {times.text(r['as_of'])}: pact "
        f"{r['versions']['current']} in force vs {r['versions']['proposed']} proposed",
        highlight=False,
    )
    if r["versions"]["current"] == r["versions"]["proposed"]:
        console.print(
            "the proposed pact is the version in force: both sides are the same replay", highlight=False
        )
    table = listing()
    folding(table, "", min_width=14, ratio=None)
    whole(table, "in force", "proposed", "change", justify="right")
    for label, key, kind in ROWS:
        table.add_row(label, SHOW[kind](cur[key]), SHOW[kind](new[key]), _change(diff[key], kind))
    for label, key in (("first-contact breaches", "first_contact"), ("disposition breaches", "disposition")):
        a, b = r["breaches"]["current"][key], r["breaches"]["proposed"][key]
        table.add_row(label, _count(a), _count(b), _change(diff["breaches"][key], "count"))
    median = "response minutes, median"
    table.add_row(
        median,
        _minutes(cur["response_minutes"]["median"]),
        _minutes(new["response_minutes"]["median"]),
        _change(diff["response_minutes"]["median"], "minutes"),
    )
    console.print(table)
    for name, title in (("by_tier", "MQLs by tier"), ("by_rep", "Load per rep (MQLs owned)")):
        groups = listing(title=title)
        whole(groups, name.removeprefix("by_"))
        whole(groups, "in force", "proposed", "change", "compliance Δ", justify="right")
        for group, d in diff[name].items():
            a = cur[name].get(group, {}).get("mql_count", 0)
            b = new[name].get(group, {}).get("mql_count", 0)
            if not a and not b:
                continue
            groups.add_row(
                group, _count(a), _count(b), _change(d["mql_count"], "count"),
                _change(d["response_compliance"], "rate"),
            )  # fmt: skip
        console.print(groups)
    for side in ("current", "proposed"):
        replayed = r["replayed"][side]
        if replayed["summary"]["refused"]:
            fields = ", ".join(f"{n:,} on {f}" for f, n in replayed["refused_by_field"].items())
            err_console.print(
                f"[yellow]note:[/yellow] under the {side} pact {replayed['summary']['refused']:,} of the "
                f"store's events are refused ({fields}) — mostly sales's dispositions and stages of leads "
                "it would not have handed off; the numbers leave them out (`--json` lists the first)",
                highlight=False,
            )


ProposedOption = typer.Option(
    ..., "--pact", help="The proposed pact file (the store's pact in force is the current one)."
)


@app.command("replay")
def replay_command(
    pact: Path = ProposedOption,
    period: str | None = typer.Option(
        None, "--period", help="2026-03, 2026-W10, 2026-Q1, 2026, or a..b (default: the last full quarter)."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Replay as of this instant (default: now)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """What a proposed pact would have done to a period: both metrics documents and their difference,
    computed by replaying the store's events in a scratch store."""
    from leadpact.pact import PactError
    from leadpact.services.whatif import replay

    ctx = open_context(pact, db, quiet_notice=True)
    now = as_of_or_now(as_of)
    if period is None:
        from leadpact.services.whatif import default_period

        period = default_period(ctx, now)
    try:
        with _progress(as_json) as advance:
            result = replay(ctx, period, as_of=now, progress=advance)
    except ValueError as exc:
        fail(f"--period: {exc}", 2)
    except PactError as exc:
        for issue in exc.issues:
            err_console.print(f"  {issue.located()}", highlight=False, markup=False)
        fail(f"team.yaml does not fit the proposed pact: {len(exc.issues)} error(s)")
    if as_json:
        print_json(result)
    else:
        show(result, ctx.pact.timezone)
