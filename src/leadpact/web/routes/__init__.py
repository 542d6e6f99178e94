"""The API (DESIGN.md §9): one module per kind of question; each route parses, checks the caller's right,
calls one service (the one the CLI calls for the same question) and renders its document."""

from __future__ import annotations

from fastapi import APIRouter

from leadpact.web.routes import accountability, events, hooks, numbers, reads, reports, stream

router = APIRouter()
router.include_router(events.router)
router.include_router(reads.router)
router.include_router(accountability.router)
router.include_router(numbers.router)
router.include_router(reports.router)
router.include_router(stream.router)
router.include_router(hooks.router)
