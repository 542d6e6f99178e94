"""`/pact`: the pact in force — the one-page SLA as both heads sign it, its version and signatures, every
version recorded, what changed from the previous one key by key — and its YAML."""

from __future__ import annotations

import yaml
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from leadpact.reports.render import fragment, stylesheet
from leadpact.services.sla_doc import pact_page as pact_page_view
from leadpact.web.deps import NowDep, PageCaller, SettingsDep, WorkspaceDep
from leadpact.web.live import page

router = APIRouter()


@router.get("/pact")
async def pact_page(
    request: Request, caller: PageCaller, ws: WorkspaceDep, now: NowDep, settings: SettingsDep
) -> Response:
    dashboard = settings.public_url or str(request.base_url).rstrip("/")
    view = await run_in_threadpool(lambda: pact_page_view(ws, now=now, dashboard_url=f"{dashboard}/"))
    text = yaml.safe_dump(ws.pact.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100)
    return page(
        request,
        caller,
        ws,
        "pact",
        title="Pact",
        live=False,
        view=view["view"],
        versions=view["versions"],
        diff=view["diff"],
        document=fragment("doc_body", view["doc"]),
        document_css=stylesheet(),
        yaml_text=text,
    )
