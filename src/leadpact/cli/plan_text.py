"""``leadpact plan`` as people read it: the seed's sentence, the waterfall, the mix, the sensitivity."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

from leadpact.cli.common import console
from leadpact.cli.render import Times, listing, whole
from leadpact.domain.periods import Period
from leadpact.domain.planning import PlanInputs, Sensitivity, SourceMix, Waterfall, exact

if TYPE_CHECKING:
    from leadpact.services.plan import History

LABELS = {
    "marketing_share": "marketing share",
    "close": "close rate",
    "avg_deal": "average deal",
    "sql_to_opp": "SQL→opp",
    "mql_to_sql": "MQL→SQL",
}


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


def show_history(history: History, origins: Mapping[str, str], zone: str) -> None:
    window = history.period
    console.print(
        f"Rates from history: {history.months} closed month(s), {window.first_day}..{window.last_day} "
        f"({history.counts['mqls']:,} MQLs, {history.counts['opportunities']:,} opportunities, "
        f"{history.counts['customers']:,} customers), as of {Times(zone).text(history.as_of)}.",
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


def show_plan(
    plan: Waterfall,
    mix: SourceMix | None,
    sens: tuple[Sensitivity, ...],
    period: Period | None,
    target: Fraction | None,
) -> None:
    inputs = plan.inputs
    console.print(sentence(plan), highlight=False)

    steps = listing(title="Waterfall (per quarter; counts rounded up)")
    whole(steps, "step", "rule")
    whole(steps, "a quarter", "a month", "exact", justify="right")
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
        table = listing(title="Planned MQL mix (targets.sources × targets.source_rates)")
        whole(table, "source")
        whole(table, "share", "MQL→SQL", "MQLs a quarter", "a month", "SQLs a quarter", justify="right")
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

    table = listing(title="Sensitivity: MQLs a month with one input 10% lower / higher")
    whole(table, "input")
    whole(table, "value", "−10%", "MQLs/month", "+10%", "MQLs/month ", "elasticity", justify="right")
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
