"""The revenue-to-lead waterfall, the source mix, sensitivity, period targets and pace (DESIGN.md §5).

Everything is exact (``fractions.Fraction``): a rate written ``0.3`` is 3/10, never the binary
float nearest to it. Only the counts shown are rounded, and always up (1,066.67 MQLs -> 1,067).
All amounts of the waterfall are per quarter; a month is a third of a quarter, a year four.
Pure: no I/O, no clock; the business calendar comes in as a function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from leadpact.domain.periods import Period, is_closed, month_slices

Per = Literal["quarter", "month", "year"]
Number = Fraction | Decimal | int | float | str

#: What one `per` is in quarters: revenue per quarter = revenue × this.
QUARTERS_PER: dict[str, Fraction] = {"quarter": Fraction(1), "month": Fraction(3), "year": Fraction(1, 4)}
MONTHS_PER_QUARTER = 3
#: The inputs a history, a flag or a sensitivity run can replace; the order of the waterfall.
RATE_NAMES: tuple[str, ...] = ("marketing_share", "close", "avg_deal", "sql_to_opp", "mql_to_sql")
_PROBABILITIES = frozenset({"marketing_share", "close", "sql_to_opp", "mql_to_sql"})


def exact(value: Number) -> Fraction:
    """An exact rational from a number as written: ``"0.3"``, ``0.3``, ``"30%"``, ``"2,000,000"``.

    A float is read through its shortest decimal repr, so ``0.3`` is 3/10 (what was typed),
    not 5404319552844595/18014398509481984 (what the binary float holds).
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return Fraction(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return Fraction(value)
    text = value.strip().replace(",", "").replace("_", "")
    scale = Fraction(1)
    if text.endswith("%"):
        text, scale = text[:-1].strip(), Fraction(1, 100)
    try:
        return Fraction(text) * scale
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"{value!r} is not a number (write 0.25, 25% or 2000000)") from exc


def _check(name: str, value: Fraction) -> Fraction:
    if name in _PROBABILITIES:
        low_ok = value >= 0 if name == "marketing_share" else value > 0
        if not (low_ok and value <= 1):
            bound = "from 0" if name == "marketing_share" else "above 0"
            raise ValueError(f"{name} {float(value):g} must be {bound} and at most 1")
    elif value <= 0:
        raise ValueError(f"{name} {float(value):g} must be above 0")
    return value


@dataclass(frozen=True)
class PlanInputs:
    """Revenue per ``per`` and the rates of the waterfall, exact and checked."""

    revenue: Fraction
    marketing_share: Fraction
    close: Fraction
    avg_deal: Fraction
    sql_to_opp: Fraction
    mql_to_sql: Fraction
    per: Per = "quarter"

    @classmethod
    def of(
        cls,
        *,
        revenue: Number,
        marketing_share: Number,
        close: Number,
        avg_deal: Number,
        sql_to_opp: Number,
        mql_to_sql: Number,
        per: str = "quarter",
    ) -> PlanInputs:
        """Convert and check: rates in (0, 1] (the share in [0, 1]), deal size above 0."""
        if per not in QUARTERS_PER:
            raise ValueError(f"per {per!r} is not one of quarter, month, year")
        rev = exact(revenue)
        if rev < 0:
            raise ValueError(f"revenue {float(rev):g} must not be negative")
        values = {
            "marketing_share": marketing_share,
            "close": close,
            "avg_deal": avg_deal,
            "sql_to_opp": sql_to_opp,
            "mql_to_sql": mql_to_sql,
        }
        checked = {name: _check(name, exact(v)) for name, v in values.items()}
        return cls(revenue=rev, per=per, **checked)  # type: ignore[arg-type]

    def rate(self, name: str) -> Fraction:
        if name not in RATE_NAMES:
            raise ValueError(f"unknown rate {name!r}; the rates are {', '.join(RATE_NAMES)}")
        value: Fraction = getattr(self, name)
        return value

    def with_rates(self, overrides: Mapping[str, Number]) -> PlanInputs:
        """These inputs with some rates replaced (from flags or from history), checked."""
        unknown = sorted(set(overrides) - set(RATE_NAMES))
        if unknown:
            raise ValueError(f"unknown rate {', '.join(unknown)}; the rates are {', '.join(RATE_NAMES)}")
        changes = {name: _check(name, exact(v)) for name, v in overrides.items()}
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def revenue_per_quarter(self) -> Fraction:
        return self.revenue * QUARTERS_PER[self.per]


@dataclass(frozen=True)
class Waterfall:
    """Each step of the waterfall, per quarter, exact."""

    inputs: PlanInputs
    revenue: Fraction
    marketing_revenue: Fraction
    pipeline: Fraction
    opportunities: Fraction
    sqls: Fraction
    mqls: Fraction

    @property
    def month_target(self) -> Fraction:
        """The MQL target of one calendar month: a third of the quarter's, exact (355.55...)."""
        return self.mqls / MONTHS_PER_QUARTER

    @property
    def mqls_per_quarter(self) -> int:
        return math.ceil(self.mqls)

    @property
    def mqls_per_month(self) -> int:
        return math.ceil(self.month_target)


def waterfall(inputs: PlanInputs, rates_override: Mapping[str, Number] | None = None) -> Waterfall:
    """Revenue × share = marketing revenue ÷ close = pipeline ÷ deal = opportunities ÷ sql_to_opp
    = SQLs ÷ mql_to_sql = MQLs, per quarter. ``rates_override`` (say, measured rates from history)
    replaces any of ``RATE_NAMES``."""
    if rates_override:
        inputs = inputs.with_rates(rates_override)
    revenue = inputs.revenue_per_quarter
    marketing = revenue * inputs.marketing_share
    pipeline = marketing / inputs.close
    opportunities = pipeline / inputs.avg_deal
    sqls = opportunities / inputs.sql_to_opp
    mqls = sqls / inputs.mql_to_sql
    return Waterfall(inputs, revenue, marketing, pipeline, opportunities, sqls, mqls)


def mqls_for(inputs: PlanInputs) -> Fraction:
    """MQLs a quarter for these inputs."""
    return waterfall(inputs).mqls


# --- the source mix -------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceLine:
    source: str
    share: Fraction  # as planned in targets.sources
    weight: Fraction  # the share normalised so the mix sums to 1
    rate: Fraction  # MQL->SQL of the source
    rate_from: Literal["source_rates", "mql_to_sql"]  # the pact's blended rate when the source has none
    mqls: Fraction  # planned MQLs a quarter
    sqls: Fraction  # the SQLs they are expected to give


@dataclass(frozen=True)
class SourceMix:
    """What the planned mix needs: SQLs ÷ Σ(share × rate) MQLs, against the pact's blended rate."""

    lines: tuple[SourceLine, ...]
    share_total: Fraction
    blended_rate: Fraction  # Σ(weight × rate): the mix's MQL->SQL rate
    pact_rate: Fraction
    mqls: Fraction  # MQLs a quarter the mix needs for the waterfall's SQLs
    pact_mqls: Fraction  # MQLs a quarter at the pact's blended rate
    unplanned_rates: tuple[str, ...]  # sources with a rate and no share

    @property
    def difference(self) -> Fraction:
        """How many more MQLs a quarter the mix needs than the pact's rate says (negative: fewer)."""
        return self.mqls - self.pact_mqls


def source_mix(
    plan: Waterfall, shares: Mapping[str, Number], rates: Mapping[str, Number]
) -> SourceMix | None:
    """Break the waterfall's SQLs down by the planned MQL mix; None when no mix is planned.

    When the shares do not sum to 1 they are normalised (and ``share_total`` says so), so the
    planned MQLs always add up to the total and their expected SQLs to the waterfall's SQLs.
    Pass measured per-source rates as ``rates`` to plan from history.
    """
    planned = {name: exact(v) for name, v in shares.items()}
    for name, value in planned.items():
        if value < 0:
            raise ValueError(f"the share of {name} must not be negative")
    total_share = sum(planned.values(), Fraction(0))
    if not planned or total_share == 0:
        return None
    source_rates = {name: exact(v) for name, v in rates.items()}
    for name, value in source_rates.items():
        if not 0 <= value <= 1:
            raise ValueError(f"the MQL->SQL rate of {name} must be from 0 to 1")
    pact_rate = plan.inputs.mql_to_sql
    weights = {name: share / total_share for name, share in planned.items()}
    blended = sum(
        (w * source_rates.get(name, pact_rate) for name, w in weights.items()),
        Fraction(0),
    )
    if blended == 0:
        raise ValueError("every planned source has an MQL->SQL rate of 0: no mix can reach the SQLs")
    total = plan.sqls / blended
    lines = tuple(
        SourceLine(
            source=name,
            share=planned[name],
            weight=w,
            rate=source_rates.get(name, pact_rate),
            rate_from="source_rates" if name in source_rates else "mql_to_sql",
            mqls=total * w,
            sqls=total * w * source_rates.get(name, pact_rate),
        )
        for name, w in weights.items()
    )
    unplanned = tuple(sorted(set(source_rates) - set(planned)))
    return SourceMix(lines, total_share, blended, pact_rate, total, plan.mqls, unplanned)


# --- sensitivity ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    """The MQL target with one input moved ±step (a probability is capped at 1)."""

    name: str
    base: Fraction
    low: Fraction
    high: Fraction
    mqls: Fraction  # a quarter, at base
    mqls_low: Fraction
    mqls_high: Fraction

    @property
    def elasticity(self) -> Fraction | None:
        """Arc elasticity over the span: (ΔMQLs ÷ MQLs) ÷ (Δinput ÷ input); about -1.0101 for a
        divisor of the waterfall at ±10%, +1 for the marketing share. None without a span."""
        if self.mqls == 0 or self.high == self.low or self.base == 0:
            return None
        return ((self.mqls_high - self.mqls_low) / self.mqls) / ((self.high - self.low) / self.base)


def sensitivity(inputs: PlanInputs, step: Number = "0.1") -> tuple[Sensitivity, ...]:
    """For each of ``RATE_NAMES`` the MQLs a quarter at (1 - step) and (1 + step) of it."""
    move = exact(step)
    if not 0 < move < 1:
        raise ValueError(f"a sensitivity step is between 0 and 1, not {float(move):g}")
    base_mqls = mqls_for(inputs)
    out = []
    for name in RATE_NAMES:
        base = inputs.rate(name)
        low, high = base * (1 - move), base * (1 + move)
        if name in _PROBABILITIES:
            high = min(high, Fraction(1))
        out.append(
            Sensitivity(
                name,
                base,
                low,
                high,
                base_mqls,
                mqls_for(inputs.with_rates({name: low})),
                mqls_for(inputs.with_rates({name: high})),
            )
        )
    return tuple(out)


# --- targets and pace -----------------------------------------------------------------------

BusinessDays = Callable[[date, date], int]
"""Business days in the local days [start, end) — ``BusinessCalendar.business_days_between``."""
BusinessBetween = Callable[[datetime, datetime], timedelta]
"""Business time between two instants — ``BusinessCalendar.business_between``."""


def target_for(period: Period, month_target: Fraction, business_days: BusinessDays) -> Fraction:
    """A period's target from the month target (DESIGN.md §5): a whole month is the month target;
    a part of a month gets the month target ÷ that month's business days for each of its business
    days. A quarter is 3 month targets, a year 12, a week across two months a share of each."""
    total = Fraction(0)
    one_day = timedelta(days=1)
    for month, first, last in month_slices(period):
        if first == month.first_day and last == month.last_day:
            total += month_target
            continue
        in_month = business_days(month.first_day, month.last_day + one_day)
        if in_month > 0:
            total += month_target * Fraction(business_days(first, last + one_day), in_month)
    return total


def mql_target(period: Period, plan: Waterfall, business_days: BusinessDays) -> Fraction:
    """The MQL target of a period, exact (355.55... for a month of the seed waterfall)."""
    return target_for(period, plan.month_target, business_days)


def elapsed_share(period: Period, as_of: datetime, business_between: BusinessBetween) -> Fraction | None:
    """Business time elapsed ÷ business time in the period; 1 once closed, 0 before it starts;
    None for an open period with no business time in it."""
    if is_closed(period, as_of):
        return Fraction(1)
    if as_of <= period.start:
        return Fraction(0)
    micro = timedelta(microseconds=1)
    whole = business_between(period.start, period.end) // micro
    if whole <= 0:
        return None
    return Fraction(business_between(period.start, as_of) // micro, whole)


@dataclass(frozen=True)
class Pace:
    """``mql_pace`` = count ÷ (target × elapsed share); ``projected`` = count ÷ elapsed share.
    Unrounded; None where the denominator is zero (or unknown)."""

    mql_pace: float | None
    projected: float | None


def pace(count: int, target: Number, elapsed: Number | None) -> Pace:
    if elapsed is None:
        return Pace(None, None)
    share = exact(elapsed)
    expected = exact(target) * share
    return Pace(
        float(Fraction(count) / expected) if expected != 0 else None,
        float(Fraction(count) / share) if share != 0 else None,
    )
