"""What the quarterly review shows of the store's own learning (DESIGN.md §11, §13): the calibration session
of the quarter, the response curve of its handoffs, and the capacity model with its backtest on its weeks —
each the document its command prints with `--json`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadpact.domain.periods import Period, months_in
from leadpact.services.calibration import latest_report_of
from leadpact.services.capacity import NoRoster, capacity
from leadpact.services.curve import curve
from leadpact.services.workspace import Workspace

QUARTER_WEEKS = 13


def quarterly(ws: Workspace, period: Period, *, now: datetime) -> dict[str, Any]:
    """`calibration` (None without a session of the quarter or one of its months), `curve`, and `erlang`
    (None without a roster) for the quarter `period` as of `now`."""
    labels = [period.label, *(m.label for m in months_in(period))]
    as_of = min(now, period.end)
    goal = float(ws.pact.escalation.sales_response.compliance_below)
    try:
        erlang: dict[str, Any] | None = capacity(ws, as_of=as_of, goal=goal, weeks=QUARTER_WEEKS)
    except NoRoster:
        erlang = None
    return {
        "calibration": latest_report_of(ws.engine, labels),
        "curve": curve(ws.engine, period, as_of=now),
        "erlang": erlang,
    }
