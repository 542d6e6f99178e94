"""The dashboard's Jinja filters: `leadpact.formatting` (the one way every surface writes numbers and times:
94.5%, "5 minutes", $398,000, instants in the pact's zone), and the scorecard's status."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, Undefined

from leadpact.domain.scorecard import status_of
from leadpact.formatting import (
    DASH,
    count,
    days,
    duration,
    local,
    minutes,
    money,
    month,
    pct,
    response_rule,
    target,
)

__all__ = [
    "DASH", "count", "days", "duration", "install", "local", "minutes", "money", "month", "pct",
    "response_rule", "target",
]  # fmt: skip


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
