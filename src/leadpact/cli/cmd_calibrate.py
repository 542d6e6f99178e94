"""`leadpact calibrate sample|record|report`: the monthly calibration of the scoring by both teams (DESIGN.md
§13) — a seeded sample sheet, each team's independent verdicts, and how far they agree."""

from __future__ import annotations

import csv
import io
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from leadpact.cli.app import app
from leadpact.cli.common import DbOption, JsonOption, PactOption, console, err_console, fail, print_json
from leadpact.cli.context import as_of_or_now, now_utc, open_context
from leadpact.cli.render import folding, listing, whole

calibrate_app = typer.Typer(
    help="Calibrate the scoring: sample, record both teams' verdicts, report, suggest."
)
app.add_typer(calibrate_app, name="calibrate")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _sheet_csv(sheet: list[dict[str, Any]]) -> str:
    from leadpact.services.calibration import SHEET_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SHEET_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(sheet)
    return out.getvalue()


OutOption = typer.Option(None, "--out", help="Write the sheet (CSV) here; else print it.")


@calibrate_app.command("sample")
def sample_command(
    size: int = typer.Option(25, "--size", min=1, max=1000, help="How many handoffs (the seed says 20-30)."),
    period: str | None = typer.Option(
        None, "--period", help="Handoffs of this period (default: last month)."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed draws the same sheet."),
    out: Path | None = OutOption,
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Start a session: a seeded sample of handoffs stratified by score band and outcome, as a CSV sheet each
    team fills in on its own (marketing, sales: yes or no — should this have been an MQL?)."""
    from leadpact.domain.periods import parse_period, period_containing, previous
    from leadpact.services.calibration import CalibrationError, sample

    ctx = open_context(pact, db)
    now = as_of_or_now(as_of)
    tz = ctx.pact.timezone
    try:
        chosen = parse_period(period, tz) if period else previous(period_containing("month", now, tz))
    except ValueError as exc:
        fail(f"--period: {exc}", 2)
    try:
        result = sample(ctx.engine, chosen, now=now, size=size, seed=seed)
    except CalibrationError as exc:
        fail(str(exc))
    text = _sheet_csv(result["sheet"])
    if out is not None:
        out.write_text(text, encoding="utf-8")
    if as_json:
        print_json(result)
        return
    if out is None:
        sys.stdout.write(text)
        return
    console.print(
        f"session {result['session']}: {result['size']} of {result['handoffs']:,} MQLs of {result['period']} "
        f"(seed {seed}) written to {out}; each team fills its column with yes or no, then "
        f"`leadpact calibrate record {out}`",
        highlight=False,
    )


@calibrate_app.command("record")
def record_command(
    target: str = typer.Argument(..., help="A filled sheet (CSV), or a session number with LEAD."),
    lead: str | None = typer.Argument(None, help="The lead judged (with a session number)."),
    team: str | None = typer.Option(None, "--team", help="marketing or sales."),
    said: str | None = typer.Option(None, "--verdict", help="yes or no (good or bad)."),
    handoff: int | None = typer.Option(
        None, "--handoff", help="Which of the lead's handoffs (default: all)."
    ),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Store verdicts: a filled sheet (`record FILE`), or one (`record SESSION LEAD --team T --verdict V`)."""
    from leadpact.services.calibration import CalibrationError, record, record_sheet

    ctx = open_context(pact, db)
    try:
        if lead is None:
            path = Path(target)
            if not path.is_file():
                fail(f"{target}: no such sheet (or give a session number and a lead)")
            with path.open("rb") as stream:
                result = record_sheet(ctx.engine, stream, now=now_utc()).to_json()
        else:
            if team is None or said is None:
                fail("record SESSION LEAD needs --team marketing|sales and --verdict yes|no", 2)
            if not target.isdigit():
                fail(f"{target!r} is not a session number", 2)
            result = record(ctx.engine, int(target), lead, team=team, said=said, now=now_utc(), n=handoff)
    except CalibrationError as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
    elif lead is not None:
        console.print(
            f"session {result['session']}: {team} says {result['verdict']} on {lead}", highlight=False
        )
    else:
        rec = result["recorded"]
        where = "no session of the store" if result["session"] is None else f"session {result['session']}"
        console.print(
            f"{where}: {rec['marketing']} marketing and {rec['sales']} sales verdicts recorded",
            highlight=False,
        )
        for r in result["refused"]:
            console.print(f"  line {r['line']}: {r['field']}: {r['reason']}", highlight=False, markup=False)
    if lead is None and result["refused"]:
        raise typer.Exit(1)


@calibrate_app.command("report")
def report_command(
    session: int | None = typer.Argument(None, help="The session (default: the latest)."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Agreement and Cohen's kappa between the teams, their disagreements, and drift by score band."""
    from leadpact.services.calibration import CalibrationError, report

    ctx = open_context(pact, db)
    try:
        r = report(ctx.engine, session)
    except CalibrationError as exc:
        fail(str(exc))
    if as_json:
        print_json(r)
        return
    kappa = "—" if r["kappa"] is None else f"{r['kappa']:.2f}"
    console.print(
        f"[bold]Calibration session {r['session']}[/bold] ({r['period']}, seed {r['seed']}): {r['n']} of "
        f"{r['sampled']} judged by both; agreement {_pct(r['agreement'])}, Cohen's kappa {kappa}",
        highlight=False,
    )
    pending = r["pending"]
    if pending["marketing"] or pending["sales"]:
        console.print(
            f"waiting for {pending['marketing']} marketing and {pending['sales']} sales verdicts",
            highlight=False,
        )
    if r["disagreements"]:
        table = listing(title="Disagreements")
        whole(table, "lead", "band", "mkt", "sales")
        folding(table, "outcome", min_width=8)
        for d in r["disagreements"]:
            table.add_row(d["lead_id"], d["band"], d["marketing"], d["sales"], d["outcome"])
        console.print(table)
    drift = listing(title="Drift by score band (the period's MQLs; verdicts: share of yes)")
    whole(drift, "band")
    whole(drift, "MQLs", "accepted", "SQL", "mkt yes", "sales yes", justify="right")
    for b in r["drift"]["bands"]:
        drift.add_row(
            b["band"],
            f"{b['handoffs']:,}",
            _pct(b["acceptance_rate"]),
            _pct(b["sql_rate"]),
            _pct(b["marketing_yes"]),
            _pct(b["sales_yes"]),
        )
    console.print(drift)
    if r["drift"]["finding"]:
        console.print(f"drift: {r['drift']['finding']}", highlight=False)


def _num(v: float | None, fmt: str = "{:.3f}") -> str:
    return "—" if v is None else fmt.format(v)


def show_suggestion(r: dict[str, Any]) -> None:
    console.print(
        f"[bold]Suggested scoring from {r['period']}[/bold]: {r['mql_handoffs']:,} MQL handoffs of "
        f"{r['leads']:,} leads created",
        highlight=False,
    )
    if not r["fitted"]:
        console.print(f"no suggestion: {r['reason']}", highlight=False)
        return
    auc = r["auc"]
    verdict_line = (
        "the suggestion ranks held-out leads better than today's score"
        if r["beats_today"]
        else "the suggestion does NOT rank held-out leads better than today's score: keep today's"
    )
    console.print(
        f"held-out AUC ({r['held_out']:,} handoffs): today {_num(auc['today'])}, suggested "
        f"{_num(auc['suggested'])} — {verdict_line}",
        highlight=False,
    )
    table = listing(title="Points per rule")
    folding(table, "rule", min_width=20)
    whole(table, "kind")
    whole(table, "today", "suggested", justify="right")
    for rule in r["rules"]:
        mark = "" if rule["evidence"] else " *"
        table.add_row(
            escape(rule["rule"]),
            rule["kind"],
            f"{rule['points_today']:g}",
            f"{rule['points_suggested']:g}{mark}",
        )
    console.print(table)
    if not all(rule["evidence"] for rule in r["rules"]):
        console.print("* no handoff matched the rule: nothing to learn, today's points kept", highlight=False)
    t, p = r["thresholds"], r["predicted"]
    gate = listing(title="Gate and what it would hand off (same leads, same features)")
    whole(gate, "")
    whole(gate, "fit ≥", "engagement ≥", "MQLs", "accepted", "SQL", justify="right")
    for side in ("today", "suggested"):
        gate.add_row(
            side,
            f"{t[side]['fit']:g}",
            f"{t[side]['engagement']:g}",
            f"{p[side]['mql_volume']:,}",
            _pct(p[side]["acceptance_rate"]),
            _pct(p[side]["sql_rate"]),
        )
    console.print(gate)
    if not r["holds_volume"]:
        console.print(
            "no gate of the suggested points keeps today's MQL volume within 10%: this is the nearest",
            highlight=False,
        )


@calibrate_app.command("suggest")
def suggest_command(
    period: str | None = typer.Option(
        None, "--period", help="History to learn from (default: last 12 months)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the held-out split."),
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate at this instant."),
    pact: Path | None = PactOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Points and thresholds from a logistic regression of reaching SQL on the scoring rules, with the
    held-out AUC of today's score and of the suggestion, and the MQL volume and acceptance each would give."""
    from leadpact.domain.periods import parse_period
    from leadpact.services.curve import history_window
    from leadpact.services.suggest import suggest_scoring

    ctx = open_context(pact, db)
    now = as_of_or_now(as_of)
    try:
        chosen = parse_period(period, ctx.pact.timezone) if period else history_window(now, ctx.pact.timezone)
    except ValueError as exc:
        fail(f"--period: {exc}", 2)
    with (
        err_console.status(f"learning from {chosen.label}", spinner="dots") if not as_json else nullcontext()
    ):
        result = suggest_scoring(ctx, chosen, as_of=now, seed=seed)
    if as_json:
        print_json(result)
    else:
        show_suggestion(result)
