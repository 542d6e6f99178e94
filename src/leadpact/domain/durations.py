"""Durations of the pact: ``5m`` and ``1h`` (wall or business time), ``2bd`` (business days)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

Unit = Literal["m", "h", "bd"]

_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|h|bd)\s*$")
#: The longest duration of each unit: a year (no clock of an SLA runs longer; due times stay on the calendar).
LONGEST: dict[str, float] = {"m": 525_600, "h": 8_760, "bd": 261}


@dataclass(frozen=True)
class Duration:
    value: float
    unit: Unit

    @property
    def is_business_days(self) -> bool:
        return self.unit == "bd"

    def as_timedelta(self) -> timedelta:
        """The length of an ``m``/``h`` duration; ``bd`` has no fixed length."""
        if self.unit == "m":
            return timedelta(minutes=self.value)
        if self.unit == "h":
            return timedelta(hours=self.value)
        raise ValueError("a business-day duration has no fixed length")

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return f"{value}{self.unit}"


def parse_duration(text: object) -> Duration:
    """Parse ``5m``, ``1h``, ``2bd``; raise ValueError naming what was expected."""
    if isinstance(text, Duration):
        return text
    match = _PATTERN.match(str(text)) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not a duration like 5m, 1h, 2bd")
    value = float(match.group(1))
    if value <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    unit: Unit = match.group(2)  # type: ignore[assignment]
    if unit == "bd" and not value.is_integer():
        raise ValueError(f"{text!r}: business days are whole numbers")
    if value > LONGEST[unit]:
        raise ValueError(f"{text!r} is longer than a year (at most {LONGEST[unit]:g}{unit})")
    return Duration(value, unit)
