"""The web application: the API (`/api/...`, `/hooks/...`), the dashboard's pages, sign-in, static files.

`create_app(settings)` opens the workspace (the store, migrated, and the pact in force) before it answers
anything, so a bad pact or an unreachable store stops `leadpact serve` at start-up with a clear line.

Layout of `leadpact.web`:
    app.py        this factory          settings.py   validated settings     errors.py   the error shape
    deps.py       Annotated dependencies: workspace, now, caller with a right
    sessions.py   signed session cookies and CSRF      login.py    /login, /logout
    routes/       the API, one module per question     stream.py   the live change feed behind /api/stream
    pages/        the dashboard's pages                templates/, static/   their templates and assets
    server.py     `leadpact serve`: uvicorn, and the worker as a child process
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from leadpact.services.keys import shared_secret
from leadpact.services.workspace import Workspace, open_workspace
from leadpact.web import errors
from leadpact.web.deps import WorkspaceHolder, clean_parameters
from leadpact.web.sessions import Sessions
from leadpact.web.settings import WebSettings
from leadpact.web.stream import ChangeFeed

log = logging.getLogger("leadpact.web")

DESCRIPTION = """The marketing-sales SLA engine's API. Every body has the shape of the CLI's `--json` for the
same question. Authenticate with `Authorization: Bearer KEY` (a key from `leadpact keys create`); errors
answer `{"error": {"code", "message", "field"?}}`."""


def create_app(settings: WebSettings, *, workspace: Workspace | None = None) -> FastAPI:
    ws = workspace or open_workspace(settings.pact_file, settings.db_url, now=datetime.now(UTC))
    secret = (
        settings.secret.get_secret_value()
        if settings.secret is not None
        else shared_secret(ws.engine, now=datetime.now(UTC))
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        stream = getattr(app.state, "stream", None)
        if stream is not None:
            await stream.stop()

    app = FastAPI(
        title="leadpact",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(clean_parameters)],  # a NUL in any parameter is 422, on pages too
        docs_url="/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.holder = WorkspaceHolder(ws)
    app.state.stream = ChangeFeed(app.state.holder)
    app.state.sessions = Sessions(
        secret, max_age_s=settings.session_hours * 3600, secure=settings.secure_cookies
    )
    errors.install(app)

    from leadpact.web import login, pages, routes
    from leadpact.web.templating import STATIC

    app.include_router(routes.router)
    app.include_router(login.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app
