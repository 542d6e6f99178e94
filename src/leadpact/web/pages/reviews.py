"""`/reviews`: the reviews of recent periods (weekly, monthly, quarterly, annual), each as a page, PDF or
Markdown; `/reviews/{kind}/{period}`: one review rendered in the dashboard (`leadpact report`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from leadpact.reports.render import fragment, report_context, stylesheet
from leadpact.services.reviews import KINDS, ReportError, recent_periods, review_document
from leadpact.web.deps import NowDep, PageCaller, WorkspaceDep
from leadpact.web.live import page

router = APIRouter()


@router.get("/reviews")
def reviews_page(request: Request, caller: PageCaller, ws: WorkspaceDep, now: NowDep) -> Response:
    listed = {kind: recent_periods(kind, ws.pact.timezone, now) for kind in KINDS}
    return page(request, caller, ws, "reviews", title="Reviews", live=False, listed=listed)


@router.get("/reviews/{kind}/{period}")
async def review_page(
    request: Request,
    caller: PageCaller,
    ws: WorkspaceDep,
    now: NowDep,
    kind: Annotated[str, Path(max_length=20)],
    period: Annotated[str, Path(max_length=64)],
) -> Response:
    def build() -> tuple[dict[str, object], object]:
        doc = review_document(ws, kind, period, now=now)
        return doc, fragment("report_body", doc, **report_context(doc, "html"))

    try:
        doc, body = await run_in_threadpool(build)
    except ReportError as exc:
        response = page(
            request, caller, ws, "review", title="Review", live=False, kind=kind, period=period, body=None,
            error=str(exc), document_css="",
        )  # fmt: skip
        response.status_code = 404 if kind not in KINDS else 422
        return response
    return page(
        request,
        caller,
        ws,
        "review",
        title=f"{kind.capitalize()} review {doc['period']}",
        live=False,
        kind=kind,
        period=doc["period"],
        body=body,
        error=None,
        document_css=stylesheet(),
    )
