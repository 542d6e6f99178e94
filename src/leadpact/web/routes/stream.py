"""`GET /api/stream`: server-sent events `metrics`, `clock` and `pact` (see `leadpact.web.stream`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from leadpact.web.deps import Reader
from leadpact.web.schemas import errors
from leadpact.web.stream import ChangeFeed, event_stream

router = APIRouter(tags=["live"])


@router.get(
    "/api/stream",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "events: metrics, clock, pact"},
        **errors(401, 403),
    },
    summary="Live changes as server-sent events (metrics, clock, pact)",
)
async def get_stream(request: Request, _: Reader) -> StreamingResponse:
    feed: ChangeFeed = request.app.state.stream
    return StreamingResponse(
        event_stream(feed),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
