"""Rendering a dashboard page whole, or only its live part when htmx asks for it (`HX-Request`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from leadpact.services.keys import Caller
from leadpact.services.workspace import Workspace
from leadpact.web.templating import render


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
