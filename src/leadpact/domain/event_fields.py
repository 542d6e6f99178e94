"""Reading one field of an event: text, a choice among names, a number, true or false, a date. Each refusal
is an EventError naming the field and the reason."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from difflib import get_close_matches
from typing import Any

from leadpact.domain.event_limits import LimitError, check_instant, check_number, shown


class EventError(ValueError):
    """A refused event: which field, and why; `event_id` is its id when that can be shown."""

    def __init__(self, field: str, reason: str, event_id: str | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.event_id = event_id


def key_name(key: str) -> str:
    """A key as a field path shows it (an empty or blank key in quotes, so it can be seen)."""
    return key if key.strip() else shown(key)


def suggest(word: str, choices: tuple[str, ...] | frozenset[str] | list[str]) -> str:
    close = get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def text(data: Mapping[str, Any], key: str, prefix: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if type(value) is str:  # the common case, first
        text = value.strip()
        if text:
            return text
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise EventError(f"{prefix}{key}", "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise EventError(f"{prefix}{key}", f"must be a string, not {json_type(value)}")
    return str(value).strip()


def choice(
    data: Mapping[str, Any],
    key: str,
    choices: tuple[str, ...] | frozenset[str],
    *,
    required: bool = False,
    what: str = "value",
) -> str | None:
    value = text(data, key, "data.", required=required)
    if value is None:
        return None
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise EventError(
            f"data.{key}", f"unknown {what} {value!r}{suggest(value, choices)}; expected one of {allowed}"
        )
    return value


def number(data: Mapping[str, Any], key: str) -> float | int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise EventError(f"data.{key}", "must be a number, not a boolean")
    if isinstance(value, int | float):
        number: float | int = value
    elif isinstance(value, str):
        try:
            number = float(value.replace(",", "").strip())
        except ValueError:
            raise EventError(f"data.{key}", f"{shown(value)} is not a number") from None
    else:
        raise EventError(f"data.{key}", f"must be a number, not {json_type(value)}")
    try:
        check_number(f"data.{key}", number)
    except LimitError as exc:
        raise EventError(exc.field, exc.reason) from None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return number


def boolean(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no"):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise EventError(f"data.{key}", f"{value!r} is not true or false")


def check_keys(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise EventError(f"data.{key_name(key)}", f"unknown field{suggest(key, allowed)}")


def close_date(data: Mapping[str, Any]) -> str | None:
    value = text(data, "close_date", "data.")
    if value is None:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise EventError("data.close_date", f"{value!r} is not a date like 2026-05-28") from None
    try:
        check_instant("data.close_date", datetime(day.year, day.month, day.day, tzinfo=UTC), value)
    except LimitError as exc:
        raise EventError(exc.field, exc.reason) from None
    return day.isoformat()


def json_type(value: Any) -> str:
    """The JSON name of a value's type, as the sender wrote it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
