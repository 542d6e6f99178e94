"""The reviews and the one-page SLA as documents (DESIGN.md §11): `GET /api/reports/{kind}` answers what
`leadpact report KIND --format F` prints, `GET /api/doc` what `leadpact doc --format F` prints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from leadpact.reports.choices import Format, Kind
from leadpact.web.deps import NowDep, Reader, WorkspaceDep
from leadpact.web.documents import AsOfQuery, instant
from leadpact.web.errors import ApiError
from leadpact.web.schemas import errors

router = APIRouter(tags=["reports"])

MEDIA = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}
CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/html": {}, "text/markdown": {}, "application/pdf": {}},
        "description": "The document",
    }
}


FormatQuery = Annotated[Format, Query(alias="format", description="html (default), pdf or md.")]
ReportPeriodQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="The week (2026-W10), month (2026-03), quarter (2026-Q1) or year (2026) reviewed; "
        "default the last closed one.",
    ),
]


def _answer(data: bytes, fmt: Format, filename: str) -> Response:
    disposition = "attachment" if fmt is Format.pdf else "inline"
    return Response(
        data,
        media_type=MEDIA[fmt.value],
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get(
    "/api/reports/{kind}",
    response_class=Response,
    responses={**CONTENT, **errors(401, 403, 422, 503)},
    summary="A review: weekly, monthly, quarterly or annual (`leadpact report KIND`)",
)
async def get_report(
    kind: Kind,
    ws: WorkspaceDep,
    now: NowDep,
    _: Reader,
    period: ReportPeriodQuery = None,
    fmt: FormatQuery = Format.html,
    as_of: AsOfQuery = None,
) -> Response:
    from leadpact.reports.render import PdfUnavailable, render_report
    from leadpact.services.reviews import ReportError, review_document

    when = instant(as_of, now)

    def build() -> tuple[bytes, str]:
        doc = review_document(ws, kind.value, period, now=when)
        return render_report(doc, fmt.value), doc["period"]

    try:
        data, label = await run_in_threadpool(build)
    except ReportError as exc:
        raise ApiError(422, f"period: {exc}", field="period") from None
    except PdfUnavailable as exc:
        raise ApiError(503, str(exc), code="pdf_unavailable") from None
    return _answer(data, fmt, f"report-{kind.value}-{label}.{fmt.value}")


@router.get(
    "/api/doc",
    response_class=Response,
    responses={**CONTENT, **errors(401, 403, 503)},
    summary="The one-page SLA of the pact in force (`leadpact doc`); PDF by default",
)
async def get_doc(
    request: Request, ws: WorkspaceDep, now: NowDep, _: Reader, fmt: FormatQuery = Format.pdf
) -> Response:
    from leadpact.reports.render import PdfUnavailable, render
    from leadpact.services.sla_doc import sla_document

    settings = request.app.state.settings
    dashboard = settings.public_url or str(request.base_url).rstrip("/")

    def build() -> tuple[bytes, str]:
        doc = sla_document(ws, now=now, dashboard_url=f"{dashboard}/")
        return render("doc", doc, fmt.value), doc["version"]

    try:
        data, version = await run_in_threadpool(build)
    except PdfUnavailable as exc:
        raise ApiError(503, str(exc), code="pdf_unavailable") from None
    return _answer(data, fmt, f"sla-{version}.{fmt.value}")
