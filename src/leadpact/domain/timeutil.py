"""Instants: always timezone-aware, stored and printed in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FLOAT_EXACT_US = 2**33 * 1_000_000  # below this, fromtimestamp(u / 1e6) rounds back to exactly u µs


def to_us(value: datetime) -> int:
    """An instant as integer microseconds since the epoch, UTC (naive means UTC): how the store keeps
    instants and how columns hold them."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    d = value - EPOCH
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def from_us(value: int) -> datetime:
    """`to_us` back: an aware UTC datetime."""
    if 0 <= value < FLOAT_EXACT_US:
        return datetime.fromtimestamp(value / 1e6, UTC)
    return EPOCH + timedelta(microseconds=value)


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
