"""The response curve of a period (`leadpact curve`): the period's handoffs as the metrics read them
(the month packs), bucketed by response time in `domain.curve`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.curve import response_curve
from leadpact.domain.periods import Period, closed_before, make_period, parse_period
from leadpact.domain.timeutil import iso_utc, to_us
from leadpact.services import packs

#: the default window: enough closed months for a curve, old enough to have converted
DEFAULT_MONTHS = 12


def history_window(now: datetime, tz: str, months: int = DEFAULT_MONTHS) -> Period:
    """The last `months` closed months, as one range."""
    closed = closed_before("month", now, tz, months)
    return make_period("range", closed[0].first_day, closed[-1].last_day, tz)


def window(tz: str, *, now: datetime, period: str | None, start: date | None, end: date | None) -> Period:
    """The period asked for (`--period`, or `--from`/`--to` days), else the last twelve closed months.
    ValueError names what is wrong."""
    if period is not None and (start or end):
        raise ValueError("give --period or --from/--to, not both")
    if period is not None:
        return parse_period(period, tz)
    if start or end:
        default = history_window(now, tz)
        first, last = start or default.first_day, end or default.last_day
        if last < first:
            raise ValueError(f"--to {last} is before --from {first}")
        return make_period("range", first, last, tz)
    return history_window(now, tz)


def curve(engine: Engine, period: Period, *, as_of: datetime) -> dict[str, Any]:
    """Conversion to SQL by response-time bucket of the period's MQL cycles (`domain.curve`)."""
    cols = packs.period_columns(engine, period)
    body = response_curve(cols.handoffs, to_us(period.start), to_us(period.end), to_us(as_of))
    return {"period": period.label, "start": iso_utc(period.start), "end": iso_utc(period.end),
            "as_of": iso_utc(as_of), **body}  # fmt: skip
