"""Rendering a dashboard page whole, or only its live part when htmx asks for it (`HX-Request`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from starlette.responses import Response

from leadpact.domain.periods import Period
from leadpact.services.dashboard import month_of
from leadpact.services.keys import Caller
from leadpact.services.workspace import Workspace
from leadpact.web.errors import ApiError
from leadpact.web.templating import render

MonthQuery = Annotated[
    str | None, Query(max_length=7, description="A month like 2026-03 (default: the current one).")
]


def month_param(ws: Workspace, text: str | None) -> Period | None:
    """The month a page was asked for (`?month=2026-03`), None for the current one; 422 for anything else."""
    if not text:
        return None
    try:
        return month_of(ws, text)
    except ValueError as exc:
        raise ApiError(422, f"month: {exc}", field="month") from None


def page(
    request: Request,
    caller: Caller,
    ws: Workspace,
    name: str,
    *,
    title: str,
    live: bool = True,
    **context: Any,
) -> Response:
    """`templates/<name>.html` (which includes `partials/<name>.html`), or the partial alone for htmx."""
    partial = f"partials/{name}.html"
    fragment = request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"
    return render(
        request,
        partial if fragment else f"{name}.html",
        caller=caller,
        partial=partial,
        page=name,
        title=title,
        live=live,
        zone=ws.pact.timezone,
        pact_name=ws.pact.name,
        **context,
    )
