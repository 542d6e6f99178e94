"""The dashboard's pages (DESIGN.md §9): server-rendered HTML, live through `/api/stream`.

Every page is a route on `router` (included by `leadpact.web.app.create_app`) that depends on `PageCaller` (a
signed-in session; the browser is sent to /login without one), calls the same services as the API and the
CLI, and renders a template of `leadpact/web/templates/` with `render`, which adds the caller and the CSRF
token. Static files are served from `/static` (`leadpact/web/static/`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadpact.web.deps import PageCaller, WorkspaceDep
from leadpact.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def overview(request: Request, caller: PageCaller, ws: WorkspaceDep) -> Response:
    return render(request, "index.html", caller=caller, pact_name=ws.pact.name, version=ws.pact.version)
