"""Signing in to the dashboard with a key (`/login`), and out (`/logout`); see `leadpact.web.sessions`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from leadpact.domain.access import READ, may
from leadpact.services.keys import caller_for_key
from leadpact.web.deps import SessionsDep, WorkspaceDep, csrf_presented, session_of
from leadpact.web.errors import ApiError
from leadpact.web.sessions import LOGIN_COOKIE, SESSION_COOKIE, Sessions
from leadpact.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never `//elsewhere` or a full URL) to go back to after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(
    request: Request, sessions: Sessions, *, next_path: str, error: str | None, status: int
) -> Response:
    nonce, cookie = sessions.login_nonce(request.cookies.get(LOGIN_COOKIE))
    response = render(
        request,
        "login.html",
        status_code=status,
        login_csrf=sessions.csrf_token(nonce),
        next_path=next_path,
        error=error,
    )
    if cookie is not None:
        response.set_cookie(
            LOGIN_COOKIE, cookie, max_age=3600, httponly=True, samesite="lax", secure=sessions.secure
        )
    return response


@router.get("/login")
def login_form(request: Request, sessions: SessionsDep, next: str | None = None) -> Response:  # noqa: A002
    return _login_page(request, sessions, next_path=_safe_next(next), error=None, status=200)


@router.post("/login")
async def login(
    request: Request,
    sessions: SessionsDep,
    ws: WorkspaceDep,
    key: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002
) -> Response:
    next_path = _safe_next(next)
    nonce = sessions.login_nonce_of(request.cookies.get(LOGIN_COOKIE))
    if not sessions.csrf_ok(nonce, csrf_token):
        raise ApiError(
            403,
            "the sign-in form expired or did not come from this site: load /login again",
            code="csrf",
            field="csrf_token",
        )
    caller = await run_in_threadpool(caller_for_key, ws.engine, key.strip())
    if caller is None:
        return _login_page(
            request, sessions, next_path=next_path, error="Unknown or revoked key.", status=401
        )
    if not may(caller.role, READ):
        return _login_page(
            request,
            sessions,
            next_path=next_path,
            error=f"A {caller.role} key cannot read the dashboard.",
            status=403,
        )
    cookie, _session = sessions.issue(caller.key_id)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=sessions.max_age_s,
        httponly=True,
        samesite="lax",
        secure=sessions.secure,
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, sessions: SessionsDep) -> Response:
    session = session_of(request, sessions)
    if session is not None and not sessions.csrf_ok(session.nonce, await csrf_presented(request)):
        raise ApiError(403, "missing or wrong CSRF token", code="csrf", field="csrf_token")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
