"""One CRM record (a contact, a lead) as leadpact events (DESIGN.md §12), whichever door it came through.

A record is a dict of canonical fields (`FIELDS`) read from an export's columns or a webhook's properties.
Its events, each with an id derived from the record's id (so importing it again stores nothing new):

- `lead.created` at the create date: the lead fields, the source as a pact word, and the status columns
  (lifecycle stage, lead status) kept as attributes — they decide nothing;
- the owner as an `assignment` at the create date (no routing; an owner the roster does not know is kept and
  flagged, §2);
- a `stage` event for each lifecycle date the record has (SQL, opportunity, customer, closed lost), each at
  its own instant; an MQL date is an external MQL, taken only as history;
- a `stage` column whose value the mapping names as a stage or a disposition, at `stage_at`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadpact.importers.values import instant_of, pact_word

LEAD_FIELDS = (
    "email", "first_name", "last_name", "company", "title", "job_function", "seniority", "industry",
    "employees", "annual_revenue", "country", "region", "campaign", "account_id",
)  # fmt: skip
NUMBERS = frozenset({"employees", "annual_revenue", "amount"})
STATUS_FIELDS = ("lifecycle_stage", "lead_status", "converted")
STAGE_DATES = {
    "mql_at": "mql",
    "sql_at": "sql",
    "opportunity_at": "opportunity",
    "customer_at": "customer",
    "closed_lost_at": "closed_lost",
}
TIMES = ("created_at", *STAGE_DATES, "stage_at")
OTHER_FIELDS = ("record_id", "source", "owner", "opportunity_id", "amount", "product", "stage", "reason")
FIELDS = (*OTHER_FIELDS[:3], *LEAD_FIELDS, *STATUS_FIELDS, *TIMES, *OTHER_FIELDS[3:])
STAGES = ("mql", "sql", "opportunity", "customer", "closed_lost")
DISPOSITIONS = ("accepted", "rejected", "disqualified", "recycled")
NEEDED_TO_CREATE = ("email", "source")
_NUMBER_NOISE = re.compile(r"[\s,$€£¥]")


def is_field(name: str) -> bool:
    """A canonical field a column may map to: one of FIELDS, or `attributes.<key>` (a custom attribute)."""
    return name in FIELDS or (name.startswith("attributes.") and len(name) > len("attributes."))


@dataclass(frozen=True)
class Door:
    """How one system's records become leads: lead ids, event ids, status attributes."""

    name: str
    prefix: str  # a lead's id is the prefix and the record's id
    status: Mapping[str, str] = field(default_factory=dict)  # status field -> attribute name
    by: str | None = None  # who a stage event is by when the record names no owner

    def lead_id(self, record_id: str) -> str:
        return f"{self.prefix}{record_id}"

    def event_id(self, record_id: str, what: str) -> str:
        return f"{self.prefix}{record_id}-{what}"

    def attribute(self, status_field: str) -> str:
        return self.status.get(status_field, status_field)


@dataclass(frozen=True)
class Refusal:
    """A record that cannot become events: the field (or column) and why."""

    field: str
    reason: str


@dataclass(frozen=True)
class Values:
    """The mapping's vendor values -> pact words, by kind (source, rep, stage, reason), and the roster's reps
    by id, email and name (lower case) for matching owners."""

    maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    reps: Mapping[str, str] = field(default_factory=dict)

    def word(self, kind: str, value: str) -> str:
        mapped = self.maps.get(kind, {})
        if value in mapped:
            return mapped[value]
        lowered = {k.strip().lower(): v for k, v in mapped.items()}
        return lowered.get(value.strip().lower(), pact_word(value))

    def rep(self, value: str) -> str:
        mapped = self.maps.get("rep", {})
        if value in mapped:
            return mapped[value]
        return self.reps.get(value.strip().lower(), value.strip())


def number_text(value: str) -> str:
    """A spreadsheet number as ingest reads it: thousands separators, spaces and currency signs dropped."""
    return _NUMBER_NOISE.sub("", value)


def lead_created(door: Door, record_id: str, at: datetime, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The record's `lead.created` from its known fields (the caller checked `missing_to_create`)."""
    data: dict[str, Any] = {}
    for key in sorted(fields):
        value = fields[key]
        if key in LEAD_FIELDS:
            data[key] = number_text(value) if key in NUMBERS and isinstance(value, str) else value
        elif key == "source":
            data[key] = pact_word(value)
    attributes = {door.attribute(k): v for k, v in sorted(fields.items()) if k in STATUS_FIELDS}
    attributes.update(
        {k.removeprefix("attributes."): v for k, v in sorted(fields.items()) if k.startswith("attributes.")}
    )
    if attributes:
        data["attributes"] = attributes
    return {
        "id": door.event_id(record_id, "created"),
        "type": "lead.created",
        "lead_id": door.lead_id(record_id),
        "at": at.isoformat(),
        "data": data,
    }


def missing_to_create(fields: Mapping[str, Any]) -> list[str]:
    return [name for name in NEEDED_TO_CREATE if not fields.get(name)]


def stage_event(
    door: Door, record_id: str, event_id: str, stage: str, at: datetime, data: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "stage",
        "lead_id": door.lead_id(record_id),
        "at": at.isoformat(),
        "data": {"stage": stage, **data},
    }


def _instants(record: Mapping[str, str], timezone: str) -> dict[str, datetime] | Refusal:
    out: dict[str, datetime] = {}
    for name in TIMES:
        if record.get(name):
            try:
                out[name] = instant_of(record[name], timezone)
            except ValueError as exc:
                return Refusal(name, str(exc))
    return out


def record_events(
    door: Door,
    record: Mapping[str, str],
    values: Values,
    timezone: str,
    *,
    history: bool,
    touches_tracked: bool = True,
) -> list[dict[str, Any]] | Refusal:
    """The events of one record (cells already stripped, empty ones left out), in timeline order."""
    record_id = record.get("record_id")
    if not record_id:
        return Refusal(
            "record_id", "is required (the record's id in the CRM, which every event id derives from)"
        )
    times = _instants(record, timezone)
    if isinstance(times, Refusal):
        return times
    if "created_at" not in times:
        return Refusal("created_at", "is required (the record's create date: when the lead was created)")
    created_at = times["created_at"]
    fields: dict[str, Any] = {
        k: v for k, v in record.items() if k in LEAD_FIELDS or k.startswith("attributes.")
    }
    fields.update({k: record[k] for k in STATUS_FIELDS if k in record})
    if record.get("source"):
        fields["source"] = values.word("source", record["source"])
    events = [lead_created(door, record_id, created_at, fields)]
    owner = values.rep(record["owner"]) if record.get("owner") else None
    if owner:
        events.append(
            {
                "id": door.event_id(record_id, f"owner-{pact_word(owner) or 'x'}"),
                "type": "assignment",
                "lead_id": door.lead_id(record_id),
                "at": created_at.isoformat(),
                "data": {"rep": owner, "reason": f"{door.name} owner"},
            }
        )
    by = {"by": owner} if owner else ({"by": door.by} if door.by else {})
    deal: dict[str, Any] = {}
    if record.get("opportunity_id"):
        deal["opportunity_id"] = record["opportunity_id"]
    if record.get("amount"):
        deal["amount"] = number_text(record["amount"])
    stages: list[tuple[str, datetime]] = [
        (STAGE_DATES[name], times[name])
        for name in STAGE_DATES
        if name in times and (history or name != "mql_at")
    ]
    named = values.word("stage", record["stage"]) if record.get("stage") else None
    if named in STAGES or named in DISPOSITIONS:
        if "stage_at" not in times:
            return Refusal("stage_at", f"is required with a stage ({named}): when the record reached it")
        if named in STAGES and all(stage != named for stage, _ in stages):
            stages.append((named, times["stage_at"]))
    for stage, at in sorted(stages, key=lambda pair: (pair[1], STAGES.index(pair[0]))):
        data: dict[str, Any] = dict(by)
        if stage in ("opportunity", "customer"):
            data.update(deal)
        if history and not touches_tracked:  # the export has no touches: its response metrics are unknown
            data["touches_tracked"] = False
        events.append(stage_event(door, record_id, door.event_id(record_id, stage), stage, at, data))
    if named in DISPOSITIONS:
        disposition: dict[str, Any] = {"outcome": named}
        if record.get("reason"):
            disposition["reason"] = values.word("reason", record["reason"])
        if owner:
            disposition["by"] = owner
        events.append(
            {
                "id": door.event_id(record_id, named),
                "type": "disposition",
                "lead_id": door.lead_id(record_id),
                "at": times["stage_at"].isoformat(),
                "data": disposition,
            }
        )
    if history:
        for event in events:
            event["history"] = True
    return events
