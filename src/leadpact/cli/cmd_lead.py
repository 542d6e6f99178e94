"""`leadpact lead ID`: one lead — scores with reasons, stage, owner, handoffs, clocks, timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.text import Text

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.cli.render import Times, folding, listing, narrow, whole
from leadpact.services.leads import lead_view

#: characters of an event's data shown in the timeline (--json has it whole)
DATA_SHOWN = 160


def _data(data: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v}" for k, v in data.items())
    return text if len(text) <= DATA_SHOWN else text[: DATA_SHOWN - 1] + "…"


def _show(view: dict[str, Any], zone: str) -> None:
    times = Times(zone)
    if not view.get("exists", True):
        console.print(
            f"[bold]{view['lead_id']}[/bold]: no lead.created yet; {len(view['waiting'])} event(s) wait"
        )
        for entry in view["waiting"]:
            console.print(f"  {times.cell(entry['at'])}  {entry['type']:<12} {entry['id']}", highlight=False)
        console.print(f"[dim]{times.footer()}[/dim]", highlight=False)
        return
    console.print(
        f"[bold]{view['lead_id']}[/bold]  stage [bold]{view['stage']}[/bold]  source {view['source']}  "
        f"segment {view['segment'] or '—'}  tier {view['tier'] or '—'}  owner {view['owner'] or '—'}",
        highlight=False,
    )
    console.print(
        f"fit {view['fit']:g}   engagement {view['engagement']:.1f}   (as of {times.text(view['as_of'])})",
        highlight=False,
    )
    for reason in view["score_reasons"]:
        count = f" ×{reason['count']}" if reason["kind"] == "engagement" else ""
        console.print(
            f"  {reason['kind']:<10} {reason['points']:>+8.1f}  {escape(reason['rule'])}{count}",
            highlight=False,
        )
    if view["gate"]:
        for line in view["gate"]["missing"] or ["meets the gate"]:
            console.print(f"  [yellow]not MQL:[/yellow] {escape(line)}", highlight=False)
    if view["handoffs"]:
        table = listing(title="Handoffs")
        whole(table, "n", justify="right")
        whole(table, "kind", "MQL at\nfirst touch", "tier", "owner")
        whole(table, "touches", justify="right")
        folding(table, "disposition")
        flags = not narrow()  # the lead's flags, printed below, name each handoff's
        if flags:
            folding(table, "flags", min_width=8)
        for h in view["handoffs"]:
            table.add_row(
                str(h["n"]),
                h["kind"],
                f"{times.cell(h['mql_at'])}\n{times.cell(h['first_touch_at'])}",
                h["tier"] or "—",
                h["owner"] or "—",
                str(h["touches"]),
                " ".join(filter(None, [h["disposition"] or "—", h["disposition_reason"]])),
                *([", ".join(h["flags"])] if flags else []),
            )
        console.print(table)
    if view["clocks"]:
        recorded = any(c["breach_recorded_at"] for c in view["clocks"])
        clocks = listing(title="Clocks")
        whole(clocks, "n", justify="right")
        whole(clocks, "clock", "started\ndue", "status", *(["breach recorded"] if recorded else []))
        folding(clocks, "rule", min_width=12)
        for c in view["clocks"]:
            clocks.add_row(
                str(c["handoff"]),
                c["kind"],
                f"{times.cell(c['started_at'])}\n{times.cell(c['due_at'])}",
                c["status"],
                *([times.cell(c["breach_recorded_at"], empty="")] if recorded else []),
                c["rule"],
            )
        console.print(clocks)
    packet = view.get("packet")
    if packet:
        console.print(
            f"packet: record {packet['completeness']:.0%} complete"
            + (f" (missing {', '.join(packet['missing_fields'])})" if packet["missing_fields"] else "")
            + f"; source {packet['source']}, campaign {packet['campaign'] or '—'}; "
            f"{packet['engagement_30d']['activities']} activities in 30 days",
            highlight=False,
        )
    table = listing(title="Timeline")
    whole(table, "at")
    whole(table, "event\nid")
    folding(table, "status", min_width=9)
    folding(table, "data", min_width=16, ratio=2)
    for entry in view["timeline"]:
        status = entry["status"] + (f": {entry['note']}" if entry.get("note") else "")
        event = Text(entry["type"])
        event.append(f"\n{entry['id']}", style="dim")
        table.add_row(times.cell(entry["at"]), event, Text(status), Text(_data(entry["data"])))
    console.print(table)
    if view["flags"]:
        console.print("flags: " + escape(", ".join(view["flags"])), highlight=False)
    console.print(f"[dim]{times.footer()}[/dim]", highlight=False)


@app.command("lead")
def lead_command(
    lead_id: str = typer.Argument(..., metavar="ID"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Evaluate at this instant (ISO 8601 with offset)."
    ),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Show one lead as of now (or --as-of)."""
    ctx = open_context(pact, db)
    when = as_of_or_now(as_of)
    view = lead_view(ctx.engine, ctx.versions, lead_id, as_of=when)
    if view is None:
        fail(f"no lead {lead_id!r}: no event names it")
    if as_json:
        print_json(view)
    else:
        _show(view, ctx.pact.timezone)
