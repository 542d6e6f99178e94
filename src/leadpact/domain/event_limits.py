"""The limits every event keeps, the same on every store (DESIGN.md §2).

A value past a limit is refused with its field before the event is read any further, so no store is
ever asked to hold what another would refuse (PostgreSQL refuses NUL characters and overlong ids where
SQLite stores them), and no read later meets a number it cannot add up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

MAX_SHORT = 200  # ids, lead ids, rep ids and every other short field
MAX_EMAIL = 320
MAX_TEXT = 10_000  # free text: notes, people's reasons, assets (URLs), BANT answers, attribute values
MAX_NUMBER = 10**15  # numbers are finite and within ±MAX_NUMBER
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # times from EARLIEST up to and including LATEST
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
DEFAULT_FUTURE_TOLERANCE = timedelta(minutes=15)
ATTRIBUTES_DEPTH = 5  # `attributes` and what it holds, nested at most this deep
ATTRIBUTES_ITEMS = 200  # keys and list items in `attributes`, all levels together
EVENT_DEPTH = 2 + ATTRIBUTES_DEPTH  # the event, its data, then attributes: nothing else nests deeper

# Free-text fields, by event type; every other string is a short field (the email has its own limit).
TEXT_FIELDS: dict[str, frozenset[str]] = {
    "activity": frozenset({"asset"}),
    "touch": frozenset({"note"}),
    "assignment": frozenset({"reason"}),
    "disposition": frozenset({"note"}),
    "stage": frozenset({"budget", "authority", "need", "timeline"}),
    "retract": frozenset({"reason"}),
}

_UNSAFE = re.compile(r"[\x00\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class LimitError(ValueError):
    """A value past a limit: the field (a dotted path) and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def shown(text: str, limit: int = 40) -> str:
    """A string as it can be printed anywhere: escaped (no NUL, control or lone surrogate), and cut."""
    cut = text[:limit]
    out = cut.encode("unicode_escape", "backslashreplace").decode("ascii")
    return f'"{out}…"' if len(text) > limit else f'"{out}"'


def _unsafe_reason(text: str) -> str | None:
    found = _UNSAFE.search(text)
    if found is None:
        return None
    where = f"at character {found.start() + 1}"
    if found.group() == "\x00":
        return f"holds a NUL character {where}"
    return f"holds a lone surrogate (\\u{ord(found.group()):04x}) {where}: not text"


def check_event_limits(raw: Mapping[str, Any]) -> None:
    """Raise LimitError for the first value past a limit, anywhere in the event (keys and values)."""
    kind = raw.get("type")
    texts = TEXT_FIELDS.get(kind, _NO_TEXT) if isinstance(kind, str) else _NO_TEXT
    counter = [0]
    # The usual event is flat strings under short printable keys: that case runs inline, for speed (ingest
    # checks every event); anything else goes the long way, which names the field and the reason.
    for key, value in raw.items():
        if not (type(key) is str and len(key) <= MAX_SHORT and key.isprintable()):
            _checked_key(key, "")
        if key == "data" and (type(value) is dict or isinstance(value, Mapping)):
            for data_key, data_value in value.items():
                if not (type(data_key) is str and len(data_key) <= MAX_SHORT and data_key.isprintable()):
                    _checked_key(data_key, "data")
                if data_key == "attributes":
                    _walk(data_value, "data.attributes", depth=3, limit=MAX_TEXT, counter=counter)
                    continue
                limit = MAX_EMAIL if data_key == "email" else MAX_TEXT if data_key in texts else MAX_SHORT
                if not (
                    type(data_value) is str
                    and len(data_value) <= limit
                    and "\x00" not in data_value
                    and data_value.isascii()
                ) and not _fine_scalar(data_value, limit):
                    _walk(data_value, f"data.{data_key}", depth=3, limit=limit, counter=None)
        elif not (
            type(value) is str and len(value) <= MAX_SHORT and "\x00" not in value and value.isascii()
        ) and not _fine_scalar(value, MAX_SHORT):
            _walk(value, key, depth=2, limit=MAX_SHORT, counter=None)


_NO_TEXT: frozenset[str] = frozenset()


def _fine_key(key: Any) -> bool:
    return isinstance(key, str) and len(key) <= MAX_SHORT and key.isprintable()


def _fine_scalar(value: Any, limit: int) -> bool:
    """True for a string, number, boolean or null within the limits; anything else goes the long way."""
    kind = type(value)
    if kind is str:
        return (
            len(value) <= limit
            and "\x00" not in value
            and (value.isascii() or _SURROGATE.search(value) is None)
        )
    if kind is int or kind is float:
        return bool(-MAX_NUMBER <= value <= MAX_NUMBER)  # False for NaN
    return value is None or kind is bool


def _checked_key(key: Any, parent: str) -> str:
    where = parent or "(event)"
    if not isinstance(key, str):  # JSON keys are strings; a mapping from elsewhere may hold anything
        raise LimitError(where, f"a key is a {type(key).__name__}, not a string")
    if len(key) > MAX_SHORT:
        raise LimitError(where, f"the key {shown(key)} is longer than {MAX_SHORT} characters")
    if not key.isprintable():
        raise LimitError(where, f"the key {shown(key)} holds a character that cannot be printed")
    return key


def _walk(value: Any, field: str, *, depth: int, limit: int, counter: list[int] | None) -> None:
    """Check one value (and what it holds) at `depth` (the event itself is depth 1)."""
    if isinstance(value, str):
        if len(value) > limit:
            raise LimitError(field, f"is {len(value):,} characters long; at most {limit:,}")
        if (reason := _unsafe_reason(value)) is not None:
            raise LimitError(field, reason)
        return
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        check_number(field, value)
        return
    if not isinstance(value, Mapping | list | tuple):
        return  # the parser names a wrong type
    if depth > EVENT_DEPTH:
        raise LimitError(field, f"is nested too deep: at most {ATTRIBUTES_DEPTH} levels in attributes")
    items = value.items() if isinstance(value, Mapping) else enumerate(value)
    for key, item in items:
        if counter is not None:
            counter[0] += 1
            if counter[0] > ATTRIBUTES_ITEMS:
                raise LimitError(
                    "data.attributes", f"holds more than {ATTRIBUTES_ITEMS} keys and items in all"
                )
        if isinstance(key, int):
            path = f"{field}[{key}]"
        else:
            path = f"{field}.{key if _fine_key(key) else _checked_key(key, field)}"
        _walk(item, path, depth=depth + 1, limit=limit, counter=counter)


def check_number(field: str, value: int | float) -> None:
    """Finite and within ±10^15: sums of such numbers stay exact enough and never overflow."""
    if isinstance(value, float) and not math.isfinite(value):
        raise LimitError(field, "must be a finite number")
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise LimitError(field, "is out of range: numbers are within ±10^15")


def check_instant(field: str, value: datetime, text: str) -> None:
    """Between 1900 and 2200 (UTC)."""
    if value < EARLIEST:
        raise LimitError(field, f"{shown(text)} is before 1900")
    if value > LATEST:
        raise LimitError(field, f"{shown(text)} is after 2200")


def check_not_ahead(field: str, value: datetime, now: datetime, tolerance: timedelta) -> None:
    """At most `tolerance` ahead of the clock: an event cannot report what has not happened yet."""
    if value > now + tolerance:
        ahead = value - now
        raise LimitError(
            field,
            f"{_stamp(value)} is in the future: {_span(ahead)} ahead of the clock ({_stamp(now)}); "
            f"at most {_span(tolerance)} is allowed (ingest.future_tolerance)",
        )


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _span(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds >= 2 * 86_400:
        return f"{seconds // 86_400}d"
    if seconds >= 86_400 or (seconds >= 3600 and seconds % 3600 == 0):
        return f"{seconds // 3600}h"
    if seconds >= 60:
        return f"{seconds // 60}m"
    return f"{seconds}s"
