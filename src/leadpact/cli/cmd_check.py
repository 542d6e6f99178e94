"""``leadpact check [--pact P] [--schema] [--json]``: validate the pact and the roster beside it.

Exit 0 exactly when both files are valid. On success the resolved pact is summarised (or printed
as JSON with ``--json``); on failure every problem of both files is listed. ``--schema`` prints the
JSON Schema of ``pact.yaml``, the reference of every key.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from leadpact.cli.app import app
from leadpact.cli.common import (
    JsonOption,
    PactOption,
    console,
    err_console,
    pact_path,
    print_json,
    roster_path,
)
from leadpact.cli.render import folding, listing, whole
from leadpact.domain.timeutil import local_text
from leadpact.pact import (
    Pact,
    PactError,
    PactIssue,
    SplitResponse,
    WithinResponse,
    condition_text,
    load_pact,
    pact_json_schema,
    pact_warnings,
)
from leadpact.roster import Roster, load_roster, roster_warnings


@app.command("check")
def check_command(
    pact: Path | None = PactOption,
    schema: bool = typer.Option(
        False, "--schema", help="Print the JSON Schema of pact.yaml (every key, described)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Validate pact.yaml and team.yaml; print the resolved pact and its waterfall, or every error."""
    if schema:
        sys.stdout.write(json.dumps(pact_json_schema(), indent=2, ensure_ascii=False) + "\n")
        return
    pact_file = pact_path(pact)
    team_file = roster_path(pact_file)
    errors: list[PactIssue] = []
    resolved: Pact | None = None
    roster: Roster | None = None
    calendars: tuple[str, ...] | None = None
    try:
        resolved = load_pact(pact_file)
    except PactError as exc:
        errors.extend(exc.issues)
        # the roster's calendar references are still judged against the calendars the pact names
        calendars = exc.known.keys("calendars") if exc.known is not None else None
    try:
        roster = load_roster(team_file, resolved, calendars=calendars)
    except PactError as exc:
        errors.extend(exc.issues)
    if errors:
        _report_errors(errors, pact_file, team_file, as_json)
        raise typer.Exit(1)
    assert resolved is not None and roster is not None
    warnings = [*pact_warnings(resolved), *roster_warnings(roster, str(team_file), resolved)]
    if as_json:
        print_json(resolved.model_dump(mode="json"))
        return
    _summary(resolved, roster, pact_file, team_file, warnings)


def _report_errors(errors: list[PactIssue], pact_file: Path, team_file: Path, as_json: bool) -> None:
    if as_json:
        print_json({"valid": False, "errors": [issue.to_json() for issue in errors]})
        return
    err_console.print(_marked(errors, "[red]✗[/red]"))
    counts = []
    for path in (pact_file, team_file):
        n = sum(1 for issue in errors if issue.source == str(path))
        if n:
            counts.append(f"{n} in {path}")
    total = len(errors)
    err_console.print(
        f"[red]{total} problem{'s' if total != 1 else ''}[/red] ({', '.join(counts) or 'see above'}); "
        "`leadpact check --schema` describes every key.",
        highlight=False,
    )


def _marked(issues: list[PactIssue], mark: str) -> Table:
    """One issue a line, its wrapped lines indented under its text (not under the mark)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for issue in issues:
        grid.add_row(mark, Text(issue.located()))
    return grid


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


# --- the summary ------------------------------------------------------------------------------


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _clock(rule: SplitResponse | WithinResponse) -> str:
    if isinstance(rule, SplitResponse):
        return f"{rule.business_hours} in business hours, {rule.after_hours} outside (wall clock)"
    if rule.within.unit == "bd":
        days = int(rule.within.value)
        return f"{days} business day{'s' if days != 1 else ''}"
    return f"{rule.within} ({'business time' if rule.clock == 'business' else 'wall clock'})"


def _signed_on(at: datetime | date | None, zone: str) -> str:
    if at is None:
        return ""
    if isinstance(at, datetime):
        return f" on {local_text(at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(zone)), zone)}"
    return f" on {at.isoformat()}"


def _signature(pact: Pact, side: str) -> str:
    signature = getattr(pact.signoff, side)
    if signature is None:
        return "[yellow]unsigned[/yellow]"
    when = _signed_on(signature.at, pact.timezone)
    stale = "" if pact.signed_by()[side] else f" [yellow](signed version {signature.version}: stale)[/yellow]"
    return f"{_escape(signature.name)}{when}{stale}"


def _waterfall_line(pact: Pact) -> str | None:
    """The seed's revenue waterfall sentence (None when the targets cannot make one)."""
    from leadpact.cli.plan_text import sentence
    from leadpact.services.metrics import plan_of

    try:
        return sentence(plan_of(pact))
    except (ValueError, TypeError, ZeroDivisionError):
        return None


def _summary(pact: Pact, roster: Roster, pact_file: Path, team_file: Path, warnings: list[PactIssue]) -> None:
    out = console
    out.print(
        f"[green]✓[/green] {_escape(str(pact_file))} is valid: [bold]{_escape(pact.name)}[/bold]  "
        f"version [cyan]{pact.version}[/cyan]  mode [bold]{pact.mode}[/bold]",
        highlight=False,
    )
    out.print(
        f"  signed: marketing {_signature(pact, 'marketing')}, sales {_signature(pact, 'sales')}"
        + (
            ""
            if pact.fully_signed
            else "  [yellow](monitoring until both sign)[/yellow]"
            if pact.mode == "enforcing"
            else "  (enforcing mode needs both)"
        ),
        highlight=False,
    )
    zone = pact.timezone
    for name, cal in pact.calendars.items():
        hours = ", ".join(f"{k} {v}" for k, v in cal.hours.items())
        hol = cal.holidays
        holidays = "no holidays"
        if hol is not None:
            parts = [p for p in (hol.country, hol.subdivision) if p]
            holidays = "holidays " + ("-".join(parts) if parts else "listed dates")
        out.print(f"  calendar {name}: {hours}, {cal.timezone or zone}, {holidays}", highlight=False)

    gate = listing(title="MQL gate and clocks per segment (first match wins)")
    whole(gate, "segment")
    folding(gate, "when", min_width=12)
    whole(gate, "fit ≥", "engagement ≥", justify="right")
    folding(gate, "touches", min_width=12)
    folding(gate, "disposition", min_width=12)
    rows: list[tuple[str | None, str]] = [(name, _when(pact, name)) for name in pact.segments]
    if not any(seg.when is None for seg in pact.segments.values()):
        rows.append((None, "no segment matches"))
    for segment, when in rows:
        eff = pact.effective(segment)
        t = eff.touches
        gate.add_row(
            segment or "(pact)",
            when,
            _num(eff.mql.fit),
            _num(eff.mql.engagement),
            f"{t.min} in {t.within_days}d, ≥{t.channels_min} channels",
            f"{eff.disposition.within} after {eff.disposition.after.replace('_', ' ')}",
        )
    out.print(gate)

    tiers = listing(title="First-contact clock per intent tier")
    whole(tiers, "tier")
    folding(tiers, "triggered by", min_width=16)
    folding(tiers, "clock", min_width=16)
    for tier, conditions in pact.intent.tiers.items():
        trigger = ", ".join(
            c.kind + (f" (engagement ≥ {_num(c.min_engagement)})" if c.min_engagement is not None else "")
            for c in conditions
        )
        if tier == "low":
            trigger = ", ".join(filter(None, [trigger, "every other MQL"]))
        tiers.add_row(tier, trigger, _clock(pact.response.tier(tier)))
    out.print(tiers)
    warn = ", ".join(f"{int(f * 100)}%" for f in pact.response.warn_at)
    out.print(f"  warnings at {warn} of each window", highlight=False)
    t = pact.touches
    out.print(
        f"  touches: at least {t.min} over ≥{t.channels_min} channels within {t.within_days} days before a "
        f"disqualify or recycle; exempt: {', '.join(t.exempt_reasons) or 'none'}",
        highlight=False,
    )
    out.print(
        f"  disposition: within {pact.disposition.within} of the {pact.disposition.after.replace('_', ' ')}",
        highlight=False,
    )

    reasons = listing(title="Reasons → what marketing does")
    whole(reasons, "reason")
    folding(reasons, "action", min_width=16, ratio=None)
    for code, action in pact.reasons.items():
        reasons.add_row(code, action)
    out.print(reasons)
    share = int(round(pact.feedback.reason_alert_share * 100))
    out.print(
        f"  a reason is flagged above {share}% of a month's rejections "
        f"(with at least {pact.feedback.min_rejections} of them)",
        highlight=False,
    )
    line = _waterfall_line(pact)
    if line is not None:
        out.print(f"[bold]Waterfall:[/bold] {_escape(line)}", highlight=False)
    active = sum(1 for rep in roster.reps if rep.active)
    out.print(
        f"[green]✓[/green] {_escape(str(team_file))} is valid: {len(roster.teams)} teams, "
        f"{len(roster.reps)} reps ({active} active), {len(roster.routing.rules)} routing rules",
        highlight=False,
    )
    if warnings:
        out.print(_marked(warnings, "[yellow]![/yellow]"))


def _when(pact: Pact, name: str) -> str:
    cond = pact.segments[name].when
    return "every lead" if cond is None else condition_text(cond)
