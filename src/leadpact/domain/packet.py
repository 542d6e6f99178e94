"""The handoff packet (seed: "CRM record complete, source attribution clear, recent engagement summarized"):
what a rep gets with the lead, fixed at the handoff instant."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from leadpact.domain.duplicates import SUGGESTED_REASON
from leadpact.domain.projection import Handoff, Projection
from leadpact.domain.rules import Rules
from leadpact.domain.timeutil import iso_utc

CONTACT_FIELDS = ("email", "first_name", "last_name", "company", "title")
SUMMARY_DAYS = 30


def required_fields(rules: Rules) -> tuple[str, ...]:
    """The contact fields plus every field the fit rules read: what the pact needs to judge the lead."""
    names = list(CONTACT_FIELDS)
    for rule in rules.fit:
        if rule.field not in names:
            names.append(rule.field)
    return tuple(names)


def handoff_packet(projection: Projection, handoff: Handoff, rules: Rules) -> dict[str, Any] | None:
    if handoff.mql_at is None:
        return None
    at = handoff.mql_at
    fields = projection.fields
    required = required_fields(rules)
    missing = [name for name in required if fields.get(name) in (None, "")]
    since = at - timedelta(days=SUMMARY_DAYS)
    recent = [a for a in projection.activities if since <= a.at <= at]
    kinds = Counter(a.kind for a in recent)
    assets = sorted({a.asset for a in recent if a.asset})
    last = max(recent, key=lambda a: a.at) if recent else None
    duplicates = [flag.split(":", 1)[1] for flag in projection.flags if flag.startswith("duplicate_of:")]
    return {
        "duplicate_of": duplicates[0] if duplicates else None,
        "suggested_reason": SUGGESTED_REASON if duplicates else None,
        "completeness": round((len(required) - len(missing)) / len(required), 4) if required else 1.0,
        "missing_fields": missing,
        "source": projection.source,
        "campaign": fields.get("campaign"),
        "trigger_event": handoff.trigger_event,
        "fit": round(handoff.fit, 4),
        "engagement": round(handoff.engagement, 4),
        "tier": handoff.tier,
        "segment": handoff.segment,
        "engagement_30d": {
            "activities": len(recent),
            "by_kind": dict(sorted(kinds.items())),
            "assets": assets[:20],
            "last": None
            if last is None
            else {"kind": last.kind, "at": iso_utc(last.at), "asset": last.asset},
        },
    }
