"""`/leads`: find a lead by id; `/leads/{id}`: the `lead` view (`leadpact lead ID`), live."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from leadpact.services.leads import lead_view
from leadpact.web.deps import NowDep, PageCaller, WorkspaceDep
from leadpact.web.live import page

router = APIRouter()


@router.get("/leads")
def find_lead(
    request: Request,
    caller: PageCaller,
    ws: WorkspaceDep,
    id: Annotated[str | None, Query(max_length=200)] = None,  # noqa: A002
) -> Response:
    wanted = (id or "").strip()
    if wanted:
        return RedirectResponse(f"/leads/{quote(wanted, safe='')}", status_code=303)
    return page(request, caller, ws, "lead", title="Leads", live=False, lead=None, wanted="")


@router.get("/leads/{lead_id}")
async def lead_page(
    request: Request,
    caller: PageCaller,
    ws: WorkspaceDep,
    now: NowDep,
    lead_id: Annotated[str, Path(max_length=200)],
) -> Response:
    view = await run_in_threadpool(lead_view, ws.engine, ws.versions, lead_id, as_of=now)
    response = page(
        request, caller, ws, "lead", title=f"Lead {lead_id}", live=view is not None, lead=view, wanted=lead_id
    )
    if view is None:
        response.status_code = 404
    return response
