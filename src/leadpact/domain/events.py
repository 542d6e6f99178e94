"""The ingest contract of DESIGN.md §2: parse one raw event, name the field and the reason when it is bad."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from leadpact.domain.event_fields import (
    EventError,
    boolean,
    check_keys,
    choice,
    close_date,
    json_type,
    key_name,
    number,
    suggest,
    text,
)
from leadpact.domain.event_limits import (
    DEFAULT_FUTURE_TOLERANCE,
    MAX_SHORT,
    LimitError,
    check_event_limits,
    check_instant,
    check_not_ahead,
    shown,
)
from leadpact.domain.timeutil import iso_utc, parse_instant

__all__ = ["TYPE_RANK", "Event", "EventError", "Vocabulary", "canonical_data", "content_hash", "parse_event"]

TYPE_RANK: dict[str, int] = {
    "lead.created": 0,
    "lead.updated": 1,
    "activity": 2,
    "assignment": 3,
    "touch": 4,
    "disposition": 5,
    "stage": 6,
    "retract": 7,
}
EVENT_KEYS = ("id", "type", "lead_id", "at", "data", "history")

LEAD_FIELDS = (
    "email", "source", "first_name", "last_name", "company", "title", "job_function", "seniority",
    "industry", "employees", "annual_revenue", "country", "region", "campaign", "account_id", "attributes",
)  # fmt: skip
NUMERIC_LEAD_FIELDS = frozenset({"employees", "annual_revenue"})
PERSONAL_FIELDS = frozenset({"email", "first_name", "last_name", "title", "attributes", "note"})
TOUCH_CHANNELS = ("email", "phone", "linkedin", "video", "meeting", "sms")
TOUCH_OUTCOMES = ("attempted", "connected", "voicemail", "replied", "bounced", "meeting_booked")
DISPOSITION_OUTCOMES = ("accepted", "rejected", "recycled", "disqualified")
STAGE_EVENTS = ("sql", "opportunity", "customer", "closed_lost")
HISTORY_STAGES = ("mql", *STAGE_EVENTS)  # an external MQL is a fact of history only (DESIGN.md §12)
STAGE_DATA = (
    "stage",
    "budget",
    "authority",
    "need",
    "timeline",
    "opportunity_id",
    "amount",
    "close_date",
    "by",
    "product",
    "touches_tracked",
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the pact allows an event to name, and how far ahead of the clock an event may be stamped."""

    activity_kinds: frozenset[str]
    sources: frozenset[str]
    reasons: frozenset[str]
    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    lead_id: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    history: bool = False  # a fact of the source system's past, taken as given (DESIGN.md §12)

    @property
    def sort_key(self) -> tuple[datetime, int, str]:
        return (self.at, TYPE_RANK[self.type], self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "lead_id": self.lead_id,
            "at": iso_utc(self.at),
            "data": dict(self.data),
            **({"history": True} if self.history else {}),
        }


def canonical_data(event: Event) -> str:
    """The event's data as canonical JSON (sorted keys): stored as it is, and covered by the content hash."""
    return json.dumps(event.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(event: Event, data_text: str | None = None) -> str:
    """Same id + same hash: a duplicate; same id + another hash: a conflict. `at` compares as an instant."""
    data_json = canonical_data(event) if data_text is None else data_text
    canonical = f"{event.type}\x1f{event.lead_id}\x1f{iso_utc(event.at)}\x1f{data_json}"
    if event.history:  # only then: the hashes of all other events stay what they were
        canonical += "\x1fhistory"
    return hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()


def _lead_fields(data: Mapping[str, Any], *, created: bool, vocab: Vocabulary) -> dict[str, Any]:
    allowed = LEAD_FIELDS if created else tuple(f for f in LEAD_FIELDS if f != "source")
    if not created and "source" in data:
        raise EventError("data.source", "cannot change: a lead's source is fixed by lead.created")
    check_keys(data, allowed)
    out: dict[str, Any] = {}
    for key in allowed:
        if key not in data:
            continue
        if key in NUMERIC_LEAD_FIELDS:
            out[key] = number(data, key)
        elif key == "attributes":
            attributes = data[key]
            if attributes is None:
                out[key] = None
            elif not isinstance(attributes, Mapping):
                raise EventError("data.attributes", "must be an object")
            else:
                out[key] = dict(attributes)
        else:
            out[key] = text(data, key, "data.")
    if created:
        email = text(data, "email", "data.", required=True)
        if email is None or "@" not in email:
            raise EventError("data.email", f"{email!r} is not an email address")
        out["source"] = choice(data, "source", vocab.sources, required=True, what="source")
    elif not out:
        raise EventError("data", "lead.updated needs at least one field")
    email = out.get("email")
    if email is not None:
        if "@" not in str(email):
            raise EventError("data.email", f"{email!r} is not an email address")
        if len(str(email).rsplit("@", 1)[1]) > MAX_SHORT:  # routing keeps the domain as a short field
            raise EventError("data.email", f"its domain is longer than {MAX_SHORT} characters")
    return out


def _data(kind: str, data: Mapping[str, Any], vocab: Vocabulary, history: bool = False) -> dict[str, Any]:
    if kind == "lead.created":
        return _lead_fields(data, created=True, vocab=vocab)
    if kind == "lead.updated":
        return _lead_fields(data, created=False, vocab=vocab)
    if kind == "activity":
        check_keys(data, ("kind", "asset", "campaign", "channel"))
        out: dict[str, Any] = {
            "kind": choice(data, "kind", vocab.activity_kinds, required=True, what="activity kind")
        }
        for key in ("asset", "campaign", "channel"):
            if (value := text(data, key, "data.")) is not None:
                out[key] = value
        return out
    if kind == "touch":
        check_keys(data, ("channel", "rep", "outcome", "automated", "note"))
        out = {
            "channel": choice(data, "channel", TOUCH_CHANNELS, required=True, what="channel"),
            "rep": text(data, "rep", "data.", required=True),
        }
        if (outcome := choice(data, "outcome", TOUCH_OUTCOMES, what="outcome")) is not None:
            out["outcome"] = outcome
        if (automated := boolean(data, "automated")) is not None:
            out["automated"] = automated
        if (note := text(data, "note", "data.")) is not None:
            out["note"] = note
        return out
    if kind == "assignment":
        check_keys(data, ("rep", "reason"))
        out = {"rep": text(data, "rep", "data.", required=True)}
        if (reason := text(data, "reason", "data.")) is not None:
            out["reason"] = reason
        return out
    if kind == "disposition":
        check_keys(data, ("outcome", "reason", "by", "note"))
        outcome = choice(data, "outcome", DISPOSITION_OUTCOMES, required=True, what="outcome")
        out = {"outcome": outcome}
        reason = choice(data, "reason", vocab.reasons, what="reason code")
        if reason is None and outcome != "accepted":
            raise EventError(
                "data.reason", f"is required for a {outcome} disposition (a code of the pact's reasons)"
            )
        if reason is not None:
            out["reason"] = reason
        for key in ("by", "note"):
            if (value := text(data, key, "data.")) is not None:
                out[key] = value
        return out
    if kind == "stage":
        check_keys(data, STAGE_DATA)
        if not history and data.get("stage") == "mql":
            raise EventError(
                "data.stage",
                "mql is made by the pact's gate; an MQL the CRM already made is a history event "
                '("history": true, or `leadpact import --history`)',
            )
        out = {"stage": choice(data, "stage", HISTORY_STAGES, required=True, what="stage")}
        if (tracked := boolean(data, "touches_tracked")) is not None:
            if not history:
                raise EventError("data.touches_tracked", "is for history events: live touches are tracked")
            out["touches_tracked"] = tracked
        for key in ("budget", "authority", "need", "timeline", "opportunity_id", "by", "product"):
            if (value := text(data, key, "data.")) is not None:
                out[key] = value
        if (amount := number(data, "amount")) is not None:
            if amount < 0:
                raise EventError("data.amount", "must not be negative")
            out["amount"] = amount
        if (close := close_date(data)) is not None:
            out["close_date"] = close
        return out
    # retract
    check_keys(data, ("event_id", "reason"))
    return {
        "event_id": text(data, "event_id", "data.", required=True),
        "reason": text(data, "reason", "data.", required=True),
    }


def parse_event(raw: Any, vocab: Vocabulary, *, now: datetime | None) -> Event:
    """A valid Event, or EventError naming the field, the reason and (when it can be shown) the id.

    `now` is the clock the event is judged against: an event stamped more than the vocabulary's
    `future_tolerance` ahead of it is refused. None leaves the future unchecked (a dry run over a file).
    """
    try:
        return _parse(raw, vocab, now)
    except EventError as exc:
        exc.event_id = reported_id(raw)
        raise


def _parse(raw: Any, vocab: Vocabulary, now: datetime | None) -> Event:
    if not isinstance(raw, Mapping):
        raise EventError("(event)", f"must be a JSON object, not {json_type(raw)}")
    try:
        check_event_limits(raw)
    except LimitError as exc:
        raise EventError(exc.field, exc.reason) from None
    for key in raw:
        if key not in EVENT_KEYS:
            raise EventError(key_name(key), f"unknown field{suggest(str(key), EVENT_KEYS)}")
    history = raw.get("history", False)
    if history is None:
        history = False
    if not isinstance(history, bool):
        raise EventError("history", f"must be true or false, not {json_type(history)}")
    event_id = text(raw, "id", "", required=True)
    kind = text(raw, "type", "", required=True)
    if kind not in TYPE_RANK:
        raise EventError(
            "type",
            f"unknown type {kind!r}{suggest(str(kind), tuple(TYPE_RANK))}; "
            f"expected one of {', '.join(TYPE_RANK)}",
        )
    lead_id = text(raw, "lead_id", "", required=True)
    at = _instant(raw.get("at"), vocab, now)
    data = raw.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise EventError("data", f"must be an object, not {json_type(data)}")
    assert event_id is not None and lead_id is not None and kind is not None
    return Event(
        id=event_id,
        type=kind,
        lead_id=lead_id,
        at=at,
        data=_data(kind, data, vocab, history),
        history=history,
    )


def _instant(at_text: Any, vocab: Vocabulary, now: datetime | None) -> datetime:
    if not isinstance(at_text, str) or not at_text.strip():
        raise EventError("at", "is required (ISO 8601 with an offset, e.g. 2026-03-02T14:05:09-05:00)")
    try:
        at = parse_instant(at_text)
    except OverflowError:  # year 1 or 9999, moved past the calendar's edge by its offset
        edge = "before 1900" if at_text.strip()[:4] < "1900" else "after 2200"
        raise EventError("at", f"{shown(at_text)} is {edge}") from None
    except ValueError as exc:
        problem = str(exc)
        reason = problem if "offset" in problem else f"{at_text!r} is not an ISO 8601 time with an offset"
        raise EventError("at", reason) from None
    try:
        check_instant("at", at, at_text)
        if now is not None:
            check_not_ahead("at", at, now, vocab.future_tolerance)
    except LimitError as exc:
        raise EventError(exc.field, exc.reason) from None
    return at


def reported_id(raw: Any) -> str | None:
    """The event's id as a result may show it: a string within the limits, else None."""
    value = raw.get("id") if isinstance(raw, Mapping) else None
    if not isinstance(value, str) or len(value) > MAX_SHORT:
        return None
    try:
        check_event_limits({"id": value})
    except LimitError:
        return None
    return value.strip() or None
