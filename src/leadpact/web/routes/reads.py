"""What people read: a lead, the clock queue, who owes what, the handoffs waiting for a rep."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from leadpact.domain.periods import parse_period
from leadpact.services.leads import lead_view
from leadpact.services.routing_views import queue_view
from leadpact.services.violations import clock_page, list_violation_views, violation_key
from leadpact.web.deps import NowDep, Reader, WorkspaceDep
from leadpact.web.documents import AsOfQuery, DocResponse, PeriodQuery, instant
from leadpact.web.errors import ApiError
from leadpact.web.pagination import CursorQuery, LimitQuery, decode_cursor, encode_cursor, page_of
from leadpact.web.schemas import ClockPage, LeadDocument, QueuePage, ViolationPage, errors

router = APIRouter(tags=["read"])
_READ_ERRORS = errors(401, 403, 422)


@router.get(
    "/api/leads/{lead_id}",
    response_model=LeadDocument,
    responses=errors(401, 403, 404, 422),
    summary="One lead (`leadpact lead ID --json`)",
)
async def get_lead(
    lead_id: Annotated[str, Path(max_length=200)],
    ws: WorkspaceDep,
    now: NowDep,
    _: Reader,
    as_of: AsOfQuery = None,
) -> DocResponse:
    when = instant(as_of, now)
    view = await run_in_threadpool(lead_view, ws.engine, ws.versions, lead_id, as_of=when)
    if view is None:
        raise ApiError(404, f"no lead {lead_id!r}: no event names it", field="lead_id")
    return DocResponse(view)


@router.get(
    "/api/clocks",
    response_model=ClockPage,
    responses=_READ_ERRORS | errors(400),
    summary="The clock queue (`leadpact clocks --json`), a page at a time",
)
async def get_clocks(
    ws: WorkspaceDep,
    now: NowDep,
    _: Reader,
    state: Literal["open", "breached", "met", "cancelled"] | None = None,
    rep: Annotated[str | None, Query(max_length=200)] = None,
    kind: Literal["first_contact", "disposition", "touches"] | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 100,
) -> DocResponse:
    key = decode_cursor(cursor, 4)
    if key is not None and not (
        isinstance(key[0], int)
        and isinstance(key[1], str)
        and isinstance(key[2], int)
        and isinstance(key[3], str)
    ):
        raise ApiError(400, "not a cursor this list gave", field="cursor")
    after = None if key is None else (key[0], key[1], key[2], key[3])
    views, next_key = await run_in_threadpool(
        lambda: clock_page(ws.engine, now=now, status=state, rep=rep, kind=kind, after=after, limit=limit)
    )
    return DocResponse({"items": views, "next_cursor": None if next_key is None else encode_cursor(next_key)})


@router.get(
    "/api/violations",
    response_model=ViolationPage,
    responses=_READ_ERRORS | errors(400),
    summary="Who owes what (`leadpact violations --json`), a page at a time",
)
async def get_violations(
    ws: WorkspaceDep,
    now: NowDep,
    _: Reader,
    period: PeriodQuery = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 100,
) -> DocResponse:
    start = end = None
    if period:
        try:
            p = parse_period(period, ws.pact.timezone)
        except ValueError as exc:
            raise ApiError(422, f"period: {exc}", field="period") from None
        start, end = p.start, p.end
    views = await run_in_threadpool(
        lambda: list_violation_views(
            ws.engine, now=now, versions=ws.versions, timezone=ws.pact.timezone, start=start, end=end
        )
    )
    return DocResponse(page_of(views, violation_key, 5, cursor, limit))


def _queue_key(item: dict[str, object]) -> tuple[object, ...]:
    return (item["mql_at"], item["lead_id"], item["handoff"])


@router.get(
    "/api/queue",
    response_model=QueuePage,
    responses=_READ_ERRORS | errors(400),
    summary="Handoffs waiting for a rep (`leadpact queue --json`), a page at a time",
)
async def get_queue(
    ws: WorkspaceDep, now: NowDep, _: Reader, cursor: CursorQuery = None, limit: LimitQuery = 100
) -> DocResponse:
    rows = await run_in_threadpool(queue_view, ws.engine, now)
    return DocResponse(page_of(rows, _queue_key, 3, cursor, limit))
