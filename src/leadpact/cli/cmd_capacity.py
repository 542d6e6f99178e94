"""`leadpact capacity [--target 0.9]`: the reps the high-intent clock needs hour by hour (Erlang C), this
week's roster against them, and the model's backtest on past weeks (DESIGN.md §13)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import typer

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, err_console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import listing, whole

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _grid(rows: list[dict[str, Any]]) -> None:
    table = listing(title="Reps on shift / needed, by local hour")
    whole(table, "hour")
    whole(table, *DAYS, justify="right")
    for hour in range(24):
        cells = []
        for day in range(7):
            r = rows[day * 24 + hour]
            busy = r["arrivals"] > 0 or r["reps"] > 0
            mark = "!" if r["reps"] < r["reps_needed"] else ""
            cells.append(f"{r['reps']}/{r['reps_needed']}{mark}" if busy else "·")
        table.add_row(f"{hour:02d}:00", *cells)
    console.print(table)
    console.print(
        "! fewer reps on shift than the target needs; · nothing arrives, nobody on shift", highlight=False
    )


def show(c: dict[str, Any]) -> None:
    console.print(
        f"[bold]Capacity for the {c['tier']}-intent first-contact clock[/bold], week {c['week']}: "
        f"predicted {_pct(c['predicted_compliance'])} within the clock with this week's roster "
        f"(target {_pct(c['target'])})",
        highlight=False,
    )
    hist = c["history"]
    console.print(
        f"from {hist['period']} ({hist['weeks']} weeks, {hist['high_handoffs']:,} {c['tier']}-intent MQLs): "
        f"a touch takes {c['handle_minutes']:.1f} min ({c['handle_from']}); other work takes "
        f"{c['shrinkage']:.0%} of the reps' hours on shift",
        highlight=False,
    )
    _grid(c["by_hour"])
    bt = c["backtest"]
    table = listing(title="Backtest on past weeks")
    whole(table, "week")
    whole(table, "MQLs", "predicted", "measured", "error", justify="right")
    for w in bt["by_week"]:
        err = None if w["predicted"] is None or w["measured"] is None else w["predicted"] - w["measured"]
        error = "—" if err is None else f"{err * 100:+.1f} pts"
        table.add_row(w["week"], str(w["high_handoffs"]), _pct(w["predicted"]), _pct(w["measured"]), error)
    console.print(table)
    if bt["mean_absolute_error"] is not None:
        console.print(
            f"mean absolute error {bt['mean_absolute_error'] * 100:.1f} pts, "
            f"bias {bt['bias'] * 100:+.1f} pts over {bt['weeks']} weeks",
            highlight=False,
        )
        if bt["bias"] > 0.05:
            console.print(
                "the model expects more than was measured: the misses are not for want of reps on shift "
                "(they come from how fast the reps on shift pick leads up)",
                highlight=False,
            )


@app.command("capacity")
def capacity_command(
    target: float = typer.Option(0.9, "--target", help="The share of high-intent leads to contact in time."),
    weeks: int = typer.Option(8, "--weeks", min=1, max=104, help="Closed weeks of history to learn from."),
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Erlang C: the high-intent share contacted within the clock with this week's reps, and the reps needed
    each hour for the target, with a backtest on past weeks."""
    from leadpact.services.capacity import NoRoster, capacity

    if not 0 < target < 1:
        fail(f"--target: {target} is not a share between 0 and 1 (like 0.9)", 2)
    ctx = open_context(pact, db)
    try:
        with err_console.status("modelling the weeks", spinner="dots") if not as_json else nullcontext():
            result = capacity(ctx, as_of=as_of_or_now(as_of), goal=target, weeks=weeks)
    except NoRoster as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
    else:
        show(result)
