"""HubSpot contacts as leadpact events: one mapping, two doors — the contact webhooks (`POST /hooks/hubspot`)
and the import of HubSpot contact exports (`leadpact import hubspot`, DESIGN.md §12).

Both doors name a contact's facts by the same canonical fields (`importers.records.FIELDS`): the webhook by
HubSpot's internal property names (`PROPERTIES`), an export by its column headers (`HEADERS`, matched
case-insensitively). Then the same functions turn them into events, with the same ids (`DOOR`):

- a contact is the lead `lead_id_of(record_id)`; its `lead.created` (id `created_id(record_id)`, the same
  through either door) needs an email and a source, and is made once both are known (`records.lead_created`);
- through the webhook, a later change of a lead field is a `lead.updated`; the lifecycle stage and lead status
  are kept as attributes and decide nothing; the owner is an `assignment` (the owner id as the rep, §2 flags
  an unknown one); the SQL, opportunity and customer dates are `stage` events at their own instants
  (`records.stage_event`); an export row makes all of them at once (`records.record_events`);
- what cannot be mapped is said, never guessed: an MQL date outside history (leadpact's gate makes MQLs; an
  external MQL is a history fact, §12), a change of the source after creation, a property leadpact does not
  read.

Vendor values become pact words by the plain rule of §12 (`pact_word`: "ORGANIC_SEARCH" -> organic_search);
the pact must then know them (ingest refuses an unknown source with a did-you-mean).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadpact.importers import records
from leadpact.importers.records import missing_to_create
from leadpact.importers.values import instant_of, pact_word

__all__ = [
    "DOOR", "HEADERS", "PROPERTIES", "Unmapped", "change_event", "created_id", "field_of_header",
    "instant_of", "lead_created", "lead_id_of", "missing_to_create", "pact_word",
]  # fmt: skip

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

#: export column header (lower case) -> canonical field (DESIGN.md §12's aliases, and the export's labels)
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
DOOR = records.Door("HubSpot", "hs-", STATUS_ATTRIBUTES, by="hubspot")


@dataclass(frozen=True)
class Unmapped:
    """A fact that has no leadpact event (yet): which field, and why."""

    field: str
    reason: str


def field_of_header(header: str) -> str | None:
    return HEADERS.get(header.strip().lower())


def lead_id_of(record_id: str) -> str:
    return DOOR.lead_id(record_id)


def created_id(record_id: str) -> str:
    return DOOR.event_id(record_id, "created")


def lead_created(record_id: str, at: datetime, fields: dict[str, str]) -> dict[str, Any]:
    """The contact's `lead.created` from its known fields (the caller checked `missing_to_create`)."""
    known = {k: v for k, v in fields.items() if k in LEAD_FIELDS | {"source"} or k in STATUS_ATTRIBUTES}
    return records.lead_created(DOOR, record_id, at, known)


def change_event(
    record_id: str, field: str, value: str, at: datetime, event_id: str, timezone: str
) -> dict[str, Any] | Unmapped | None:
    """The event a change of one canonical field makes; None when it makes none by itself (the source and
    the creation date feed `lead.created`), `Unmapped` when leadpact cannot take it."""
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
        return records.stage_event(DOOR, record_id, event_id, STAGE_DATES[field], when, {"by": "hubspot"})
    if field == "mql_at":
        return Unmapped(
            field,
            "an MQL date from HubSpot is not taken live: leadpact makes MQLs by the pact's gate (an external "
            "MQL is history: `leadpact import hubspot FILE --history`, DESIGN.md §12)",
        )
    if field in ("source", "created_at", "record_id"):
        return None
    return Unmapped(field, "not a field leadpact reads")
