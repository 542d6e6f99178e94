"""Reasons -> marketing actions: on each closed month, a reason above `feedback.reason_alert_share` of at
least `feedback.min_rejections` rejections and disqualifications raises a signal to the marketing owner;
during the month the same test raises a warning. Each is recorded once (a violation owed by marketing) and
notified."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.periods import period_containing, previous
from leadpact.domain.rules import Rules
from leadpact.pact import Pact
from leadpact.roster import Roster
from leadpact.store.clocks import record_violations


def record_reason_signals(
    engine: Engine,
    *,
    pact: Pact,
    rules: Rules,
    now: datetime,
    roster: Roster | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Record (once) every flagged reason of the last closed month and of the month to date; returns how many
    new signals were recorded. The reasons are the `reasons` of the months' metrics as of `now`: the very
    numbers the dashboard and the reviews show."""
    from leadpact.services.metrics import metrics

    current = period_containing("month", now, pact.timezone)
    months = ((previous(current), "reason_signal"), (current, "reason_warning"))
    reasons = {  # the numbers only: this runs every worker minute
        p.label: metrics(engine, pact, rules, p.label, as_of=now, views=False)["reasons"]
        for p, _kind in months
    }
    recorded = 0
    with engine.begin() as conn:
        for period, kind in months:
            breakdown = reasons[period.label]
            total = sum(entry["count"] for entry in breakdown.values())
            for code, entry in breakdown.items():
                if not entry["flagged"]:
                    continue
                what = (
                    f"{code} is {entry['share']:.0%} of the {total} rejections and disqualifications "
                    f"{'in' if kind == 'reason_signal' else 'so far in'} {period.label} "
                    f"(alert above {pact.feedback.reason_alert_share:.0%}): {entry['action'] or 'review'}"
                )
                key = f"{kind}:{period.label}:{code}"
                owner = (
                    roster.marketing.owner if roster is not None and roster.marketing is not None else None
                )
                new = record_violations(
                    conn,
                    [
                        {
                            "key": key,
                            "lead_id": "-",
                            "n": None,
                            "kind": kind,
                            "at": period.end if kind == "reason_signal" else now,
                            "owed_by": "marketing",
                            "owner": owner,
                            "team": None,
                            "what": what,
                            "recorded_at": now,
                        }
                    ],
                )
                if new:
                    recorded += 1
                    _notify(conn, key, kind, what, code, entry, period.label, owner, roster, env, now)
    return recorded


def _notify(
    conn: Any,
    key: str,
    kind: str,
    what: str,
    code: str,
    entry: Mapping[str, Any],
    period: str,
    owner: str | None,
    roster: Roster | None,
    env: Mapping[str, str] | None,
    now: datetime,
) -> None:
    try:
        from leadpact.notify.outbox import enqueue
        from leadpact.notify.targets import email_targets, targets_from_roster
    except ImportError:
        return
    environment = dict(os.environ if env is None else env)
    targets = (
        [t for t in targets_from_roster(roster, environment) if t.channel == "webhook"] if roster else []
    )
    targets += email_targets(roster, [owner], environment) if roster is not None else []
    if targets:
        payload = {
            "topic": f"feedback.{kind}",
            "period": period,
            "reason": code,
            "count": entry["count"],
            "share": entry["share"],
            "action": entry["action"],
            "what": what,
        }
        enqueue(conn, key=key, topic=f"feedback.{kind}", payload=payload, targets=targets, now=now)
