"""Jinja2 templates for the dashboard: `render` adds what every page needs (the caller, the CSRF token)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from leadpact.services.keys import Caller
from leadpact.web import formatting
from leadpact.web.deps import session_of
from leadpact.web.sessions import Sessions

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES))  # autoescapes HTML
formatting.install(templates.env)


def csrf_token_for(request: Request) -> str | None:
    """The CSRF token of the request's session (None when it has none)."""
    sessions: Sessions = request.app.state.sessions
    session = session_of(request, sessions)
    return None if session is None else sessions.csrf_token(session.nonce)


def render(
    request: Request, name: str, *, caller: Caller | None = None, status_code: int = 200, **context: Any
) -> Response:
    context = {"caller": caller, "csrf_token": csrf_token_for(request), **context}
    response: Response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.setdefault("Cache-Control", "no-store")
    return response
