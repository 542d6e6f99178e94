"""Human text for an outbox payload: the one-liner Slack shows, an email's subject and body.

Payloads are plain JSON objects; these keys are read when present (any others are listed in an
email's details):

- ``summary``: the one-liner as is (for topics that compose their own text);
- clock topics (``clock.warning``, ``clock.breached``): ``lead_id``, ``clock`` (first_contact,
  disposition, touches), ``owner``, ``due_at`` (ISO 8601), ``at`` (when the level was reached),
  ``fraction`` (a warning's share of the window), ``tier``, ``trigger`` (the activity kind that made
  the MQL), ``timezone`` (IANA name to show times in; else UTC);
- ``test``: ``message``, ``pact``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadpact.domain.timeutil import parse_instant

CLOCK_WORDS = {"first_contact": "first contact", "disposition": "disposition", "touches": "minimum touches"}
SUBJECT_PREFIX = "[leadpact] "


def _zone(payload: Mapping[str, Any]) -> ZoneInfo | None:
    name = payload.get("timezone")
    if not isinstance(name, str):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError:
            return None
    return None


def show_time(value: Any, payload: Mapping[str, Any]) -> str:
    """``14:05`` in the payload's time zone (``14:05 UTC`` without one); with the date when it is not
    the day of the payload's ``at``."""
    instant = _instant(value)
    if instant is None:
        return str(value)
    zone = _zone(payload)
    local = instant.astimezone(zone or UTC)
    text = local.strftime("%H:%M") if zone else local.strftime("%H:%M UTC")
    reference = _instant(payload.get("at"))
    if reference is not None and reference.astimezone(zone or UTC).date() != local.date():
        text = f"{local:%Y-%m-%d} {text}"
    return text


def _context(payload: Mapping[str, Any]) -> str:
    parts = []
    if payload.get("tier"):
        parts.append(f"{payload['tier']} intent")
    if payload.get("trigger"):
        parts.append(str(payload["trigger"]))
    return f" — {', '.join(parts)}" if parts else ""


def _clock_line(topic: str, payload: Mapping[str, Any]) -> str:
    clock = CLOCK_WORDS.get(str(payload.get("clock", "")), str(payload.get("clock", "clock")))
    who = f" ({payload['owner']})" if payload.get("owner") else ""
    lead = payload.get("lead_id", "?")
    due = show_time(payload.get("due_at"), payload) if payload.get("due_at") else None
    if topic == "clock.breached":
        tail = f" was due {due}" if due else " was missed"
        return f"Breached: {clock} for {lead}{who}{tail}{_context(payload)}"
    share = payload.get("fraction")
    gone = f" ({round(float(share) * 100)}% of the window gone)" if isinstance(share, int | float) else ""
    tail = f" is due {due}" if due else ""
    return f"Warning: {clock} for {lead}{who}{tail}{gone}{_context(payload)}"


def one_line(topic: str, payload: Mapping[str, Any]) -> str:
    """A readable one-line summary, e.g.
    ``Breached: first contact for L-1 (ana) was due 14:05 — high intent, demo_request``."""
    if isinstance(payload.get("summary"), str) and payload["summary"].strip():
        return " ".join(payload["summary"].split())
    if topic in ("clock.breached", "clock.warning"):
        return _clock_line(topic, payload)
    if topic == "test":
        message = payload.get("message") or "leadpact can reach this target"
        pact = f" ({payload['pact']})" if payload.get("pact") else ""
        return f"Test: {message}{pact}"
    title = topic.replace(".", " ").replace("_", " ").capitalize()
    lead = f" for {payload['lead_id']}" if payload.get("lead_id") else ""
    what = f": {payload['what']}" if payload.get("what") else ""
    return f"{title}{lead}{what}"


def subject(topic: str, payload: Mapping[str, Any]) -> str:
    return SUBJECT_PREFIX + one_line(topic, payload)


def body(topic: str, payload: Mapping[str, Any], key: str) -> str:
    """Plain text: the one-liner, every payload field, and the key a reader can quote."""
    lines = [one_line(topic, payload), ""]
    for name in sorted(payload):
        if name == "summary":
            continue
        value = payload[name]
        if name.endswith("_at") or name == "at":
            value = f"{value} ({show_time(value, payload)})" if _instant(value) else value
        lines.append(f"{name}: {value}")
    lines += ["", "--", f"Sent by leadpact ({topic}). Idempotency-Key: {key}"]
    return "\n".join(lines) + "\n"
