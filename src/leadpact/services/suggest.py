"""`leadpact calibrate suggest`: scoring suggested by the store's own history (`domain.suggest`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadpact.domain.periods import Period
from leadpact.domain.scoring import Activity
from leadpact.domain.suggest import features, rule_labels, suggest, today_points
from leadpact.domain.timeutil import from_us, iso_utc
from leadpact.services.workspace import Workspace
from leadpact.store import calibration as store
from leadpact.store.events import activity_columns

FIELDS = ("kind", "asset", "campaign", "channel")


def _activities(ws: Workspace, lead_ids: list[str]) -> dict[str, list[Activity]]:
    out: dict[str, list[Activity]] = {lead: [] for lead in lead_ids}
    if not lead_ids:
        return out
    with ws.engine.connect() as conn:
        rows = activity_columns(conn, min(lead_ids), max(lead_ids), FIELDS)
    for lead, at, kind, asset, campaign, channel in rows:
        if lead in out:
            out[lead].append(Activity("", from_us(int(at)), kind, asset, campaign, channel))
    for items in out.values():
        items.sort(key=lambda a: a.at)
    return out


def suggest_scoring(ws: Workspace, period: Period, *, as_of: datetime, seed: int = 0) -> dict[str, Any]:
    """A logistic regression of reaching SQL on the scoring rules over the period's handoffs; suggested points
    and thresholds; predicted volume, acceptance and SQL rate; held-out AUC of today's score and of it."""
    rules = ws.rules
    end = min(period.end, as_of)
    with ws.engine.connect() as conn:
        handed = store.candidates(conn, period.start, end)
        created = store.leads_created(conn, period.start, end)
    leads = sorted({lead for lead, _f in created} | {h["lead_id"] for h in handed})
    acts = _activities(ws, leads)

    def at(fields: dict[str, Any], lead: str, when: datetime) -> list[float]:
        return features(rules.fit, rules.engagement, rules.half_life_days, fields, acts[lead], when)

    x = [at(h["lead_fields"], h["lead_id"], h["mql_at"]) for h in handed]
    first: dict[str, list[float]] = {}
    for h, row in zip(handed, x, strict=True):
        first.setdefault(h["lead_id"], row)
    population = []
    for lead, fields in created:
        if lead in first:
            population.append(first[lead])
            continue
        seen = [a.at for a in acts[lead] if a.at <= end]
        population.append(at(fields, lead, seen[-1]) if seen else at(fields, lead, end))
    default = rules.segment(None)
    body = suggest(
        rule_labels(rules.fit, rules.engagement),
        len(rules.fit),
        today_points(rules.fit, rules.engagement),
        (float(default.fit_min), float(default.engagement_min)),
        x,
        [h["sql_at"] is not None and h["sql_at"] <= as_of for h in handed],
        [None if h["outcome"] == "pending" else h["outcome"] == "accepted" for h in handed],
        population,
        seed=seed,
    )
    return {
        "period": period.label,
        "as_of": iso_utc(as_of),
        "leads": len(created),
        "mql_handoffs": len(handed),
        "seed": seed,
        **body,
    }
