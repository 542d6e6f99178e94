"""`leadpact routing explain|fairness` and `leadpact queue`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import now_utc, open_context
from leadpact.cli.render import Times, folding, lead_cycle, listing, waited, whole

routing_app = typer.Typer(
    help="Why a lead goes where it goes, and whether the rotation is fair.", no_args_is_help=True
)
app.add_typer(routing_app, name="routing")


def _routing(ctx: object) -> object:
    routing = getattr(ctx, "routing", None)
    if routing is None:
        fail("routing needs the roster: no team.yaml beside the pact (run `leadpact init`)")
    return routing


@routing_app.command("explain")
def explain_command(
    target: str = typer.Argument(..., metavar="LEAD|FILE", help="A stored lead id, or a file of events."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Dry run: which rule, which rep, why, and who was skipped and why."""
    from leadpact.domain.events import EventError, parse_event
    from leadpact.domain.replay import replay
    from leadpact.importers.readers import read_events
    from leadpact.importers.text import NotText, Unreadable
    from leadpact.services.leads import projection_of
    from leadpact.services.routing_views import explain_projection

    ctx = open_context(pact, db)
    routing = _routing(ctx)
    now = now_utc()
    projections = []
    if Path(target).is_file():
        by_lead: dict[str, list[Any]] = {}
        try:
            with Path(target).open("rb") as stream:
                for _line, raw in read_events(stream, target):
                    if isinstance(raw, Unreadable):
                        continue
                    try:
                        event = parse_event(raw, ctx.vocab, now=now)
                    except EventError:
                        continue
                    by_lead.setdefault(event.lead_id, []).append(event)
        except NotText as exc:
            fail(f"{target} is not a text file of events: {exc}")
        except OSError as exc:
            fail(f"cannot read {target}: {exc.strerror or exc}")
        projections = [replay(lead, evs, ctx.rules) for lead, evs in by_lead.items()]
    else:
        p = projection_of(ctx.engine, ctx.rules, target)
        if not p.exists:
            fail(f"no lead {target!r} (and no such file)")
        projections = [p]
    views = [explain_projection(ctx.engine, routing, p, now) for p in projections if p.exists]  # type: ignore[arg-type]
    if as_json:
        print_json(views if len(views) != 1 else views[0])
        return
    times = Times(ctx.pact.timezone)
    for v in views:
        console.print(
            f"[bold]{v['lead_id']}[/bold] -> [bold]{v['rep'] or 'queue'}[/bold] ({v['kind']}, team "
            f"{v['team'] or '—'}) if routed at {times.text(v['at'])}: {escape(v['reason'])}",
            highlight=False,
        )
        for s in v["skipped"]:
            console.print(f"   skipped {s['who']}: {escape(s['why'])}", highlight=False)
        for h in v["recorded"]:
            console.print(
                f"   recorded: handoff {h['handoff']} -> {h['rep'] or 'queue'} ({h['kind']}) at "
                f"{times.text(h['at'])}",
                highlight=False,
            )


@routing_app.command("fairness")
def fairness_command(
    period: str | None = typer.Option(None, "--period", help="Default: the current month."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Per rep: expected vs received round-robin assignments, and capacity used."""
    from leadpact.domain.periods import parse_period, period_containing
    from leadpact.services.routing_views import fairness_view

    ctx = open_context(pact, db)
    routing = _routing(ctx)
    now = now_utc()
    try:
        p = (
            parse_period(period, ctx.pact.timezone)
            if period
            else period_containing("month", now, ctx.pact.timezone)
        )
    except ValueError as exc:
        fail(f"--period: {exc}", 2)
    view = fairness_view(ctx.engine, routing, p.start, p.end, now)  # type: ignore[arg-type]
    if as_json:
        print_json({"period": p.label, **view})
        return
    table = listing(title=f"Fairness {p.label}: round-robin assignments")
    whole(table, "rep", "team")
    whole(table, "weight", "expected", "received", "today", "open", justify="right")
    for rep, r in view["reps"].items():
        used = r["capacity_used"]
        table.add_row(
            rep,
            r["team"],
            f"{r['weight']:g}",
            f"{r['expected']:.1f}",
            str(r["received"]),
            "—" if used["today"] is None else f"{used['today']:.0%}",
            "—" if used["open"] is None else f"{used['open']:.0%}",
        )
    console.print(table)
    console.print("today, open: capacity used (per day, open leads)", style="dim", highlight=False)


@app.command("queue")
def queue_command(
    pact: Path | None = PactOption, db: str | None = DbOption, as_json: bool = JsonOption
) -> None:
    """Handoffs waiting for a rep (nobody was available); the worker assigns them as soon as someone is."""
    from leadpact.services.routing_views import queue_view

    ctx = open_context(pact, db)
    rows = queue_view(ctx.engine, now_utc())
    if as_json:
        print_json({"queue": rows})
        return
    times = Times(ctx.pact.timezone)
    table = listing()
    whole(table, "lead", "team", "MQL at")
    whole(table, "waiting", justify="right")
    folding(table, "why", min_width=20)
    for r in rows:
        table.add_row(
            lead_cycle(r["lead_id"], r["handoff"]),
            r["team"] or "—",
            times.cell(r["mql_at"]),
            waited(r["waiting_minutes"]),
            r["reason"],
        )
    console.print(table)
    console.print(f"{len(rows)} handoff(s) waiting; {times.footer()}", highlight=False)
