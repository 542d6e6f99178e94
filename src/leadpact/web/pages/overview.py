"""`/` (`?month=2026-03` for another month): the current month in the pact's zone — both teams'
scorecard, MQL pace with the projected month end, acceptance, response compliance by tier, touches,
disposition, reasons with their actions, pipeline by source, the funnel with its largest leak named, open
escalations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from leadpact.charts.metrics import (
    compliance_by_tier_chart,
    funnel_chart,
    pace_chart,
    pipeline_by_source_chart,
    reasons_chart,
)
from leadpact.services import dashboard
from leadpact.web.deps import NowDep, PageCaller, WorkspaceDep
from leadpact.web.live import MonthQuery, month_param, page

router = APIRouter()


@router.get("/")
async def overview_page(
    request: Request, caller: PageCaller, ws: WorkspaceDep, now: NowDep, month: MonthQuery = None
) -> Response:
    view = await run_in_threadpool(dashboard.overview, ws, now, month_param(ws, month))
    doc = view["metrics"]
    targets = dashboard.commitments_of(ws.pact)
    specs = {
        "pace": pace_chart(doc),
        "tiers": compliance_by_tier_chart(doc, target=targets.compliance_min),
        "pipeline": pipeline_by_source_chart(doc),
        "funnel": funnel_chart(doc),
        "reasons": reasons_chart(doc),
    }
    return page(
        request,
        caller,
        ws,
        "overview",
        title="Overview",
        view=view,
        m=doc,
        targets=targets,
        response=ws.pact.response,
        specs=specs,
        escalations=view["escalations"],
    )
