"""HubSpot contacts as leadpact events: one mapping, two doors — the contact webhooks (`POST /hooks/hubspot`)
and, later, the CSV import of HubSpot contact exports (DESIGN.md §12).

Both doors name a contact's facts by the same canonical fields (`FIELDS`): the webhook by HubSpot's internal
property names (`PROPERTIES`), an export by its column headers (`HEADERS`, matched case-insensitively).
Then one set of functions turns them into events:

- a contact is the lead `lead_id_of(record_id)`; its `lead.created` (id `created_id(record_id)`, the same
  through either door) needs an email and a source, and is made once both are known;
- a later change of a lead field is a `lead.updated`; the lifecycle stage and lead status are kept as
  attributes and decide nothing; the owner is an `assignment` (the owner id as the rep, §2 flags an unknown
  one); the SQL, opportunity and customer dates are `stage` events at their own instants;
- what cannot be mapped yet is said, never guessed: an MQL date (leadpact's gate makes MQLs; an external
  MQL needs the history events of §12), a change of the source after creation, a property leadpact does not
  read.

Vendor values become pact words by the plain rule of §12 (`pact_word`: "ORGANIC_SEARCH" -> organic_search);
the pact must then know them (ingest refuses an unknown source with a did-you-mean).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

FIELDS = (
    "record_id", "email", "first_name", "last_name", "company", "title", "industry", "employees",
    "annual_revenue", "country", "region", "source", "owner", "lifecycle_stage", "lead_status", "created_at",
    "mql_at", "sql_at", "opportunity_at", "customer_at",
)  # fmt: skip

#: webhook property (HubSpot's internal name) -> canonical field
PROPERTIES = {
    "hs_object_id": "record_id",
    "email": "email",
    "firstname": "first_name",
    "lastname": "last_name",
    "company": "company",
    "jobtitle": "title",
    "industry": "industry",
    "numemployees": "employees",
    "annualrevenue": "annual_revenue",
    "country": "country",
    "state": "region",
    "hs_analytics_source": "source",
    "hubspot_owner_id": "owner",
    "lifecyclestage": "lifecycle_stage",
    "hs_lead_status": "lead_status",
    "createdate": "created_at",
    "hs_lifecyclestage_marketingqualifiedlead_date": "mql_at",
    "hs_lifecyclestage_salesqualifiedlead_date": "sql_at",
    "hs_lifecyclestage_opportunity_date": "opportunity_at",
    "hs_lifecyclestage_customer_date": "customer_at",
}

#: export column header (lower case) -> canonical field (DESIGN.md §12's aliases)
HEADERS = {
    "record id": "record_id",
    "contact id": "record_id",
    "email": "email",
    "first name": "first_name",
    "last name": "last_name",
    "company name": "company",
    "job title": "title",
    "industry": "industry",
    "number of employees": "employees",
    "annual revenue": "annual_revenue",
    "country/region": "country",
    "state/region": "region",
    "create date": "created_at",
    "lifecycle stage": "lifecycle_stage",
    "lead status": "lead_status",
    "original source": "source",
    "contact owner": "owner",
    "became a marketing qualified lead date": "mql_at",
    "became a sales qualified lead date": "sql_at",
    "became an opportunity date": "opportunity_at",
    "became a customer date": "customer_at",
}

LEAD_FIELDS = frozenset(
    {"email", "first_name", "last_name", "company", "title", "industry", "employees", "annual_revenue",
     "country", "region"}
)  # fmt: skip
STATUS_ATTRIBUTES = {"lifecycle_stage": "hubspot_lifecycle_stage", "lead_status": "hubspot_lead_status"}
STAGE_DATES = {"sql_at": "sql", "opportunity_at": "opportunity", "customer_at": "customer"}
NEEDED_TO_CREATE = ("email", "source")


@dataclass(frozen=True)
class Unmapped:
    """A fact that has no leadpact event (yet): which field, and why."""

    field: str
    reason: str


def field_of_header(header: str) -> str | None:
    return HEADERS.get(header.strip().lower())


def lead_id_of(record_id: str) -> str:
    return f"hs-{record_id}"


def created_id(record_id: str) -> str:
    return f"hs-{record_id}-created"


def pact_word(value: str) -> str:
    """A vendor value as a pact word: lower case, every run of other characters an underscore."""
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


def instant_of(value: Any, timezone: str) -> datetime:
    """HubSpot's time values: epoch milliseconds (webhooks), or an ISO date or time (exports; a date without a
    time means 12:00 in the pact's zone, §12). ValueError when it is neither."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(12), tzinfo=ZoneInfo(timezone)).astimezone(
                UTC
            )
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time (epoch milliseconds or ISO 8601)") from None
    return found if found.tzinfo is not None else found.replace(tzinfo=ZoneInfo(timezone))


def _lead_value(field: str, value: str) -> Any:
    return pact_word(value) if field == "source" else value


def lead_created(record_id: str, at: datetime, fields: dict[str, str]) -> dict[str, Any]:
    """The contact's `lead.created` from its known fields (the caller checked `missing_to_create`)."""
    data: dict[str, Any] = {
        k: _lead_value(k, v) for k, v in sorted(fields.items()) if k in LEAD_FIELDS | {"source"}
    }
    attributes = {STATUS_ATTRIBUTES[k]: v for k, v in sorted(fields.items()) if k in STATUS_ATTRIBUTES}
    if attributes:
        data["attributes"] = attributes
    return {
        "id": created_id(record_id),
        "type": "lead.created",
        "lead_id": lead_id_of(record_id),
        "at": at.isoformat(),
        "data": data,
    }


def missing_to_create(fields: dict[str, str]) -> list[str]:
    return [name for name in NEEDED_TO_CREATE if not fields.get(name)]


def change_event(
    record_id: str, field: str, value: str, at: datetime, event_id: str, timezone: str
) -> dict[str, Any] | Unmapped | None:
    """The event a change of one canonical field makes; None when it makes none by itself (the source and
    the creation date feed `lead.created`), `Unmapped` when leadpact cannot take it yet."""
    lead = lead_id_of(record_id)

    def event(kind: str, data: dict[str, Any], when: datetime = at) -> dict[str, Any]:
        return {"id": event_id, "type": kind, "lead_id": lead, "at": when.isoformat(), "data": data}

    if field in LEAD_FIELDS:
        return event("lead.updated", {field: value})
    if field in STATUS_ATTRIBUTES:
        return event("lead.updated", {"attributes": {STATUS_ATTRIBUTES[field]: value}})
    if field == "owner":
        return event("assignment", {"rep": value, "reason": "HubSpot contact owner"})
    if field in STAGE_DATES:
        if not value:
            return Unmapped(field, "a cleared lifecycle date: leadpact keeps the stage (retract it to undo)")
        try:
            when = instant_of(value, timezone)
        except ValueError as exc:
            return Unmapped(field, str(exc))
        return event("stage", {"stage": STAGE_DATES[field], "by": "hubspot"}, when)
    if field == "mql_at":
        return Unmapped(
            field,
            "an MQL date from HubSpot is not mapped: leadpact makes MQLs by the pact's gate, and an "
            "external MQL needs the history events of DESIGN.md §12, not built yet",
        )
    if field in ("source", "created_at", "record_id"):
        return None
    return Unmapped(field, "not a field leadpact reads")
