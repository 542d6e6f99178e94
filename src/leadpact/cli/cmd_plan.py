"""``leadpact plan``: the revenue-to-lead waterfall of the pact (DESIGN.md §5, §7).

Every input comes from the pact's ``targets`` and can be replaced by a flag. Amounts are per
quarter; counts are rounded up for show, and the JSON keeps the exact values under ``exact``
(floats of the exact fractions, and the fractions themselves as "p/q" strings under
``exact.fractions`` for the waterfall's steps).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import typer

from leadpact.cli.app import app
from leadpact.cli.common import (
    DbOption,
    JsonOption,
    PactOption,
    db_url,
    err_console,
    fail,
    pact_path,
    print_json,
)
from leadpact.cli.plan_text import show_history, show_plan
from leadpact.domain.calendar.business import BusinessCalendar
from leadpact.domain.periods import Period, parse_period
from leadpact.domain.planning import (
    BusinessDays,
    PlanInputs,
    exact,
    mql_target,
    sensitivity,
    source_mix,
    waterfall,
)
from leadpact.pact import Pact, PactError, load_pact
from leadpact.services.metrics import plan_inputs
from leadpact.services.plan import FLAG_RATES, History, measure_history, plan_document


class PerChoice(StrEnum):
    quarter = "quarter"
    month = "month"
    year = "year"


PerOption = typer.Option(None, "--per", help="What the revenue is per (else the pact's targets.revenue.per).")


@app.command("plan")
def plan_command(
    pact: Path | None = PactOption,
    revenue: str | None = typer.Option(None, "--revenue", help="New ARR target per --per (2000000)."),
    marketing_share: str | None = typer.Option(
        None, "--marketing-share", help="Marketing's share of new revenue (0.5 or 50%)."
    ),
    close_rate: str | None = typer.Option(None, "--close-rate", help="Opportunity close rate (0.25)."),
    deal_size: str | None = typer.Option(None, "--deal-size", help="Average deal size (25000)."),
    sql_to_opp: str | None = typer.Option(None, "--sql-to-opp", help="SQL to opportunity rate (0.5)."),
    mql_to_sql: str | None = typer.Option(None, "--mql-to-sql", help="MQL to SQL rate (0.3)."),
    per: PerChoice | None = PerOption,
    period: str | None = typer.Option(
        None,
        "--period",
        help="Also the exact MQL target of a period: 2026-03, 2026-W10, 2026-Q1, 2026, a..b.",
    ),
    from_history: bool = typer.Option(
        False, "--from-history", help="Use the conversion rates measured in the store instead of the pact's."
    ),
    history_months: int = typer.Option(
        6, "--history-months", min=1, help="With --from-history: how many closed months to measure."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="With --from-history: measure the closed months before this instant (else now)."
    ),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """The revenue-to-lead waterfall: revenue -> pipeline -> opportunities -> SQLs -> MQLs."""
    loaded = _load(pact_path(pact))
    targets = loaded.targets

    flags = {
        "--marketing-share": marketing_share,
        "--close-rate": close_rate,
        "--deal-size": deal_size,
        "--sql-to-opp": sql_to_opp,
        "--mql-to-sql": mql_to_sql,
    }
    origins = {name: "pact" for name in ("revenue", "per", *FLAG_RATES.values())}
    try:
        inputs = plan_inputs(
            loaded,
            revenue=_number("--revenue", revenue) if revenue is not None else None,
            per=per.value if per is not None else None,
        )
    except ValueError as exc:
        fail(f"the pact's targets: {exc}", 1)
    if revenue is not None:
        origins["revenue"] = "flag"
    if per is not None:
        origins["per"] = "flag"

    source_rates: Mapping[str, Any] = dict(targets.source_rates)
    history: History | None = None
    if from_history:
        history = _history_rates(pact, db, history_months, as_of, inputs)
        inputs = _apply(inputs, history.rates, "history", origins)
        origins.update(history.kept)
        source_rates = {**source_rates, **history.sources}
        for source in sorted({*targets.sources, *history.sources}):
            origins[f"source_rates.{source}"] = (
                "history" if source in history.sources else "pact (no history)"
            )
    overrides = {FLAG_RATES[flag]: _number(flag, text) for flag, text in flags.items() if text is not None}
    inputs = _apply(inputs, overrides, "flag", origins)

    plan = waterfall(inputs)
    try:
        mix = source_mix(plan, dict(targets.sources), source_rates)
    except ValueError as exc:
        fail(f"targets.sources: {exc}", 1)
    sens = sensitivity(inputs)

    target: Fraction | None = None
    window: Period | None = None
    if period is not None:
        try:
            window = parse_period(period, loaded.timezone)
        except ValueError as exc:
            fail(f"--period: {exc}", 2)
        target = mql_target(window, plan, _business_days(loaded))

    if as_json:
        doc = plan_document(plan, mix, sens, origins, window, target)
        if history is not None:
            doc["history"] = history.document()
        print_json(doc)
        return
    if history is not None:
        show_history(history, origins, loaded.timezone)
    show_plan(plan, mix, sens, window, target)


# --- inputs -----------------------------------------------------------------------------------


def _load(path: Path) -> Pact:
    try:
        return load_pact(path)
    except PactError as exc:
        if len(exc.issues) == 1:
            fail(exc.issues[0].located(), 1)
        for issue in exc.issues:
            err_console.print(f"  {issue.located()}", highlight=False, markup=False)
        fail(f"{len(exc.issues)} problems in {path}", 1)


def _number(flag: str, text: str) -> Fraction:
    try:
        return exact(text)
    except ValueError as exc:
        fail(f"{flag}: {exc}", 2)


def _apply(inputs: PlanInputs, rates: Mapping[str, Any], origin: str, origins: dict[str, str]) -> PlanInputs:
    if not rates:
        return inputs
    try:
        changed = inputs.with_rates(rates)
    except ValueError as exc:
        names = {v: k for k, v in FLAG_RATES.items()}
        where = ", ".join(names.get(r, r) for r in rates) if origin == "flag" else "history"
        fail(f"{where}: {exc}", 2 if origin == "flag" else 1)
    for name in rates:
        origins[name] = origin
    return changed


def _history_rates(
    pact_option: Path | None, db: str | None, months: int, as_of_text: str | None, inputs: PlanInputs
) -> History:
    """For ``--from-history``: the rates measured over the store (`services.plan.measure_history`)."""
    from leadpact.cli.context import as_of_or_now, open_context

    url = db_url(db, pact_path(pact_option))
    local = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and local != ":memory:" and not Path(local).exists():
        fail(
            "--from-history measures the rates with the metrics engine over the store, and there is no "
            f"store at {url}: ingest events first (leadpact ingest), or pass --db",
            2,
        )
    ctx = open_context(pact_option, db)
    now = as_of_or_now(as_of_text)
    try:
        return measure_history(ctx, months=months, as_of=now, inputs=inputs)
    finally:
        ctx.engine.dispose()


def _business_days(pact: Pact) -> BusinessDays:
    return BusinessCalendar(pact.calendar_spec("default")).business_days_between
