"""`leadpact commitments`: each team's commitments met or missed over the last closed weeks and months, with
the current and the longest run of misses (DESIGN.md §10). Every number is the `metrics` document's for
that period: the one `metrics --json` prints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.commitments import Targets, commitments, judge, runs
from leadpact.domain.periods import closed_before
from leadpact.domain.rules import Rules
from leadpact.domain.timeutil import iso_utc
from leadpact.pact import Pact


def targets_of(pact: Pact) -> Targets:
    return Targets(
        acceptance_min=float(pact.targets.acceptance_min),
        compliance_min=float(pact.escalation.sales_response.compliance_below),
    )


def commitments_document(
    engine: Engine, pact: Pact, rules: Rules, *, now: datetime, periods: int = 6
) -> dict[str, Any]:
    """`{"as_of", "commitments": {key: {"team", "per", "label", "periods": [{"period", "actual", "target",
    "met"}], "current_run", "longest_run"}}}` over the last `periods` closed weeks and months."""
    from leadpact.services.metrics import metrics

    if periods < 1:
        raise ValueError("--periods must be at least 1")
    docs = {
        kind: [
            metrics(engine, pact, rules, p.label, as_of=now, views=False)
            for p in closed_before(kind, now, pact.timezone, periods)
        ]
        for kind in ("week", "month")
    }
    targets = targets_of(pact)
    out: dict[str, Any] = {}
    for c in commitments(targets):
        judged = [judge(c, m, targets) for m in docs[c.per]]
        current, longest = runs(judged)
        out[c.key] = {
            "team": c.team,
            "per": c.per,
            "label": c.label,
            "periods": judged,
            "current_run": current,
            "longest_run": longest,
        }
    return {"as_of": iso_utc(now), "commitments": out}
