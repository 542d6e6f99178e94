"""`/pact`: the pact in force — the one-page SLA as both heads sign it, its version and signatures, every
version recorded, what changed from the previous one key by key — and its YAML."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from leadpact.reports.render import fragment, stylesheet
from leadpact.services.sla_doc import pact_page as pact_page_view
from leadpact.web.deps import NowDep, PageCaller, SettingsDep, WorkspaceDep
from leadpact.web.live import page
from leadpact.web.templating import render

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


@router.get("/pact/whatif")
async def pact_whatif(
    request: Request, caller: PageCaller, ws: WorkspaceDep, now: NowDep, period: str | None = None
) -> Response:
    """What-if before signing: the pact file replayed over a period (the last full quarter by default) beside
    the pact in force — `leadpact replay`'s numbers, as a fragment the pact page loads on demand."""
    from leadpact.charts.learning import whatif_chart
    from leadpact.pact import PactError
    from leadpact.services.whatif import default_period, replay

    context: dict[str, Any] = {"zone": ws.pact.timezone, "result": None, "problem": None, "spec": None}
    if not ws.file_differs:
        context["problem"] = "pact.yaml is the version in force: edit it to see what a change would do."
        return render(request, "partials/whatif.html", caller=caller, **context)
    chosen = period or default_period(ws, now)
    try:
        result = await run_in_threadpool(lambda: replay(ws, chosen, as_of=now))
    except ValueError as exc:
        context["problem"] = f"period: {exc}"
    except PactError as exc:
        context["problem"] = f"team.yaml does not fit the proposed pact ({len(exc.issues)} error(s))"
    else:
        context["result"], context["spec"] = result, whatif_chart(result)
    return render(request, "partials/whatif.html", caller=caller, **context)
