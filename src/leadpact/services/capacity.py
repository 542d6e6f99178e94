"""`leadpact capacity`: the reps the high-intent first-contact clock needs, hour by hour (`domain.capacity`),
with a backtest of the model against the compliance the metrics measured in past weeks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from leadpact.domain.capacity import (
    DEFAULT_HANDLE_MINUTES,
    HOURS,
    Model,
    backtest_error,
    handle_minutes,
    hour_of_week,
    per_hour,
    predict,
    shrinkage,
)
from leadpact.domain.clocks import first_contact_window
from leadpact.domain.metrics.columns import HandoffColumns
from leadpact.domain.periods import Period, closed_before, local_midnight, make_period, period_containing
from leadpact.domain.routing import RoutingRules
from leadpact.domain.timeutil import from_us, iso_utc, to_us
from leadpact.services import packs
from leadpact.services.metrics import metrics
from leadpact.services.workspace import Workspace
from leadpact.store import touches as store_touches

TIER = "high"  # the tier whose clock the queue is held to (the tightest)
HISTORY_WEEKS = 8


class NoRoster(ValueError):
    """Capacity needs the roster: who is on shift when."""


def _hour_starts(week: Period) -> list[datetime]:
    """The local start of each of the week's 168 hours (a DST change shifts the wall clock, not the count)."""
    start = local_midnight(week.first_day, week.tz)
    return [start + timedelta(hours=h) for h in range(HOURS)]


def _on_shift(routing: RoutingRules, week: Period) -> list[int]:
    """Reps working (active, not on time off, calendar open) at the middle of each hour of the week."""
    return [
        sum(1 for rep in routing.reps.values() if rep.working(at + timedelta(minutes=30)))
        for at in _hour_starts(week)
    ]


def _targets(ws: Workspace, week: Period) -> list[float]:
    """The high tier's first-contact window, in minutes, of a handoff made at the start of each hour."""
    cal, response = ws.rules.calendar(), ws.rules.segment(None).response
    return [first_contact_window(cal, response, TIER, at).total_seconds() / 60 for at in _hour_starts(week)]


def _high_arrivals(
    h: HandoffColumns, start: int, end: int, tz: str, tier: str = TIER
) -> tuple[np.ndarray, int, int]:
    """(hour of week of each MQL of the tier in [start, end), how many, how many were touched)."""
    codes = [i for i, name in enumerate(h.tier.names) if name == tier]
    high = np.isin(h.tier.codes, codes) & h.mql & (h.mql_at >= start) & (h.mql_at < end)
    hours = hour_of_week((from_us(int(u)) for u in h.mql_at[high]), tz)
    touched = int(np.count_nonzero(high & (h.first_touch_at < end)))
    return hours, int(np.count_nonzero(high)), touched


def _model(
    ws: Workspace, routing: RoutingRules, weeks: Sequence[Period], h: HandoffColumns
) -> tuple[Model, str]:
    """Handle time and shrinkage from the touches of these weeks."""
    start, end = to_us(weeks[0].start), to_us(weeks[-1].end)
    with ws.engine.connect() as conn:
        rows = store_touches.touch_rows(conn, start, end)
    human = [(rep, at) for rep, at, automated in rows if not automated and rep]
    names = {rep: i for i, rep in enumerate(sorted({rep for rep, _at in human}))}
    reps = np.fromiter((names[rep] for rep, _at in human), dtype=np.int64, count=len(human))
    ats = np.fromiter((int(at) for _rep, at in human), dtype=np.int64, count=len(human))
    measured = handle_minutes(reps, ats)
    handle = DEFAULT_HANDLE_MINUTES if measured is None else measured
    _hours, _n, first_contacts = _high_arrivals(h, start, end, ws.pact.timezone)
    rep_hours = float(sum(sum(_on_shift(routing, week)) for week in weeks))
    share = shrinkage(max(0, len(human) - first_contacts), handle, rep_hours)
    return Model(handle, share), "touches" if measured is not None else "default"


def capacity(ws: Workspace, *, as_of: datetime, goal: float, weeks: int = HISTORY_WEEKS) -> dict[str, Any]:
    """Predicted high-intent first-contact compliance with this week's roster, the reps needed per hour for
    `goal`, and the model's backtest over the last `weeks` closed weeks. `NoRoster` without a team.yaml."""
    routing = ws.routing
    if routing is None:
        raise NoRoster("capacity needs the roster (team.yaml beside the pact): who is on shift when")
    tz = ws.pact.timezone
    history = closed_before("week", as_of, tz, weeks)
    window = make_period("range", history[0].first_day, history[-1].last_day, tz)
    h = packs.period_columns(ws.engine, window).handoffs
    model, handle_from = _model(ws, routing, history, h)
    hours, arrived, _touched = _high_arrivals(h, to_us(window.start), to_us(window.end), tz)
    this_week = period_containing("week", as_of, tz)
    arrivals = per_hour(hours, len(history)).tolist()
    plan = predict(arrivals, _on_shift(routing, this_week), _targets(ws, this_week), model, goal)
    start, end = to_us(window.start), to_us(window.end)
    by_tier = {
        tier: per_hour(_high_arrivals(h, start, end, tz, tier)[0], len(history)).tolist()
        for tier in sorted(set(h.tier.names))
    }
    for row in plan["by_hour"]:
        row["arrivals_by_tier"] = {tier: values[row["hour_of_week"]] for tier, values in by_tier.items()}
    backtest = []
    for week in history:
        w_hours, n, _t = _high_arrivals(h, to_us(week.start), to_us(week.end), tz)
        predicted = predict(
            per_hour(w_hours).tolist(), _on_shift(routing, week), _targets(ws, week), model, goal
        )
        doc = metrics(ws.engine, ws.pact, ws.rules, week.label, as_of=as_of, views=False)
        measured = (doc["by_tier"].get(TIER) or {}).get("response_compliance")
        backtest.append(
            {"week": week.label, "high_handoffs": n, "predicted": predicted["predicted_compliance"],
             "measured": measured}
        )  # fmt: skip
    return {
        "target": goal,
        "tier": TIER,
        "week": this_week.label,
        "history": {"period": window.label, "weeks": len(history), "high_handoffs": arrived},
        "as_of": iso_utc(as_of),
        "handle_minutes": model.handle_minutes,
        "handle_from": handle_from,
        "shrinkage": model.shrinkage,
        **plan,
        "backtest": {
            "by_week": backtest,
            **backtest_error([(b["predicted"], b["measured"]) for b in backtest]),
        },
    }
