"""Instants: always timezone-aware, stored and printed in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(text: str) -> datetime:
    """ISO 8601 with an offset or Z; a naive time is an error (DESIGN.md §2)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset (write 2026-03-02T14:05:09-05:00 or ...Z)")
    return value.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is read as UTC (SQLite hands back naive datetimes)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    text = as_utc(value).isoformat()
    return text.replace("+00:00", "Z")


def local_text(value: datetime, zone: str) -> str:
    """An instant as people read it: in a time zone (the pact's), with the zone's abbreviation."""
    from zoneinfo import ZoneInfo

    return as_utc(value).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")
