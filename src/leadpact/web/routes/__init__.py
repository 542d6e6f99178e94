"""The API (DESIGN.md §9): one module per kind of question; each route parses, checks the caller's right,
calls one service (the one the CLI calls for the same question) and renders its document."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from leadpact.services.posting import bad_text
from leadpact.web.errors import ApiError
from leadpact.web.routes import accountability, events, hooks, numbers, reads, reports, stream


def clean_parameters(request: Request) -> None:
    """A query or path parameter no store can hold (a NUL, a lone surrogate) is 422, not a database error."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        found = bad_text(value, name) if isinstance(value, str) else None
        if found is not None:
            raise ApiError(422, f"{name}: {found[1]}", code="invalid", field=name)


router = APIRouter(dependencies=[Depends(clean_parameters)])
router.include_router(events.router)
router.include_router(reads.router)
router.include_router(accountability.router)
router.include_router(numbers.router)
router.include_router(reports.router)
router.include_router(stream.router)
router.include_router(hooks.router)
