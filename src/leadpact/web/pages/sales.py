"""`/sales`: per rep, the open handoffs with live countdowns to their due times, this month's breaches (and
the ones still unworked), compliance and touches; the handoffs waiting for a rep."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from leadpact.services import dashboard
from leadpact.web.deps import NowDep, PageCaller, WorkspaceDep
from leadpact.web.live import page

router = APIRouter()


@router.get("/sales")
async def sales_page(request: Request, caller: PageCaller, ws: WorkspaceDep, now: NowDep) -> Response:
    view = await run_in_threadpool(dashboard.sales, ws, now)
    return page(
        request,
        caller,
        ws,
        "sales",
        title="Sales",
        view=view,
        m=view["metrics"],
        targets=dashboard.commitments_of(ws.pact),
        now_iso=now.isoformat(),
    )
