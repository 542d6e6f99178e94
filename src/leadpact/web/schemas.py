"""Schemas of the API's bodies, for `/openapi.json`. The routes answer the services' documents as they are
(the CLI's `--json`, byte for byte); these models describe them — the main keys typed, the rest allowed."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EVENT_TYPES = Literal[
    "lead.created", "lead.updated", "activity", "assignment", "touch", "disposition", "stage", "retract"
]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class EventIn(BaseModel):
    """One event (DESIGN.md §2)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=200, description="Idempotency key from the sending system.")
    type: EVENT_TYPES
    lead_id: str = Field(max_length=200)
    at: str = Field(description="ISO 8601 with an offset (or Z).", examples=["2026-03-02T14:05:09-05:00"])
    data: dict[str, Any] = Field(default_factory=dict)


class IngestResult(BaseModel):
    line: int = Field(description="The event's 1-based index in the call.")
    id: str | None
    status: Literal["stored", "duplicate", "waiting", "refused"]
    field: str | None = None
    reason: str | None = None


class IngestSummary(BaseModel):
    stored: int
    duplicate: int
    waiting: int
    refused: int


class IngestDocument(BaseModel):
    """`leadpact ingest --json`: every event that was not simply stored, and the counts."""

    results: list[IngestResult]
    summary: IngestSummary
    rolled_back: bool | None = None


class ClockView(Open):
    lead_id: str
    handoff: int
    kind: str
    started_at: str | None
    due_at: str | None
    status: Literal["open", "met", "breached", "cancelled"]
    met_at: str | None
    cancelled_at: str | None
    rule: str
    owner: str | None
    team: str | None
    tier: str | None
    segment: str | None
    alerts: list[str]


class ClockPage(BaseModel):
    items: list[ClockView]
    next_cursor: str | None


class ViolationView(Open):
    kind: str
    lead_id: str
    handoff: int | None
    at: str | None
    owed_by: str
    owner: str | None
    team: str | None
    what: str
    recorded_at: str | None


class ViolationPage(BaseModel):
    items: list[ViolationView]
    next_cursor: str | None


class QueueItem(Open):
    lead_id: str
    handoff: int
    team: str | None
    mql_at: str
    waiting_minutes: float
    reason: str


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None


class LeadDocument(Open):
    """`leadpact lead ID --json`."""

    lead_id: str
    stage: str | None
    handoffs: list[dict[str, Any]]
    clocks: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    waiting: list[dict[str, Any]]
    flags: list[str]


class MetricsDocument(Open):
    """`leadpact metrics --json` (DESIGN.md §5, §7): unrounded rates, null without a denominator."""

    period: str
    start: str
    end: str
    as_of: str
    mql_count: int
    rehandoff_count: int
    mql_target: float | None
    mql_pace: float | None
    acceptance_rate: float | None
    pending_dispositions: int
    response_compliance: float | None
    by_source: dict[str, Any]
    by_tier: dict[str, Any]


class PlanDocument(Open):
    """`leadpact plan --json` for the pact in force (amounts per quarter; exact values under `exact`)."""

    pipeline: float
    opportunities: int
    sqls: int
    mqls_per_quarter: int
    mqls_per_month: int
    by_source: dict[str, Any]


class FairnessRep(Open):
    team: str
    weight: float
    expected: float
    received: int
    capacity_used: dict[str, float | None]


class FairnessDocument(Open):
    """`leadpact routing fairness --json`."""

    period: str
    reps: dict[str, FairnessRep]


class Signature(BaseModel):
    name: str
    at: str | None
    version: str | None


class PactDocument(BaseModel):
    """The pact in force: its version, since when, whether pact.yaml differs, its signatures."""

    name: str
    version: str
    version_full: str
    mode: str
    mode_in_effect: str = Field(description="enforcing only while both heads have signed this version.")
    timezone: str
    in_force_from: str | None = Field(description="null: the first version, which judges all history.")
    recorded_at: str
    applied_at: str | None
    apply_pending: bool
    versions: int
    file: dict[str, Any]
    signatures: dict[str, Signature | None]
    signed: dict[str, bool] = Field(description="Whether each side's signature covers this version.")


class EscalationView(Open):
    id: int
    rule: Literal["marketing_volume", "sales_response", "sustained"]
    team: str
    period: str = Field(description="The week (2026-W10), month, or a day run's last day (2026-03-05).")
    opened_at: str
    due_at: str | None
    state: Literal["open", "overdue", "resolved"]
    owner: str | None
    evidence: dict[str, Any]
    plan: str | None
    resolved_at: str | None
    resolved_by: str | None


class EscalationPage(BaseModel):
    items: list[EscalationView]
    next_cursor: str | None


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: str = Field(min_length=1, max_length=10_000, description="The plan agreed.")
    by: str | None = Field(
        default=None, max_length=200, description="Who resolves it (default: the key's name)."
    )


class DecisionView(Open):
    id: int
    text: str
    owner: str
    team: str | None
    due: str
    state: Literal["open", "overdue", "done"]
    made_at: str
    made_by: str | None
    done_at: str | None
    done_by: str | None


class DecisionPage(BaseModel):
    items: list[DecisionView]
    next_cursor: str | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000, description="What was decided.")
    owner: str = Field(max_length=320, description="Who owes it (an email).")
    due: str = Field(max_length=10, description="By when, a date.", examples=["2026-03-20"])
    team: Literal["marketing", "sales"] | None = Field(
        default=None, description="Whose decision (default: the key's team)."
    )


class DoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str | None = Field(default=None, max_length=200, description="Who did it (default: the key's name).")


class CommitmentsDocument(Open):
    as_of: str
    commitments: dict[str, Any]


class PactVersionsDocument(BaseModel):
    versions: list[dict[str, Any]]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route can give, for `responses=`."""
    return {status: {"model": ErrorBody} for status in statuses}
