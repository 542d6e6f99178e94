"""How every surface for people writes numbers and times: the dashboard's pages (`web.formatting` makes these
Jinja filters) and the reports and one-page SLA (`leadpact.reports`) say a number the same way.

Rates are percentages with one decimal (94.5%), durations are words ("5 minutes", "2 business days"), money
has its separators ($398,000), an exact target keeps two decimals (355.56), instants read in the pact's zone
(2026-03-02 10:05 EST). The value formatted is always the document's; a missing one (a rate with no
denominator) is an em dash, never 0. Pure: no I/O.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from leadpact.domain.durations import Duration, parse_duration
from leadpact.domain.timeutil import local_text, parse_instant

DASH = "—"
_UNITS = {"m": "minute", "h": "hour", "bd": "business day"}
WEEKDAY_NAMES = {
    "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
    "sat": "Saturday", "sun": "Sunday",
}  # fmt: skip
MONTH_NAMES = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
}  # fmt: skip


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def pct(value: float | None) -> str:
    """0.945 → "94.5%"."""
    if value is None or missing(value):
        return DASH
    return f"{value * 100:.1f}%"


def target(value: float | None) -> str:
    """A pact's target rate as written: 0.7 → "70%", 0.925 → "92.5%"."""
    return DASH if value is None else f"{value * 100:g}%"


def count(value: float | None) -> str:
    """A count, "1,067"; an exact target keeps two decimals, "355.56"."""
    if value is None or missing(value):
        return DASH
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def decimal(value: float | None, digits: int = 1) -> str:
    return DASH if value is None or missing(value) else f"{value:,.{digits}f}"


def money(value: float | None) -> str:
    """$398,000."""
    return DASH if value is None or missing(value) else f"${value:,.0f}"


def _unit(n: float, word: str) -> str:
    shown = int(n) if float(n).is_integer() else n
    return f"{shown:g} {word}" if n == 1 else f"{shown:g} {word}s"


def minutes(value: float | None) -> str:
    """4.3 → "4 minutes", 95 → "1 hour 35 minutes", 3000 → "2 days 2 hours"; under a minute in seconds."""
    if value is None or missing(value):
        return DASH
    if value < 1:
        return _unit(round(max(value, 0) * 60), "second")
    total = round(value)
    if total < 60:
        return _unit(total, "minute")
    hours, mins = divmod(total, 60)
    if hours < 24:
        return _unit(hours, "hour") + (f" {_unit(mins, 'minute')}" if mins else "")
    days_, hours = divmod(hours, 24)
    return _unit(days_, "day") + (f" {_unit(hours, 'hour')}" if hours else "")


def days(value: float | None) -> str:
    """A span given in days, in words: 1.3 → "1 day 7 hours"."""
    return DASH if value is None or missing(value) else minutes(value * 24 * 60)


def duration(value: Duration | str | Any, clock: str = "wall") -> str:
    """A pact duration: 5m → "5 minutes", 2bd → "2 business days"; on the business clock 4h → "4 business
    hours"."""
    try:
        d = parse_duration(value)
    except ValueError:
        return str(value)
    word = _UNITS[d.unit]
    if clock == "business" and d.unit != "bd":
        word = f"business {word}"
    return _unit(d.value, word)


def _field(rule: Any, name: str, default: Any = None) -> Any:
    return rule.get(name, default) if isinstance(rule, dict) else getattr(rule, name, default)


def response_rule(rule: Any) -> str:
    """A tier's first-contact clock (the pact's model or its JSON) as people say it: "5 minutes in business
    hours, 1 hour after", "4 business hours", "1 business day"."""
    if _field(rule, "business_hours") is not None:
        return (
            f"{duration(_field(rule, 'business_hours'))} in business hours, "
            f"{duration(_field(rule, 'after_hours'))} after"
        )
    return duration(_field(rule, "within"), _field(rule, "clock", "wall"))


def local(value: str | datetime | None, zone: str) -> str:
    """An instant in the pact's zone: "2026-03-02 10:05 EST"."""
    if value is None:
        return DASH
    instant = parse_instant(value) if isinstance(value, str) else value
    return local_text(instant, zone)


def month(label: str | None) -> str:
    """A month's label, "2026-03" → "March 2026"; any other period label as it is."""
    if not label or len(label) != 7 or label[4] != "-":
        return label or DASH
    try:
        return datetime.strptime(label, "%Y-%m").strftime("%B %Y")
    except ValueError:
        return label


def day(value: str | date | None) -> str:
    """A date people write by hand: "Monday 4 January 2027"."""
    if value is None:
        return DASH
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"


def weekday(value: str) -> str:
    """The pact's "mon" → "Monday"."""
    return WEEKDAY_NAMES.get(value, value)


def month_name(value: str) -> str:
    """The pact's "jan" → "January"."""
    return MONTH_NAMES.get(value, value)


def label(value: str) -> str:
    """A pact word for people: "recovery_plan" → "recovery plan"."""
    return value.replace("_", " ")
