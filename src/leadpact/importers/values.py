"""Vendor cell values as leadpact reads them (DESIGN.md §12): words, times, numbers, yes/no.

Times come as the vendors write them: epoch milliseconds (HubSpot's API), ISO 8601 with or without a time
zone ("2024-03-05 14:03", Salesforce's "2024-03-05T14:03:00.000+0000"), and the US spreadsheet forms of the
report exports ("3/5/2024 2:03 PM", "3/5/2024 14:03", "3/5/2024"). A time without a zone is in the import's
zone (the mapping's `timezone`, else the pact's); a date without a time means 12:00 there.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

_US = re.compile(
    r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?"
)


def pact_word(value: str) -> str:
    """A vendor value as a pact word: lower case, every run of other characters an underscore."""
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


def _us_time(found: re.Match[str]) -> tuple[date, time | None]:
    day = date(int(found["y"]), int(found["m"]), int(found["d"]))
    if found["H"] is None:
        return day, None
    hour, minute, second = int(found["H"]), int(found["M"]), int(found["S"] or 0)
    if found["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError("hour")
        hour = hour % 12 + (12 if found["ampm"].lower() == "pm" else 0)
    return day, time(hour, minute, second)


def instant_of(value: Any, timezone: str) -> datetime:
    """One vendor time value as an aware instant; ValueError naming what was expected when it is none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    text = str(value).strip()
    zone = ZoneInfo(timezone)
    try:
        if text.isdigit() and len(text) >= 11:
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
        if (found := _US.fullmatch(text)) is not None:
            day, clock = _us_time(found)
        elif len(text) == 10:
            day, clock = date.fromisoformat(text), None
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    except (ValueError, OverflowError, OSError):
        raise ValueError(
            f"{text[:40]!r} is not a time (like 2024-03-05 14:03, 3/5/2024 2:03 PM, 2024-03-05T14:03:00Z "
            "or epoch milliseconds)"
        ) from None
    return datetime.combine(day, clock or time(12), tzinfo=zone).astimezone(UTC)


def yes(value: str) -> bool | None:
    """A vendor's yes/no cell ("true", "1", "Yes", "TRUE"); None when it is neither."""
    word = value.strip().lower()
    if word in ("true", "1", "yes", "y"):
        return True
    if word in ("false", "0", "no", "n", ""):
        return False
    return None
