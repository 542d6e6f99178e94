"""Which local days a calendar is closed: the country's public holidays (the ``holidays`` package, with the
"(observed)" days it lists), minus ``exclude`` (names matched case-insensitively; excluding a holiday also
excludes its observed day), plus ``dates``; and the checks of country, subdivision and holiday names.
Weekends and half days are not closed days.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

import holidays

from leadpact.domain.calendar.spec import CalendarError, CalendarSpec

_OBSERVED = re.compile(r"\s*\([^()]*\bobserved\b[^()]*\)\s*$", re.IGNORECASE)


def _holiday_base(country: str, subdivision: str | None, years: Iterable[int]) -> Any:
    return holidays.country_holidays(country, subdiv=subdivision, years=list(years))


def _base_name(name: str) -> str:
    return _OBSERVED.sub("", name).strip().casefold()


@lru_cache(maxsize=64)
def _holiday_names(country: str, subdivision: str | None) -> dict[str, str]:
    """casefolded -> spelled, the names the package gives this country over 1990-2060 (for checks)."""
    names: dict[str, str] = {}
    base = _holiday_base(country, subdivision, range(1990, 2061))
    for day in base:
        for name in base.get_list(day):
            names.setdefault(name.casefold(), name)
            names.setdefault(_base_name(name), _OBSERVED.sub("", name).strip())
    return names


class ClosedDays:
    """The closed days of one spec, per local year (ordinals), cached. Raises :class:`CalendarError` for an
    unknown country or subdivision, or an ``exclude`` name the package never gives the country."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._country = spec.country.strip().upper() if spec.country is not None else None
        self._check(spec)
        self._exclude = frozenset(name.casefold() for name in spec.exclude)
        self._dates_by_year: dict[int, set[int]] = {}
        for closed_day in spec.dates:
            self._dates_by_year.setdefault(closed_day.year, set()).add(closed_day.toordinal())
        self._years: dict[int, frozenset[int]] = {}

    def _check(self, spec: CalendarSpec) -> None:
        if spec.country is None:
            if spec.subdivision is not None or spec.exclude:
                raise CalendarError("holidays: subdivision and exclude need a country")
            return
        supported = holidays.list_supported_countries()
        if self._country not in supported:
            raise CalendarError(
                f'holidays.country: unknown country "{spec.country}" '
                "(expected a code the holidays package knows, like US, GB, DE)"
            )
        try:
            _holiday_base(self._country, spec.subdivision, [])
        except NotImplementedError:
            some = ", ".join(supported[self._country][:12])
            raise CalendarError(
                f'holidays.subdivision: {self._country} has no subdivision "{spec.subdivision}" '
                f"(expected one of {some}{', ...' if len(supported[self._country]) > 12 else ''})"
            ) from None
        known = _holiday_names(self._country, spec.subdivision) if spec.exclude else {}
        for name in spec.exclude:
            if name.casefold() not in known:
                close = difflib.get_close_matches(name.casefold(), list(known), n=1)
                hint = f' (did you mean "{known[close[0]]}"?)' if close else ""
                raise CalendarError(f'holidays.exclude: "{name}" is not a holiday of {self._country}{hint}')

    def of_year(self, year: int) -> frozenset[int]:
        """The ordinals of the closed local days of ``year``."""
        closed = self._years.get(year)
        if closed is None:
            found = set(self._dates_by_year.get(year, ()))
            if self._country is not None:
                base = _holiday_base(self._country, self.spec.subdivision, range(year - 1, year + 2))
                for day in base:
                    if day.year == year and any(
                        name.casefold() not in self._exclude and _base_name(name) not in self._exclude
                        for name in base.get_list(day)
                    ):
                        found.add(day.toordinal())
            closed = self._years[year] = frozenset(found)
        return closed

    def is_holiday(self, day: date) -> bool:
        """A public holiday (not excluded) or a listed date; weekends and half days are not holidays."""
        return day.toordinal() in self.of_year(day.year)
