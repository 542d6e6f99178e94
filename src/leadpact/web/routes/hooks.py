"""`POST /hooks/hubspot`: HubSpot contact webhooks, signature v3 verified, mapped and ingested.

HubSpot signs `method + URI + body + timestamp` with HMAC-SHA256 under the app's client secret
(`LEADPACT_HUBSPOT_SECRET`) and sends it base64-encoded in `X-HubSpot-Signature-v3`, the timestamp (epoch
ms) in `X-HubSpot-Request-Timestamp`. The URI is the one HubSpot called: scheme, host, path and query —
behind a proxy, set `LEADPACT_PUBLIC_URL` to the scheme and host HubSpot sees. A timestamp more than five
minutes old or ahead, or a signature that does not match (compared in constant time), gets 401; nothing of
the body or the secret is ever logged or echoed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import unquote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from leadpact.services.hubspot import receive_contacts
from leadpact.web.deps import NowDep, SettingsDep, WorkspaceDep
from leadpact.web.documents import DocResponse
from leadpact.web.errors import ApiError
from leadpact.web.routes.events import MAX_BYTES, read_body
from leadpact.web.schemas import IngestDocument, errors
from leadpact.web.settings import WebSettings

router = APIRouter(tags=["hooks"])

MAX_SKEW_MS = 5 * 60 * 1000
# HubSpot decodes these in the URI before signing it
_DECODED = ("%3A", "%2F", "%3F", "%40", "%21", "%24", "%27", "%28", "%29", "%2A", "%2C", "%3B")


def signed_uri(request: Request, settings: WebSettings) -> str:
    base = settings.public_url or f"{request.url.scheme}://{request.url.netloc}"
    uri = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    for code in _DECODED:
        uri = uri.replace(code, unquote(code)).replace(code.lower(), unquote(code))
    return uri


def verify(secret: str, method: str, uri: str, body: bytes, timestamp: str, signature: str) -> bool:
    source = method.encode() + uri.encode() + body + timestamp.encode()
    expected = base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("ascii", "replace"))


def check_timestamp(timestamp: str | None, now: datetime) -> str:
    if timestamp is None or not timestamp.strip().isdigit() or len(timestamp.strip()) > 16:
        raise ApiError(
            401, "X-HubSpot-Request-Timestamp is missing or not epoch milliseconds", code="signature"
        )
    skew = abs(now.timestamp() * 1000 - int(timestamp.strip()))
    if skew > MAX_SKEW_MS:
        raise ApiError(401, "the request timestamp is more than 5 minutes off", code="signature")
    return timestamp.strip()


@router.post(
    "/hooks/hubspot",
    response_model=IngestDocument,
    responses=errors(400, 401, 413, 503),
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}
        }
    },
    summary="HubSpot contact webhooks (signature v3); the `ingest --json` document",
)
async def hubspot_hook(request: Request, settings: SettingsDep, ws: WorkspaceDep, now: NowDep) -> DocResponse:
    if settings.hubspot_secret is None:
        raise ApiError(503, "HubSpot webhooks are off: set LEADPACT_HUBSPOT_SECRET", code="not_configured")
    signature = request.headers.get("x-hubspot-signature-v3")
    if not signature:
        raise ApiError(401, "X-HubSpot-Signature-v3 is missing", code="signature")
    timestamp = check_timestamp(request.headers.get("x-hubspot-request-timestamp"), now)
    body = await read_body(request, MAX_BYTES)
    secret = settings.hubspot_secret.get_secret_value()
    if not verify(secret, request.method, signed_uri(request, settings), body, timestamp, signature):
        raise ApiError(401, "the signature does not match", code="signature")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ApiError(400, "the body is not JSON", code="bad_json", field="(body)") from None
    report = await run_in_threadpool(lambda: receive_contacts(ws, payload, now=now))
    return DocResponse(report.to_json())
