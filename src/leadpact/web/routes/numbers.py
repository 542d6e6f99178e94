"""The numbers: a period's metrics, the plan, routing fairness, and the pact in force."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from leadpact.domain.periods import parse_period
from leadpact.services.metrics import metrics
from leadpact.services.pact_view import pact_view
from leadpact.services.plan import plan_view
from leadpact.services.routing_views import fairness_view
from leadpact.web.deps import NowDep, Reader, WorkspaceDep
from leadpact.web.documents import AsOfQuery, DocResponse, PeriodQuery, instant, period_label
from leadpact.web.errors import ApiError
from leadpact.web.schemas import FairnessDocument, MetricsDocument, PactDocument, PlanDocument, errors

router = APIRouter(tags=["numbers"])


@router.get(
    "/api/metrics",
    response_model=MetricsDocument,
    responses=errors(401, 403, 422),
    summary="Every metric of a period (`leadpact metrics --json`); default the current month",
)
async def get_metrics(
    ws: WorkspaceDep, now: NowDep, _: Reader, period: PeriodQuery = None, as_of: AsOfQuery = None
) -> DocResponse:
    when = instant(as_of, now)
    label = period_label(period, ws.pact.timezone, when)
    try:
        doc = await run_in_threadpool(lambda: metrics(ws.engine, ws.pact, ws.rules, label, as_of=when))
    except ValueError as exc:
        raise ApiError(422, f"period: {exc}", field="period") from None
    return DocResponse(doc)


@router.get(
    "/api/plan",
    response_model=PlanDocument,
    responses=errors(401, 403, 422),
    summary="The revenue-to-lead waterfall of the pact in force (`leadpact plan --json`)",
)
def get_plan(ws: WorkspaceDep, _: Reader, period: PeriodQuery = None) -> DocResponse:
    try:
        return DocResponse(plan_view(ws.pact, period=period))
    except ValueError as exc:
        raise ApiError(422, str(exc), field="period" if period else None) from None


@router.get(
    "/api/routing/fairness",
    response_model=FairnessDocument,
    responses=errors(401, 403, 404, 422),
    summary="Expected vs received round-robin assignments per rep (`leadpact routing fairness --json`)",
)
async def get_fairness(ws: WorkspaceDep, now: NowDep, _: Reader, period: PeriodQuery = None) -> DocResponse:
    routing = ws.routing
    if routing is None:
        raise ApiError(404, "routing needs the roster: no team.yaml beside the pact", code="no_roster")
    p = parse_period(period_label(period, ws.pact.timezone, now), ws.pact.timezone)
    view = await run_in_threadpool(fairness_view, ws.engine, routing, p.start, p.end, now)
    return DocResponse({"period": p.label, **view})


@router.get(
    "/api/pact",
    response_model=PactDocument,
    responses=errors(401, 403),
    summary="The pact in force: version, since when, whether pact.yaml differs, signatures",
)
def get_pact(ws: WorkspaceDep, _: Reader) -> DocResponse:
    return DocResponse(pact_view(ws))
