"""Instants: always timezone-aware, stored and written (JSON) in UTC; shown to people in the pact's zone.

One style for people: ``2026-03-02 10:05 EST`` (:func:`local_text`); inside a listing the same without
the zone (:func:`local_short`), which the listing names once (:func:`zone_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
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


def iso_utc_or_none(value: datetime | None) -> str | None:
    """`iso_utc`, and None for no instant (a clock not met, an escalation not resolved)."""
    return None if value is None else iso_utc(value)


def local_text(value: datetime, zone: str) -> str:
    """An instant as people read it: in a time zone (the pact's), with the zone's abbreviation."""
    return _local(value, zone).strftime("%Y-%m-%d %H:%M %Z")


def local_short(value: datetime, zone: str) -> str:
    """An instant in a listing: ``2026-03-02 10:05`` in the zone, whose name the listing gives once."""
    return _local(value, zone).strftime("%Y-%m-%d %H:%M")


def zone_names(values: Iterable[datetime], zone: str) -> str:
    """How a listing names its zone: ``EST (America/New_York)``, ``EST/EDT (America/New_York)`` when its
    instants straddle a change of offset (earliest first), the zone alone when it has none."""
    seen: list[str] = []
    for value in sorted(as_utc(v) for v in values):
        name = _local(value, zone).strftime("%Z")
        if name not in seen:
            seen.append(name)
    shown = "/".join(seen)
    return zone if not shown or shown == zone else f"{shown} ({zone})"


def _local(value: datetime, zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    return as_utc(value).astimezone(ZoneInfo(zone))
