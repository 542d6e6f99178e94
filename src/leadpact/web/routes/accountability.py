"""Accountability over HTTP (DESIGN.md §9, §10): escalations and resolving them, the reviews' decisions,
commitments met or missed, the pact's versions. Each answers the CLI's `--json` document for the same
question; a `marketing` or `sales` key resolves and closes only its own team's, `admin` any team's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from leadpact.domain.access import team_of
from leadpact.services.commitments import commitments_document
from leadpact.services.decisions import (
    DecisionDone,
    DecisionNotFound,
    NotYourDecision,
    decide,
    list_decisions,
    mark_done,
)
from leadpact.services.escalation_views import (
    EscalationNotFound,
    EscalationResolved,
    NotYourTeam,
    list_escalations,
    resolve_escalation,
)
from leadpact.services.pact_history import versions_document
from leadpact.web.deps import Accountable, NowDep, Reader, WorkspaceDep
from leadpact.web.documents import AsOfQuery, DocResponse, instant
from leadpact.web.errors import ApiError
from leadpact.web.pagination import CursorQuery, LimitQuery, page_of
from leadpact.web.schemas import (
    CommitmentsDocument,
    DecisionIn,
    DecisionPage,
    DecisionView,
    DoneIn,
    EscalationPage,
    EscalationView,
    PactVersionsDocument,
    ResolveIn,
    errors,
)

router = APIRouter(tags=["accountability"])
IdPath = Annotated[int, Path(ge=1, le=2**62)]


def _escalation_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item["opened_at"], item["id"])


def _decision_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item["due"], item["id"])


async def _change_one(
    work: Callable[[], dict[str, Any]],
    *,
    field: str,
    not_found: type[Exception],
    not_yours: type[Exception],
    done: type[Exception],
) -> DocResponse:
    """Run a change of one escalation or decision: one that does not exist is 404 naming `field`, another
    team's 403, one resolved or done already 409."""
    try:
        return DocResponse(await run_in_threadpool(work))
    except not_found as exc:
        raise ApiError(404, str(exc), field=field) from None
    except not_yours as exc:
        raise ApiError(403, str(exc)) from None
    except done as exc:
        raise ApiError(409, str(exc), code="conflict") from None


@router.get(
    "/api/escalations",
    response_model=EscalationPage,
    responses=errors(400, 401, 403, 422),
    summary="Escalations (`leadpact escalations --json`), a page at a time",
)
async def get_escalations(
    ws: WorkspaceDep,
    now: NowDep,
    _: Reader,
    state: Literal["open", "overdue", "resolved"] | None = None,
    as_of: AsOfQuery = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 100,
) -> DocResponse:
    when = instant(as_of, now)
    views = await run_in_threadpool(lambda: list_escalations(ws.engine, now=when, state=state))
    return DocResponse(page_of(views, _escalation_key, 2, cursor, limit))


@router.post(
    "/api/escalations/{escalation_id}/resolve",
    response_model=EscalationView,
    responses=errors(400, 401, 403, 404, 409, 422),
    summary="Resolve an escalation with the plan agreed (`leadpact escalations resolve ID --plan TEXT`)",
)
async def post_resolve(
    escalation_id: IdPath, body: ResolveIn, ws: WorkspaceDep, now: NowDep, caller: Accountable
) -> DocResponse:
    def work() -> dict[str, Any]:
        return resolve_escalation(
            ws.engine, escalation_id, plan=body.plan, by=body.by or caller.name, now=now,
            team=team_of(caller.role),
        )  # fmt: skip

    try:
        return await _change_one(
            work,
            field="escalation_id",
            not_found=EscalationNotFound,
            not_yours=NotYourTeam,
            done=EscalationResolved,
        )
    except ValueError as exc:  # an empty plan
        raise ApiError(422, str(exc), field="plan") from None


@router.get(
    "/api/decisions",
    response_model=DecisionPage,
    responses=errors(400, 401, 403, 422),
    summary="The reviews' decisions (`leadpact decisions --json`), a page at a time",
)
async def get_decisions(
    ws: WorkspaceDep,
    now: NowDep,
    _: Reader,
    open_only: Annotated[bool, Query(alias="open", description="Only those not done.")] = False,
    as_of: AsOfQuery = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 100,
) -> DocResponse:
    when = instant(as_of, now)
    views = await run_in_threadpool(
        lambda: list_decisions(ws.engine, now=when, tz=ws.pact.timezone, open_only=open_only)
    )
    return DocResponse(page_of(views, _decision_key, 2, cursor, limit))


@router.post(
    "/api/decisions",
    response_model=DecisionView,
    status_code=201,
    responses=errors(400, 401, 403, 422),
    summary="Record a decision of a review (`leadpact decide TEXT --owner EMAIL --due DATE --team T`)",
)
async def post_decision(body: DecisionIn, ws: WorkspaceDep, now: NowDep, caller: Accountable) -> DocResponse:
    own = team_of(caller.role)
    if own is not None and body.team not in (None, own):
        raise ApiError(403, f"a {caller.role} key records {own}'s decisions, not {body.team}'s", field="team")

    def work() -> dict[str, Any]:
        return decide(
            ws.engine, text=body.text, owner=body.owner, due=body.due, team=body.team or own, by=caller.name,
            now=now, tz=ws.pact.timezone,
        )  # fmt: skip

    try:
        return DocResponse(await run_in_threadpool(work), status_code=201)
    except ValueError as exc:
        field = str(exc).split(":", 1)[0]
        raise ApiError(422, str(exc), field=field) from None


@router.post(
    "/api/decisions/{decision_id}/done",
    response_model=DecisionView,
    responses=errors(400, 401, 403, 404, 409, 422),
    summary="Mark a decision done (`leadpact decisions done ID`)",
)
async def post_done(
    decision_id: IdPath, ws: WorkspaceDep, now: NowDep, caller: Accountable, body: DoneIn | None = None
) -> DocResponse:
    by = (body.by if body is not None else None) or caller.name

    def work() -> dict[str, Any]:
        return mark_done(
            ws.engine, decision_id, by=by, now=now, tz=ws.pact.timezone, team=team_of(caller.role)
        )

    return await _change_one(
        work, field="decision_id", not_found=DecisionNotFound, not_yours=NotYourDecision, done=DecisionDone
    )


@router.get(
    "/api/commitments",
    response_model=CommitmentsDocument,
    responses=errors(401, 403, 422),
    summary="Commitments met or missed per period, with runs of misses (`leadpact commitments --json`)",
)
async def get_commitments(
    ws: WorkspaceDep,
    now: NowDep,
    _: Reader,
    periods: Annotated[int, Query(ge=1, le=52)] = 6,
    as_of: AsOfQuery = None,
) -> DocResponse:
    when = instant(as_of, now)
    doc = await run_in_threadpool(
        lambda: commitments_document(ws.engine, ws.pact, ws.rules, now=when, periods=periods)
    )
    return DocResponse(doc)


@router.get(
    "/api/pact/versions",
    response_model=PactVersionsDocument,
    responses=errors(401, 403),
    summary="Every version of the pact, since when, and who signed it (`leadpact pact versions --json`)",
)
def get_pact_versions(ws: WorkspaceDep, _: Reader) -> DocResponse:
    return DocResponse(versions_document(ws))
