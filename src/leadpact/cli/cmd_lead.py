"""`leadpact lead ID`: one lead — scores with reasons, stage, owner, handoffs, clocks, timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, fail, print_json
from leadpact.cli.context import as_of_or_now, open_context
from leadpact.services.leads import lead_view


def _show(view: dict[str, Any]) -> None:
    if not view.get("exists", True):
        console.print(
            f"[bold]{view['lead_id']}[/bold]: no lead.created yet; {len(view['waiting'])} event(s) wait"
        )
        for entry in view["waiting"]:
            console.print(f"  {entry['at']}  {entry['type']:<12} {entry['id']}", highlight=False)
        return
    console.print(
        f"[bold]{view['lead_id']}[/bold]  stage [bold]{view['stage']}[/bold]  source {view['source']}  "
        f"segment {view['segment'] or '—'}  tier {view['tier'] or '—'}  owner {view['owner'] or '—'}",
        highlight=False,
    )
    console.print(f"fit {view['fit']:g}   engagement {view['engagement']:.1f}   (as of {view['as_of']})")
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
        table = Table(
            "n", "kind", "MQL at", "tier", "owner", "first touch", "touches", "disposition", "flags"
        )
        for h in view["handoffs"]:
            table.add_row(
                str(h["n"]),
                h["kind"],
                h["mql_at"] or "—",
                h["tier"] or "—",
                h["owner"] or "—",
                h["first_touch_at"] or "—",
                str(h["touches"]),
                f"{h['disposition'] or '—'} {h['disposition_reason'] or ''}",
                ", ".join(h["flags"]),
            )
        console.print(table)
    if view["clocks"]:
        clocks = Table("n", "clock", "started", "due", "status", "rule", "breach recorded")
        for c in view["clocks"]:
            clocks.add_row(
                str(c["handoff"]),
                c["kind"],
                c["started_at"],
                c["due_at"],
                c["status"],
                c["rule"],
                c["breach_recorded_at"] or "",
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
    table = Table("at", "type", "id", "status", "data")
    for entry in view["timeline"]:
        data = ", ".join(f"{k}={v}" for k, v in entry["data"].items())
        status = entry["status"] + (f": {entry['note']}" if entry.get("note") else "")
        table.add_row(entry["at"], entry["type"], entry["id"], status, data[:80])
    console.print(table)
    if view["flags"]:
        console.print("flags: " + escape(", ".join(view["flags"])), highlight=False)


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
        _show(view)
