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
from zoneinfo import ZoneInfo

from leadpact.importers.values import instant_of, pact_word, yes

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
# a task (a touch) and an opportunity (a deal) of a lead
TASK_FIELDS = ("who", "channel", "task_status", "outcome", "note", "done_at", "due_date")
DEAL_FIELDS = ("closed", "won", "close_date", "deal_stage")
FIELDS = (
    *OTHER_FIELDS[:3],
    *LEAD_FIELDS,
    *STATUS_FIELDS,
    *TIMES,
    *OTHER_FIELDS[3:],
    *TASK_FIELDS,
    *DEAL_FIELDS,
)
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
        if stage in ("sql", "opportunity", "customer") and "opportunity_id" in deal:
            data["opportunity_id"] = deal["opportunity_id"]  # Salesforce names the deal at conversion
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


#: a task's type as a touch channel ("Call" -> phone); anything else by the plain rule, then the pact's check
CHANNELS = {"call": "phone", "email": "email", "linkedin": "linkedin", "meeting": "meeting", "sms": "sms",
            "text": "sms", "video": "video", "list_email": "email"}  # fmt: skip
#: a call's result as a touch outcome; others are kept out (the outcome is optional)
OUTCOMES = {"connected": "connected", "left_voicemail": "voicemail", "voicemail": "voicemail",
            "no_answer": "attempted", "busy": "attempted", "attempted": "attempted", "replied": "replied",
            "meeting_booked": "meeting_booked", "meeting_scheduled": "meeting_booked",
            "bounced": "bounced"}  # fmt: skip
OPEN_TASK = ("not_started", "in_progress", "open", "waiting_on_someone_else", "deferred")


def task_events(
    door: Door, record: Mapping[str, str], values: Values, timezone: str, *, history: bool
) -> list[dict[str, Any]] | Refusal:
    """A completed task (a call, an email) as a `touch` by its owner on the lead it names (DESIGN.md §12)."""
    task_id, who = record.get("record_id"), record.get("who")
    if not task_id:
        return Refusal("record_id", "is required (the task's id, which the touch's id derives from)")
    if not who:
        return Refusal("who", "is required (the lead the task was about)")
    status = pact_word(record.get("task_status", ""))
    if status in OPEN_TASK:
        return Refusal("task_status", f"an open task ({record['task_status']}) is no touch yet")
    when = record.get("done_at") or record.get("due_date")
    if not when:
        return Refusal("done_at", "is required (when the task was done, or its date)")
    try:
        at = instant_of(when, timezone)
    except ValueError as exc:
        return Refusal("done_at" if record.get("done_at") else "due_date", str(exc))
    kind = pact_word(record.get("channel", ""))
    data: dict[str, Any] = {"channel": CHANNELS.get(kind, kind or "phone")}
    if record.get("owner"):
        data["rep"] = values.rep(record["owner"])
    if (outcome := OUTCOMES.get(pact_word(record.get("outcome", "")))) is not None:
        data["outcome"] = outcome
    if record.get("note"):
        data["note"] = record["note"]
    event: dict[str, Any] = {
        "id": door.event_id(f"task-{task_id}", "touch"),
        "type": "touch",
        "lead_id": door.lead_id(who),
        "at": at.isoformat(),
        "data": data,
    }
    if history:
        event["history"] = True
    return [event]


def deal_events(
    door: Door, record: Mapping[str, str], lead_id: str, values: Values, timezone: str, *, history: bool
) -> list[dict[str, Any]] | Refusal:
    """An opportunity on the lead it was converted from: `opportunity` at its creation (with its amount),
    then `customer` when won or `closed_lost` when closed and not won, at its close date (DESIGN.md §12)."""
    deal_id = record.get("record_id")
    if not deal_id:
        return Refusal("record_id", "is required (the opportunity's id)")
    times = _instants(record, timezone)
    if isinstance(times, Refusal):
        return times
    if "created_at" not in times:
        return Refusal("created_at", "is required (when the opportunity was created)")
    data: dict[str, Any] = {"opportunity_id": deal_id}
    if record.get("owner"):
        data["by"] = values.rep(record["owner"])
    if record.get("amount"):
        data["amount"] = number_text(record["amount"])
    if record.get("product"):
        data["product"] = record["product"]
    won = yes(record.get("won", "")) is True
    closed = won or yes(record.get("closed", "")) is True
    ends: list[tuple[str, str]] = []
    if closed:
        if not record.get("close_date"):
            return Refusal("close_date", "is required for a closed opportunity (when it closed)")
        ends.append(("customer" if won else "closed_lost", record["close_date"]))
    if close := record.get("close_date"):
        data["close_date"] = close[:10] if "-" in close[:10] else _us_date(close, timezone)
    events: list[dict[str, Any]] = [
        {
            "id": door.event_id(f"opp-{deal_id}", "opportunity"),
            "type": "stage",
            "lead_id": lead_id,
            "at": times["created_at"].isoformat(),
            "data": {"stage": "opportunity", **data},
        }
    ]
    for stage, when in ends:
        try:
            at = instant_of(when, timezone)
        except ValueError as exc:
            return Refusal("close_date", str(exc))
        end_data: dict[str, Any] = {k: v for k, v in data.items() if k in ("by", "product", "opportunity_id")}
        if stage == "customer" and "amount" in data:
            end_data["amount"] = data["amount"]
        events.append(
            {
                "id": door.event_id(f"opp-{deal_id}", stage),
                "type": "stage",
                "lead_id": lead_id,
                "at": at.isoformat(),
                "data": {"stage": stage, **end_data},
            }
        )
    if history:
        for event in events:
            event["history"] = True
    return events


def _us_date(value: str, timezone: str) -> str:
    return instant_of(value, timezone).astimezone(ZoneInfo(timezone)).date().isoformat()
