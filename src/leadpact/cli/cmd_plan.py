"""``leadpact plan``: the revenue-to-lead waterfall of the pact (DESIGN.md §5, §7).

Every input comes from the pact's ``targets`` and can be replaced by a flag. Amounts are per
quarter; counts are rounded up for show, and the JSON keeps the exact values under ``exact``
(floats of the exact fractions, and the fractions themselves as "p/q" strings under
``exact.fractions`` for the waterfall's steps).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from leadpact.cli.app import app
from leadpact.cli.common import (
    DbOption,
    JsonOption,
    PactOption,
    console,
    db_url,
    err_console,
    fail,
    pact_path,
    print_json,
)
from leadpact.domain.calendar import BusinessCalendar
from leadpact.domain.periods import Period, parse_period, period_containing, previous
from leadpact.domain.planning import (
    BusinessDays,
    PlanInputs,
    Sensitivity,
    SourceMix,
    Waterfall,
    exact,
    mql_target,
    sensitivity,
    source_mix,
    waterfall,
)
from leadpact.domain.timeutil import iso_utc
from leadpact.pact import Pact, PactError, load_pact
from leadpact.services.metrics import metrics, plan_inputs
from leadpact.services.plan import FLAG_RATES, num, plan_document

LABELS = {
    "marketing_share": "marketing share",
    "close": "close rate",
    "avg_deal": "average deal",
    "sql_to_opp": "SQL→opp",
    "mql_to_sql": "MQL→SQL",
}


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
        _show_history(history, origins)
    _show(plan, mix, sens, window, target)


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


@dataclass
class History:
    """What ``--from-history`` measured over the closed months before ``as_of``."""

    period: Period
    months: int
    as_of: datetime
    rates: dict[str, Fraction] = field(default_factory=dict)  # usable waterfall rates
    kept: dict[str, str] = field(default_factory=dict)  # rate -> why the pact's value stays
    sources: dict[str, Fraction] = field(default_factory=dict)  # MQL->SQL by source
    measured: dict[str, float | None] = field(default_factory=dict)  # every rate as measured
    counts: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "start": iso_utc(self.period.start),
            "end": iso_utc(self.period.end),
            "months": self.months,
            "as_of": iso_utc(self.as_of),
            "measured": dict(self.measured),
            "by_source": {name: num(rate) for name, rate in self.sources.items()},
            "counts": dict(self.counts),
        }


def history_window(tz: str, as_of: datetime, months: int) -> Period:
    """The ``months`` whole calendar months (in the pact's time zone) that closed before ``as_of``'s month."""
    last = previous(period_containing("month", as_of, tz))
    first = last
    for _ in range(months - 1):
        first = previous(first)
    return parse_period(_range_text(first, last), tz)


def _range_text(first: Period, last: Period) -> str:
    return f"{first.first_day.isoformat()}..{last.last_day.isoformat()}"


def _measured(rate: float) -> Fraction:
    """A measured rate k/n back as the exact fraction (the nearest with a denominator up to 10**7)."""
    return Fraction(rate).limit_denominator(10**7)


def _history_rates(
    pact_option: Path | None, db: str | None, months: int, as_of_text: str | None, inputs: PlanInputs
) -> History:
    """For ``--from-history``: the rates the metrics engine measures over the last ``months`` closed months:
    MQL->SQL (by MQL instant), SQL->opp (by SQL instant), close = customers ÷ opportunities, the average deal
    = won revenue ÷ customers (each dated by its own instant, DESIGN.md §5), and MQL->SQL per source. A rate
    with no data, or one the waterfall cannot take (a rate of 0), keeps the pact's value, and ``kept`` says
    why."""
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
    window = history_window(ctx.pact.timezone, now, months)
    try:
        doc = metrics(ctx.engine, ctx.pact, ctx.rules, _range_text(window, window), as_of=now)
    finally:
        ctx.engine.dispose()

    customers, opportunities = int(doc["customers"]), int(doc["opportunities"])
    won = float(doc["revenue"]["total"])
    candidates: dict[str, Fraction | None] = {
        "mql_to_sql": None if doc["mql_to_sql"] is None else _measured(doc["mql_to_sql"]),
        "sql_to_opp": None if doc["sql_to_opp"] is None else _measured(doc["sql_to_opp"]),
        "close": Fraction(customers, opportunities) if opportunities else None,
        "avg_deal": exact(won) / customers if customers and won > 0 else None,
    }
    history = History(
        period=window,
        months=months,
        as_of=now,
        measured={name: None if v is None else float(v) for name, v in candidates.items()},
        counts={
            "mqls": doc["mql_count"],
            "opportunities": opportunities,
            "customers": customers,
            "won_revenue": won,
        },
    )
    for name, value in candidates.items():
        if value is None:
            history.kept[name] = "pact (no history)"
            continue
        try:
            inputs.with_rates({name: value})
        except ValueError:
            history.kept[name] = f"pact (history {float(value):g} unusable)"
            continue
        history.rates[name] = value
    for source, entry in doc["by_source"].items():
        if source != "(none)" and entry.get("mql_to_sql") is not None:
            history.sources[source] = _measured(entry["mql_to_sql"])
    return history


def _business_days(pact: Pact) -> BusinessDays:
    return BusinessCalendar(pact.calendar_spec("default")).business_days_between


# --- the human view ---------------------------------------------------------------------------


def _amount(value: Fraction) -> str:
    """2,000,000, or 2,000,000.50 when not whole."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}"


def _count(value: Fraction) -> str:
    return f"{math.ceil(value):,}"


def _pct(value: Fraction) -> str:
    text = f"{float(value * 100):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _two(value: Fraction) -> str:
    return f"{float(value):,.2f}"


def _per_rule(inputs: PlanInputs) -> str:
    if inputs.per == "month":
        return f"{_amount(inputs.revenue)} a month × 3"
    if inputs.per == "year":
        return f"{_amount(inputs.revenue)} a year ÷ 4"
    return "new ARR a quarter"


def sentence(plan: Waterfall) -> str:
    """The seed's sentence: 2,000,000 × 50% = 1,000,000 from marketing ÷ 25% close = ..."""
    inputs = plan.inputs
    head = ""
    if inputs.per == "month":
        head = f"{_amount(inputs.revenue)} a month × 3 = "
    elif inputs.per == "year":
        head = f"{_amount(inputs.revenue)} a year ÷ 4 = "
    quarter = "" if inputs.per == "quarter" else " a quarter"
    return (
        f"{head}{_amount(plan.revenue)}{quarter} × {_pct(inputs.marketing_share)} = "
        f"{_amount(plan.marketing_revenue)} from marketing ÷ {_pct(inputs.close)} close = "
        f"{_amount(plan.pipeline)} pipeline ÷ {_amount(inputs.avg_deal)} = "
        f"{_count(plan.opportunities)} opportunities ÷ {_pct(inputs.sql_to_opp)} = "
        f"{_count(plan.sqls)} SQLs ÷ {_pct(inputs.mql_to_sql)} = "
        f"{plan.mqls_per_quarter:,} MQLs a quarter, {plan.mqls_per_month:,} a month"
    )


def _show_history(history: History, origins: Mapping[str, str]) -> None:
    window = history.period
    console.print(
        f"Rates from history: {history.months} closed month(s), {window.first_day}..{window.last_day} "
        f"({history.counts['mqls']:,} MQLs, {history.counts['opportunities']:,} opportunities, "
        f"{history.counts['customers']:,} customers).",
        highlight=False,
    )
    for name in ("mql_to_sql", "sql_to_opp", "close", "avg_deal"):
        measured = history.measured.get(name)
        shown = (
            "no data"
            if measured is None
            else (f"{measured:,.2f}" if name == "avg_deal" else _pct(exact(measured)))
        )
        console.print(f"  {LABELS[name]}: measured {shown}; planned from {origins[name]}", highlight=False)


def _show(
    plan: Waterfall,
    mix: SourceMix | None,
    sens: tuple[Sensitivity, ...],
    period: Period | None,
    target: Fraction | None,
) -> None:
    inputs = plan.inputs
    console.print(sentence(plan), highlight=False)

    steps = Table(title="Waterfall (per quarter; counts rounded up)", title_justify="left")
    for column in ("step", "rule", "a quarter", "a month", "exact"):
        steps.add_column(column, justify="left" if column in ("step", "rule") else "right")
    rows = [
        ("New revenue", _per_rule(inputs), plan.revenue, False),
        ("Marketing", f"× {_pct(inputs.marketing_share)} share", plan.marketing_revenue, False),
        ("Pipeline", f"÷ {_pct(inputs.close)} close rate", plan.pipeline, False),
        ("Opportunities", f"÷ {_amount(inputs.avg_deal)} a deal", plan.opportunities, True),
        ("SQLs", f"÷ {_pct(inputs.sql_to_opp)} SQL→opp", plan.sqls, True),
        ("MQLs", f"÷ {_pct(inputs.mql_to_sql)} MQL→SQL", plan.mqls, True),
    ]
    for name, rule, value, is_count in rows:
        month = value / 3
        shown = (_count(value), _count(month)) if is_count else (_amount(value), _amount(month))
        steps.add_row(name, rule, *shown, _two(value))
    console.print(steps)

    if mix is not None:
        table = Table(title="Planned MQL mix (targets.sources × targets.source_rates)", title_justify="left")
        for column in ("source", "share", "MQL→SQL", "MQLs a quarter", "a month", "SQLs a quarter"):
            table.add_column(column, justify="left" if column == "source" else "right")
        for line in mix.lines:
            rate = _pct(line.rate) + ("" if line.rate_from == "source_rates" else " (pact)")
            table.add_row(
                line.source, _pct(line.share), rate, _count(line.mqls), _count(line.mqls / 3), _two(line.sqls)
            )
        console.print(table)
        diff = math.ceil(mix.mqls) - plan.mqls_per_quarter
        more = f"{diff:,} more than" if diff > 0 else (f"{-diff:,} fewer than" if diff < 0 else "the same as")
        console.print(
            f"The planned mix converts at {_pct(mix.blended_rate)} against the pact's {_pct(mix.pact_rate)}: "
            f"it needs {_count(mix.mqls)} MQLs a quarter ({_count(mix.mqls / 3)} a month), {more} the "
            f"waterfall's {plan.mqls_per_quarter:,}.",
            highlight=False,
        )
        if mix.share_total != 1:
            console.print(
                f"[yellow]The shares sum to {_pct(mix.share_total)}; "
                "they are read as parts of the whole.[/yellow]"
            )

    table = Table(title="Sensitivity: MQLs a month with one input 10% lower / higher", title_justify="left")
    for column in ("input", "value", "−10%", "MQLs/month", "+10%", "MQLs/month ", "elasticity"):
        table.add_column(column, justify="left" if column == "input" else "right")
    for row in sens:
        show = _amount if row.name == "avg_deal" else _pct
        table.add_row(
            LABELS[row.name],
            show(row.base),
            show(row.low),
            _count(row.mqls_low / 3),
            show(row.high),
            _count(row.mqls_high / 3),
            "—" if row.elasticity is None else f"{float(row.elasticity):+.2f}",
        )
    console.print(table)

    if period is not None and target is not None:
        console.print(
            f"MQL target for {period.label} ({period.first_day} .. {period.last_day}): {_two(target)}",
            highlight=False,
        )
