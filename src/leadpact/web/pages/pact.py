"""`/pact`: the pact in force — its version, since when, signatures — and its YAML. (The one-page SLA, the
versions and their diff come with the accountability pages.)"""

from __future__ import annotations

import yaml
from fastapi import APIRouter, Request
from starlette.responses import Response

from leadpact.services.pact_view import pact_view
from leadpact.web.deps import PageCaller, WorkspaceDep
from leadpact.web.live import page

router = APIRouter()


@router.get("/pact")
def pact_page(request: Request, caller: PageCaller, ws: WorkspaceDep) -> Response:
    text = yaml.safe_dump(ws.pact.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100)
    return page(request, caller, ws, "pact", title="Pact", live=False, view=pact_view(ws), yaml_text=text)
