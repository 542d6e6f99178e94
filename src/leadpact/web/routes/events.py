"""`POST /api/events`: one event or an array of them, ingested as one call (DESIGN.md §2, §9).

At most `MAX_EVENTS` events or `MAX_BYTES` bytes (413; the size is checked while the body is read, so an
endless body costs no memory); a body that is not JSON gets 400 naming the line, column and position. Else
200 with the `ingest --json` document, even when some events were refused; the line of an event is its
1-based index in the array. Idempotent by event id: sending a call again stores nothing new.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from leadpact.services.ingest import IngestInterrupted
from leadpact.services.posting import NotAllowed, post_events
from leadpact.web.deps import EventWriter, NowDep, WorkspaceDep
from leadpact.web.documents import DocResponse
from leadpact.web.errors import ApiError
from leadpact.web.schemas import EventIn, IngestDocument, errors

router = APIRouter(tags=["write"])

MAX_EVENTS = 10_000
MAX_BYTES = 10 * 1024 * 1024

_EVENT = EventIn.model_json_schema()
_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"oneOf": [_EVENT, {"type": "array", "items": _EVENT, "maxItems": MAX_EVENTS}]}
        }
    },
}


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` bytes (before buffering more)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"the body is over {limit:,} bytes", code="too_large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the body is over {limit:,} bytes", code="too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_events(body: bytes) -> list[Any]:
    """The events of a body: an object is one, an array is many; 400 naming where the JSON goes wrong."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"not UTF-8: byte {exc.start} ({body[exc.start]:#04x})", field="(body)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            f"bad JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (position {exc.pos})",
            code="bad_json",
            field="(body)",
        ) from None
    except RecursionError:
        raise ApiError(400, "bad JSON: nested too deeply", code="bad_json", field="(body)") from None
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        if len(data) > MAX_EVENTS:
            raise ApiError(
                413, f"{len(data):,} events: at most {MAX_EVENTS:,} in one call", code="too_many_events"
            )
        return data
    raise ApiError(400, "expected an event object or an array of events", code="bad_json", field="(body)")


@router.post(
    "/api/events",
    response_model=IngestDocument,
    responses=errors(400, 401, 403, 413, 503),
    openapi_extra={"requestBody": _BODY},
    summary="Ingest one event or an array (the `ingest --json` document; 200 even when some were refused)",
)
async def post_events_route(
    request: Request, caller: EventWriter, ws: WorkspaceDep, now: NowDep
) -> DocResponse:
    body = await read_body(request, MAX_BYTES)
    raws = await run_in_threadpool(parse_events, body) if len(body) > 65536 else parse_events(body)
    try:
        report = await run_in_threadpool(lambda: post_events(ws, raws, role=caller.role, now=now))
    except NotAllowed as exc:
        raise ApiError(403, str(exc), field="type") from None
    except IngestInterrupted as exc:
        raise ApiError(
            503, f"the store stopped answering ({exc}); send the call again: what was stored is a duplicate"
        ) from None
    return DocResponse(report.to_json())
