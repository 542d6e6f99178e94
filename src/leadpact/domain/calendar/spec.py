"""What a business calendar is made of: the ``hours`` of the pact parsed into windows per weekday, half days,
the spec a :class:`~leadpact.domain.calendar.business.BusinessCalendar` is built from, and its errors.

A window ``(open, close)`` is the half-open local wall-time range ``[open, close)`` of one local day;
``24:00`` is written ``END_OF_DAY`` (``time.max``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = time.max  # stands for 24:00: a window closing at END_OF_DAY runs to the next local midnight
Window = tuple[time, time]

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class CalendarError(ValueError):
    """A calendar that cannot work: no working time, unknown zone/country/holiday, no opening in 3 years."""


class HoursError(ValueError):
    """Bad ``hours``; ``errors`` holds every problem found, each naming its key."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = tuple(errors)


# -- parsing ------------------------------------------------------------------------------------------


def _fmt(t: time) -> str:
    return "24:00" if t == END_OF_DAY else t.strftime("%H:%M")


def _parse_days(key: str) -> list[int]:
    days: list[int] = []
    for item in key.split(","):
        ends = [part.strip().lower() for part in item.split("-")]
        if len(ends) > 2 or not ends[0]:
            raise ValueError(f'"{item.strip()}" is not a weekday or range like mon-fri')
        for end in ends:
            if end not in WEEKDAYS:
                raise ValueError(f'unknown weekday "{end}" (expected mon..sun)')
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        days.extend((first + k) % 7 for k in range((last - first) % 7 + 1))  # ranges may wrap: sun-thu
    return days


def _parse_time(text: str, is_close: bool) -> time:
    match = _TIME.match(text.strip())
    if match is None:
        raise ValueError
    hour, minute = int(match.group(1)), int(match.group(2))
    if is_close and (hour, minute) == (24, 0):
        return END_OF_DAY
    if hour > 23 or minute > 59:
        raise ValueError
    return time(hour, minute)


def check_windows(windows: Iterable[Window]) -> tuple[tuple[Window, ...], list[str]]:
    """The windows sorted, and what is wrong with them (a window that does not open before it closes,
    windows that overlap)."""
    ordered = sorted(windows)
    problems = [f"window {_fmt(a)}-{_fmt(b)} does not open before it closes" for a, b in ordered if a >= b]
    for (a1, b1), (a2, b2) in zip(ordered, ordered[1:], strict=False):
        if a2 < b1:
            problems.append(f"windows {_fmt(a1)}-{_fmt(b1)} and {_fmt(a2)}-{_fmt(b2)} overlap")
    return tuple(ordered), problems


def parse_hours(hours: Mapping[str, str]) -> dict[int, tuple[Window, ...]]:
    """``{"mon-fri": "09:00-17:00", "sat": "10:00-12:00,13:00-15:00"}`` -> windows per weekday (0 = Monday).

    Keys: ``mon``..``sun`` (any case), ranges ``mon-fri`` (a range may wrap: ``sun-thu``) and lists
    ``sat,sun``. Values: ``HH:MM-HH:MM`` windows separated by commas, ``[open, close)``, ``24:00`` for
    the end of the day, or ``closed``. Every weekday is in the result (``()`` when closed). Raises
    :class:`HoursError` (a ValueError) listing every bad key/value with what was expected.
    """
    result: dict[int, tuple[Window, ...]] = {day: () for day in range(7)}
    seen: dict[int, str] = {}
    errors: list[str] = []
    for key, value in hours.items():
        try:
            days = _parse_days(str(key))
        except ValueError as exc:
            errors.append(f"{key}: {exc}")
            continue
        for day in days:
            if day in seen:
                errors.append(f"{key}: {WEEKDAYS[day]} is already given by {seen[day]}")
            seen[day] = str(key)
        windows: list[Window] = []
        text = value.strip() if isinstance(value, str) else None
        if text is None or not text:
            errors.append(f'{key}: {value!r} is not hours like "09:00-17:00" (or "closed")')
            continue
        if text.lower() != "closed":
            for part in text.split(","):
                try:
                    open_text, close_text = part.split("-")
                    windows.append((_parse_time(open_text, False), _parse_time(close_text, True)))
                except ValueError:
                    errors.append(
                        f'{key}: "{part.strip()}" is not a window like 09:00-17:00 '
                        '(several: "09:00-12:00,13:00-17:00"; 24:00 ends the day)'
                    )
        checked, problems = check_windows(windows)
        errors.extend(f"{key}: {problem}" for problem in problems)
        for day in days:
            result[day] = checked
    if errors:
        raise HoursError(errors)
    return result


# -- the spec -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HalfDay:
    date: date
    close: time


@dataclass(frozen=True)
class CalendarSpec:
    timezone: str  # IANA name
    hours: Mapping[int, tuple[Window, ...]]  # weekday (0 = Monday) -> windows, as parse_hours returns
    country: str | None = None
    subdivision: str | None = None
    exclude: tuple[str, ...] = ()  # holiday names to ignore (the holidays package's names, any case)
    dates: tuple[date, ...] = ()  # extra closed dates
    half_days: tuple[HalfDay, ...] = ()  # the day closes at `close`
