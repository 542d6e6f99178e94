"""The one-page SLA (DESIGN.md §11) as a document: what `leadpact doc` and the pact page render.

It is the pact in force laid out as the seeds lay the document out: the revenue target and its waterfall,
the stage definitions, marketing's commitments, sales's, accountability, the review schedule with the next
quarterly date, and both signatures. Every number comes from the code that judges it (the waterfall from
`plan_view`, the clocks from `Pact.effective`); `leadpact.reports` only formats it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadpact.domain.conditions import describe_condition
from leadpact.domain.periods import local_date
from leadpact.domain.reviews import WEEKDAYS, review_dates
from leadpact.domain.timeutil import iso_utc, parse_instant
from leadpact.pact import Pact
from leadpact.services.pact_view import pact_view
from leadpact.services.plan import plan_view
from leadpact.services.workspace import Workspace

#: Who owns each stage (the seed's table); `raw` has no definition key in the pact: it is any known person.
STAGE_OWNERS = {
    "raw": "marketing",
    "mql": "marketing",
    "sal": "sales",
    "sql": "sales",
    "opportunity": "sales",
    "customer": "sales",
}
RAW_DEFINITION = "Any identifiable person who has interacted with the brand"


def _stages(pact: Pact) -> list[dict[str, str]]:
    defined = pact.stages.model_dump(mode="json")
    rows = [{"stage": "raw", "definition": RAW_DEFINITION, "owner": "marketing"}]
    rows += [{"stage": s, "definition": text, "owner": STAGE_OWNERS[s]} for s, text in defined.items()]
    return rows


def _segment_rows(pact: Pact) -> list[dict[str, Any]]:
    """One row per segment with the thresholds and clocks that apply to it; leads in no segment get the pact's
    own values, shown as a last row when some lead can fall in none."""
    rows = []
    for name, segment in pact.segments.items():
        eff = pact.effective(name).model_dump(mode="json")
        when = segment.when
        eff["who"] = (
            "every other lead" if when is None else describe_condition(when.field, when.op, when.value)
        )
        rows.append(eff)
    if all(s.when is not None for s in pact.segments.values()):
        eff = pact.effective(None).model_dump(mode="json")
        eff["who"] = "leads in no segment" if rows else "every lead"
        rows.append(eff)
    return rows


def _required_fields(pact: Pact) -> list[str]:
    """What marketing hands over with every MQL: the fields every lead must have, and those the fit score
    reads (a lead without them cannot be judged, nor routed by them)."""
    fields = ["email", "source"]
    for rule in pact.scoring.fit:
        if rule.field not in fields:
            fields.append(rule.field)
    return fields


def _dated(signature: dict[str, Any] | None, zone: str) -> dict[str, Any] | None:
    """A signature with the day it was signed in the pact's zone (`date`), None when it says no time."""
    if signature is None:
        return None
    at = signature.get("at")
    if at is None:
        return {**signature, "date": None}
    try:
        day = local_date(parse_instant(at), zone).isoformat()
    except ValueError:  # a date, or a time the pact file gave without an offset: its day as written
        day = at[:10]
    return {**signature, "date": day}


def sla_document(ws: Workspace, *, now: datetime, dashboard_url: str | None = None) -> dict[str, Any]:
    """The one-page SLA of the pact in force, as of `now` (the next review dates are counted from its day in
    the pact's zone)."""
    pact = ws.pact
    view = pact_view(ws)
    plan = plan_view(pact)
    calendar = pact.business_calendar("default")
    today = local_date(now, pact.timezone)
    dates = review_dates(
        today,
        weekly_day=pact.reviews.weekly_day,
        monthly_day=pact.reviews.monthly,
        quarterly_months=pact.reviews.quarterly,
        is_business_day=lambda day: bool(calendar.windows_on(day)),
    )
    hour, minute = pact.reviews.weekly_time
    sources = [
        {
            "source": source,
            "share": entry["share"],
            "mql_to_sql": entry["mql_to_sql"],
            "mqls_per_month": entry["mqls_per_month"],
        }
        for source, entry in plan["by_source"].items()
    ]
    return {
        "name": pact.name,
        "version": view["version"],
        "mode": pact.mode,
        "timezone": pact.timezone,
        "in_force_from": view["in_force_from"],
        "as_of": iso_utc(now),
        "plan": plan,
        "stages": _stages(pact),
        "mql_gate": pact.scoring.mql.model_dump(mode="json"),
        "marketing": {
            "mqls_per_month": plan["mqls_per_month"],
            "mqls_per_quarter": plan["mqls_per_quarter"],
            "acceptance_min": pact.targets.acceptance_min,
            "sources": sources,
            "required_fields": _required_fields(pact),
            "marketing_sources": sorted(pact.marketing_sources),
        },
        "sales": {
            "segments": _segment_rows(pact),
            "warn_at": list(pact.response.warn_at),
            "dispositions": ["accepted", "rejected", "recycled", "disqualified"],
            "reasons": dict(pact.reasons),
            "hygiene": pact.data_hygiene.model_dump(mode="json"),
        },
        "accountability": {
            "dashboard": dashboard_url,
            "weekly_review": {"day": WEEKDAYS[pact.reviews.weekly_day], "time": f"{hour:02d}:{minute:02d}"},
            "escalation": pact.escalation.model_dump(mode="json"),
            "feedback": pact.feedback.model_dump(mode="json"),
        },
        "reviews": {
            "weekly": {"day": WEEKDAYS[pact.reviews.weekly_day], "time": f"{hour:02d}:{minute:02d}"},
            "monthly_day": pact.reviews.monthly,
            "quarterly_months": list(pact.reviews.quarterly),
            "next": {
                "weekly": dates.weekly.isoformat(),
                "monthly": dates.monthly.isoformat(),
                "quarterly": dates.quarterly.isoformat(),
            },
        },
        "signatures": {side: _dated(sig, pact.timezone) for side, sig in view["signatures"].items()},
        "signed": view["signed"],
    }


def pact_page(ws: Workspace, *, now: datetime, dashboard_url: str | None = None) -> dict[str, Any]:
    """What the pact page shows: the version in force (`GET /api/pact`), every version with its signatures
    (`pact versions`), what changed from the previous version key by key (`pact diff`; None for the first),
    and the one-page SLA."""
    from leadpact.services.pact_history import pact_diff, versions_document

    recorded = ws.recorded
    diff = pact_diff(ws, recorded[-2].version, recorded[-1].version) if len(recorded) > 1 else None
    return {
        "view": pact_view(ws),
        "versions": versions_document(ws)["versions"],
        "diff": diff,
        "doc": sla_document(ws, now=now, dashboard_url=dashboard_url),
    }
