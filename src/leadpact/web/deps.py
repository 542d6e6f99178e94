"""What routes depend on, as `Annotated` aliases: the workspace in force, now, and the caller with a right.

    @router.get("/api/metrics")
    def get_metrics(ws: WorkspaceDep, now: NowDep, _: Reader) -> dict: ...

The caller comes from `Authorization: Bearer KEY` (no or an unknown key: 401), else from the dashboard's
session cookie (state-changing requests also need the CSRF token: 403 without it). A caller without the
right gets 403. The key is looked up on every request, so a revoked key stops at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from leadpact.domain.access import ACCOUNT, READ, WRITE_EVENTS, may
from leadpact.services.keys import Caller, caller_for_id, caller_for_key
from leadpact.services.posting import bad_text
from leadpact.services.versions import versions_head
from leadpact.services.workspace import Workspace
from leadpact.web.errors import ApiError, SignInRequired
from leadpact.web.sessions import CSRF_FIELD, CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, Session, Sessions
from leadpact.web.settings import WebSettings

REFRESH_EVERY = 1.0  # seconds between two looks at the store's pact versions


class WorkspaceHolder:
    """The workspace a server answers from. At most every `REFRESH_EVERY` seconds it reads the store's pact
    versions again (`Workspace.refresh`), so a `pact apply` made elsewhere is in force here within a second;
    a changed workspace is a new object, swapped in whole, so a request never sees half of each."""

    def __init__(self, ws: Workspace, every: float = REFRESH_EVERY) -> None:
        self._ws = ws
        self._every = every
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def current(self, now: datetime) -> Workspace:
        if time.monotonic() - self._checked >= self._every and self._lock.acquire(blocking=False):
            try:
                ws = self._ws
                if versions_head(ws.engine) != ws.head:
                    fresh = replace(ws)  # the cached rules and routing stay with the old object
                    if fresh.refresh(now):
                        self._ws = fresh
                self._checked = time.monotonic()
            finally:
                self._lock.release()
        return self._ws

    @property
    def workspace(self) -> Workspace:
        return self._ws


def get_now() -> datetime:
    return datetime.now(UTC)


def get_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


NowDep = Annotated[datetime, Depends(get_now)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]
SessionsDep = Annotated[Sessions, Depends(get_sessions)]


def get_workspace(request: Request, now: NowDep) -> Workspace:
    holder: WorkspaceHolder = request.app.state.holder
    return holder.current(now)


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "the Authorization header must be `Bearer KEY`", headers=_UNAUTHORIZED)
    return token.strip()


def session_of(request: Request, sessions: Sessions) -> Session | None:
    return sessions.read(request.cookies.get(SESSION_COOKIE))


async def csrf_presented(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # kept by the request: the route can read it again
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def get_caller(request: Request, sessions: SessionsDep, ws: WorkspaceDep) -> Caller:
    """The caller of an API request: a key, else a signed-in session; 401 when neither."""
    from starlette.concurrency import run_in_threadpool

    token = _bearer(request)
    if token is not None:
        caller = await run_in_threadpool(caller_for_key, ws.engine, token)
        if caller is None:
            raise ApiError(401, "unknown or revoked key", headers=_UNAUTHORIZED)
        return caller
    session = session_of(request, sessions)
    if session is not None:
        caller = await run_in_threadpool(caller_for_id, ws.engine, session.key_id)
        if caller is not None:
            if request.method not in SAFE_METHODS and not sessions.csrf_ok(
                session.nonce, await csrf_presented(request)
            ):
                raise ApiError(403, "missing or wrong CSRF token", code="csrf", field=CSRF_FIELD)
            return caller
    raise ApiError(401, "sign in: send `Authorization: Bearer KEY`", headers=_UNAUTHORIZED)


CallerDep = Annotated[Caller, Depends(get_caller)]


def require(permission: str) -> Any:
    def check(caller: CallerDep) -> Caller:
        if not may(caller.role, permission):
            raise ApiError(403, f"a {caller.role} key may not do this")
        return caller

    return check


Reader = Annotated[Caller, Depends(require(READ))]
EventWriter = Annotated[Caller, Depends(require(WRITE_EVENTS))]
Accountable = Annotated[Caller, Depends(require(ACCOUNT))]


async def get_page_caller(request: Request, sessions: SessionsDep, ws: WorkspaceDep) -> Caller:
    """The caller of a dashboard page: a signed-in session (or a key); without one, the browser signs in."""
    try:
        caller = await get_caller(request, sessions, ws)
    except ApiError as exc:
        if exc.status == 401:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target) from None
        raise
    if not may(caller.role, READ):
        raise ApiError(403, f"a {caller.role} key cannot read the dashboard")
    return caller


PageCaller = Annotated[Caller, Depends(get_page_caller)]


def clean_parameters(request: Request) -> None:
    """A query or path parameter no store can hold (a NUL, a lone surrogate) is 422, not a database error;
    the app runs it before every route, API and page alike."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        found = bad_text(value, name) if isinstance(value, str) else None
        if found is not None:
            raise ApiError(422, f"{name}: {found[1]}", code="invalid", field=name)
