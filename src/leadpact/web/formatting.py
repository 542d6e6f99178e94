"""How the dashboard writes numbers and times for people (Jinja filters): rates as percentages with one
decimal (94.5%), durations in words ("5 minutes"), money with its separators, instants in the pact's zone.
The value formatted is always the document's; a missing one is an em dash, never 0."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, Undefined

from leadpact.domain.durations import Duration
from leadpact.domain.scorecard import status_of
from leadpact.domain.timeutil import local_text, parse_instant

DASH = "—"


def pct(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


def target(value: float | None) -> str:
    """A pact's target rate as written: 0.7 → "70%", 0.925 → "92.5%"."""
    return DASH if value is None else f"{value * 100:g}%"


def month(label: str | None) -> str:
    """ "2026-03" → "March 2026"; any other period label as it is."""
    if not label or len(label) != 7 or label[4] != "-":
        return label or DASH
    try:
        return datetime.strptime(label, "%Y-%m").strftime("%B %Y")
    except ValueError:
        return label


def count(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def money(value: float | None) -> str:
    return DASH if value is None else f"${value:,.0f}"


def _unit(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def minutes(value: float | None) -> str:
    """4.3 → "4 minutes", 95 → "1 hour 35 minutes", 3000 → "2 days 2 hours"; under a minute in seconds."""
    if value is None:
        return DASH
    if value < 1:
        return _unit(round(value * 60), "second")
    total = round(value)
    if total < 60:
        return _unit(total, "minute")
    hours, mins = divmod(total, 60)
    if hours < 24:
        return _unit(hours, "hour") + (f" {_unit(mins, 'minute')}" if mins else "")
    days, hours = divmod(hours, 24)
    return _unit(days, "day") + (f" {_unit(hours, 'hour')}" if hours else "")


def days(value: float | None) -> str:
    return DASH if value is None else minutes(value * 24 * 60)


def duration(value: Duration | Any) -> str:
    """A pact duration: 5m → "5 minutes", 1h → "1 hour", 2bd → "2 business days"."""
    if not isinstance(value, Duration):
        return str(value)
    n = int(value.value) if float(value.value).is_integer() else value.value
    word = {"m": "minute", "h": "hour", "bd": "business day"}[value.unit]
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def response_rule(rule: Any) -> str:
    """A tier's first-contact clock as people say it: "5 minutes in business hours, 1 hour after"."""
    if hasattr(rule, "business_hours"):
        return f"{duration(rule.business_hours)} in business hours, {duration(rule.after_hours)} after"
    within = duration(rule.within)
    business = getattr(rule, "clock", "wall") == "business" and rule.within.unit != "bd"
    return f"{within} of business time" if business else within


def local(value: str | datetime | None, zone: str) -> str:
    if value is None:
        return DASH
    instant = parse_instant(value) if isinstance(value, str) else value
    return local_text(instant, zone)


def _known(fn: Any) -> Any:
    """A filter that reads an undefined value (a group without that metric) as missing."""

    def filter_(value: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(None if isinstance(value, Undefined) else value, *args, **kwargs)

    return filter_


def install(env: Environment) -> None:
    filters: dict[str, Any] = dict(
        pct=pct,
        target=target,
        month=month,
        count=count,
        money=money,
        minutes=minutes,
        days=days,
        duration=duration,
        local=local,
        response_rule=response_rule,
        status=lambda value, target, at_risk=0.9: status_of(value, target, at_risk=at_risk),
    )
    env.filters.update({name: _known(fn) for name, fn in filters.items()})
