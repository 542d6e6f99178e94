"""Answering a service's document as the CLI prints it (`leadpact.jsondoc`), and the query parameters every
question shares."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse

from leadpact.domain.periods import parse_period, period_containing
from leadpact.domain.timeutil import parse_instant
from leadpact.jsondoc import dumps
from leadpact.web.errors import ApiError


class DocResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


AsOfQuery = Annotated[
    str | None,
    Query(max_length=64, description="Evaluate at this instant (ISO 8601 with an offset); default now."),
]
PeriodQuery = Annotated[
    str | None,
    Query(max_length=64, description="2026-03, 2026-W10, 2026-Q1, 2026, or 2026-03-01..2026-03-15."),
]


def instant(text: str | None, now: datetime, field: str = "as_of") -> datetime:
    if not text:
        return now
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise ApiError(422, f"{field}: {exc}", field=field) from None


def period_label(text: str | None, timezone: str, now: datetime) -> str:
    """The period asked for (checked), else the current month in the pact's zone."""
    try:
        return parse_period(text, timezone).label if text else period_containing("month", now, timezone).label
    except ValueError as exc:
        raise ApiError(422, f"period: {exc}", field="period") from None
