"""`/marketing` (`?month=2026-03` for another month): the month's volume against target and acceptance
by source; reasons and volume over the six months up to it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from leadpact.charts.metrics import (
    acceptance_by_source_chart,
    reasons_trend_chart,
    volume_by_source_chart,
    volume_trend_chart,
)
from leadpact.services import dashboard
from leadpact.web.deps import NowDep, PageCaller, WorkspaceDep
from leadpact.web.live import MonthQuery, month_param, page

router = APIRouter()


@router.get("/marketing")
async def marketing_page(
    request: Request, caller: PageCaller, ws: WorkspaceDep, now: NowDep, month: MonthQuery = None
) -> Response:
    view = await run_in_threadpool(dashboard.marketing, ws, now, month_param(ws, month))
    doc = view["metrics"]
    targets = dashboard.commitments_of(ws.pact)
    specs = {
        "volume": volume_by_source_chart(doc),
        "acceptance": acceptance_by_source_chart(doc, target=targets.acceptance_min),
        "volume_trend": volume_trend_chart(view["trend"]),
        "reasons_trend": reasons_trend_chart(view["trend"]),
    }
    return page(
        request, caller, ws, "marketing", title="Marketing", view=view, m=doc, targets=targets, specs=specs
    )
