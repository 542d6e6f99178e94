"""How reports say numbers: rates as percentages with one decimal (94.5%), durations in words (5 minutes),
counts with thousands separators, instants in the pact's zone. A missing value (a rate with no denominator)
is a dash, never 0."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from leadpact.domain.durations import parse_duration
from leadpact.domain.timeutil import local_text, parse_instant

DASH = "—"
_UNITS = {"m": "minute", "h": "hour", "bd": "business day"}
WEEKDAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
MONTH_NAMES = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def pct(value: float | None) -> str:
    """0.945 -> ``94.5%``; None -> a dash."""
    if value is None or _missing(value):
        return DASH
    return f"{value * 100:.1f}%"


def count(value: float | None) -> str:
    """A count: ``1,067``; a fractional target keeps two decimals (``355.56``)."""
    if _missing(value):
        return DASH
    assert value is not None
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def decimal(value: float | None, digits: int = 1) -> str:
    return DASH if _missing(value) else f"{value:,.{digits}f}"


def amount(value: float | None) -> str:
    """Money as a whole number with separators: ``398,000``."""
    return DASH if _missing(value) else f"{value:,.0f}"


def _plural(n: float, unit: str) -> str:
    shown = int(n) if float(n).is_integer() else n
    return f"{shown:g} {unit}" if n == 1 else f"{shown:g} {unit}s"


def duration(text: str, clock: str = "wall") -> str:
    """A pact duration in words: ``5m`` -> ``5 minutes``; ``4h`` on the business clock -> ``4 business
    hours``; ``2bd`` -> ``2 business days``."""
    d = parse_duration(text)
    unit = _UNITS[d.unit]
    if clock == "business" and d.unit != "bd":
        unit = f"business {unit}"
    return _plural(d.value, unit)


def response_rule(rule: dict[str, Any]) -> str:
    """A tier's first-contact clock in words."""
    if "business_hours" in rule:
        return f"{duration(rule['business_hours'])} in business hours, {duration(rule['after_hours'])} after"
    return duration(rule["within"], rule.get("clock", "wall"))


def minutes(value: float | None) -> str:
    """A wait in words: ``21 minutes``, ``3 hours 53 minutes``, ``2 days 4 hours``; under a minute it keeps
    one decimal (``0.5 minutes``)."""
    if _missing(value):
        return DASH
    assert value is not None
    if value < 1:
        return "0 minutes" if value <= 0 else f"{value:.1f} minutes"
    total = int(round(value))
    if total < 60:
        return _plural(total, "minute")
    hours, mins = divmod(total, 60)
    if hours < 24:
        return _plural(hours, "hour") + ("" if mins == 0 else " " + _plural(mins, "minute"))
    days, hours = divmod(hours, 24)
    return _plural(days, "day") + ("" if hours == 0 else " " + _plural(hours, "hour"))


def days(value: float | None) -> str:
    """A span in days, in words: ``1.3 days``, ``1 day``."""
    if _missing(value):
        return DASH
    assert value is not None
    rounded = round(value, 1)
    return _plural(int(rounded), "day") if float(rounded).is_integer() else f"{rounded:.1f} days"


def local(value: str | datetime | None, zone: str) -> str:
    """An instant as people read it in the pact's zone: ``2026-03-02 10:05 EST``."""
    if value is None:
        return DASH
    instant = parse_instant(value) if isinstance(value, str) else value
    return local_text(instant, zone)


def day(value: str | date | None) -> str:
    """A date people write by hand: ``Monday 4 January 2027``."""
    if value is None:
        return DASH
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"


def weekday(value: str) -> str:
    return WEEKDAY_NAMES.get(value, value)


def month(value: str) -> str:
    return MONTH_NAMES.get(value, value)


def label(value: str) -> str:
    """A pact word for people: ``recovery_plan`` -> ``recovery plan``."""
    return value.replace("_", " ")


FILTERS = {
    "pct": pct,
    "count": count,
    "decimal": decimal,
    "amount": amount,
    "duration": duration,
    "response_rule": response_rule,
    "minutes": minutes,
    "days": days,
    "day": day,
    "weekday": weekday,
    "month": month,
    "label": label,
}
