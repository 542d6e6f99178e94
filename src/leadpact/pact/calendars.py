"""``calendars`` and ``signoff``."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from leadpact.pact.base import PactModel, Text, TimeZoneName
from leadpact.pact.errors import PactIssue, custom, show


class HalfDay(PactModel):
    """A day that closes early."""

    date: dt.date = Field(description="The day, e.g. 2026-11-27.")
    close: dt.time = Field(description='The early close, local time, e.g. "13:00".')


class Holidays(PactModel):
    """Public holidays of a country (and subdivision), with exclusions, extra dates and half days."""

    country: str | None = Field(
        default=None,
        description="ISO country code whose public holidays close the calendar (US, DE, GB, ...).",
    )
    subdivision: str | None = Field(default=None, description="A state or province, e.g. CA or BY.")
    exclude: list[str] = Field(
        default_factory=list, description="Holiday names to keep as working days, e.g. [Columbus Day]."
    )
    dates: list[dt.date] = Field(default_factory=list, description="Extra closed dates, e.g. [2026-12-24].")
    half_days: list[HalfDay] = Field(default_factory=list, description="Days that close early.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"country": data}
        if not isinstance(data, dict | Holidays):
            raise custom(f"{show(data)} is not a country code like US or {{country, subdivision, ...}}")
        return data

    @field_validator("subdivision")
    @classmethod
    def _subdivision_needs_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        # a field validator, not a model one: a bad date among `dates` does not hide this
        if value is not None and "country" in info.data and info.data["country"] is None:
            raise custom("a subdivision needs a country", value=value)
        return value


class Calendar(PactModel):
    """Working hours and holidays; business time and business days (bd) count only inside them."""

    timezone: TimeZoneName | None = Field(
        default=None, description="The calendar's time zone; left out: the pact's timezone."
    )
    hours: dict[str, str] = Field(
        default_factory=lambda: {"mon-fri": "09:00-17:00"},
        description="Windows per weekday. Keys: mon..sun, ranges (mon-thu), lists (sat,sun); values: "
        '"09:00-17:00" or several windows "09:00-12:00,13:00-17:00"; windows are [open, close).',
    )
    holidays: Holidays | None = Field(
        default=None,
        description="A country code (shorthand for {country: US}) or {country, subdivision, exclude, dates, "
        "half_days}; left out: no holidays.",
    )


def default_calendars() -> dict[str, Calendar]:
    """The calendars of a pact that names none: New York business hours with US holidays."""
    return {"default": Calendar(timezone="America/New_York", holidays=Holidays(country="US"))}


class Signature(PactModel):
    """A head of function's signature."""

    name: Text = Field(description="Who signed.")
    at: dt.datetime | dt.date | None = Field(default=None, description="When they signed.")
    version: str | None = Field(
        default=None,
        description="The pact version they signed (`leadpact check` shows it); a signature for another "
        "version is stale and does not count in enforcing mode.",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"name": data}
        if not isinstance(data, dict | Signature):
            raise custom(f"{show(data)} is not a name or {{name, at, version}}")
        return data

    def covers(self, version_full: str) -> bool:
        """Whether this signature is for ``version_full`` (an unversioned signature covers any)."""
        if self.version is None:
            return True
        given = self.version.strip().lower()
        return len(given) >= 7 and version_full.startswith(given)


class Signoff(PactModel):
    """Both heads of function sign; the version hash leaves signoff out."""

    marketing: Signature | None = Field(
        default=None, description="Head of marketing: a name or {name, at, version}."
    )
    sales: Signature | None = Field(default=None, description="Head of sales: a name or {name, at, version}.")


# --- to the domain ----------------------------------------------------------------------------

if TYPE_CHECKING:
    from leadpact.domain.calendar.spec import CalendarSpec


def to_spec(calendar: Calendar, pact_timezone: str) -> CalendarSpec:
    """The domain's ``CalendarSpec`` for this calendar (its zone, else the pact's).

    Raises ``ValueError`` (the domain's ``HoursError``) for bad hours.
    """
    from leadpact.domain.calendar.spec import CalendarSpec, parse_hours
    from leadpact.domain.calendar.spec import HalfDay as DomainHalfDay

    hol = calendar.holidays or Holidays()
    return CalendarSpec(
        timezone=calendar.timezone or pact_timezone,
        hours=parse_hours(calendar.hours),
        country=hol.country,
        subdivision=hol.subdivision,
        exclude=tuple(hol.exclude),
        dates=tuple(hol.dates),
        half_days=tuple(DomainHalfDay(h.date, h.close) for h in hol.half_days),
    )


_SUBPATH = re.compile(r"^([A-Za-z_][A-Za-z_.]*): (.+)$", re.DOTALL)


def calendar_issues(name: str, calendar: Calendar, pact_timezone: str) -> list[PactIssue]:
    """Build the calendar the domain way; every problem as an issue at ``calendars.<name>...``."""
    try:
        from leadpact.domain.calendar.business import BusinessCalendar
        from leadpact.domain.calendar.spec import CalendarError, HoursError
    except ImportError:  # pragma: no cover - the domain module ships with the package
        return []
    base = f"calendars.{name}"
    try:
        spec = to_spec(calendar, pact_timezone)
    except HoursError as exc:
        out = []
        for problem in exc.errors:
            key, _, message = problem.partition(": ")
            out.append(PactIssue(path=f"{base}.hours.{key}", message=message, value=calendar.hours.get(key)))
        return out
    except ValueError as exc:
        return [PactIssue(path=f"{base}.hours", message=str(exc), value=calendar.hours)]
    try:
        BusinessCalendar(spec)
    except CalendarError as exc:
        text = str(exc)
        match = _SUBPATH.match(text)
        if match and match.group(1) != "calendar":
            return [PactIssue(path=f"{base}.{match.group(1)}", message=match.group(2))]
        return [PactIssue(path=base, message=text)]
    return []
