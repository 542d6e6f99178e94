"""A lead's projection: what the replay of its events (:mod:`leadpact.domain.replay`) makes of them -- its
fields, stage, scores, owner, the status of each event, and its handoffs (one per cycle, MQL or direct) with
their touches, disposition and later stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadpact.domain.scoring import Activity
from leadpact.domain.touches import Touch

#: an event's status in ``Projection.statuses``
APPLIED, WAITING, RETRACTED, IGNORED = "applied", "waiting", "retracted", "ignored"


def add_flag(items: list[str], flag: str) -> None:
    """Add ``flag`` to a lead's or a cycle's flags, once."""
    if flag not in items:
        items.append(flag)


@dataclass(slots=True)
class Handoff:
    """One cycle: an MQL handoff (`kind="mql"`), or a sales-sourced lead accepted from raw (`"direct"`)."""

    n: int
    kind: str
    start_at: datetime
    mql_at: datetime | None
    trigger_event: str
    cycle_from: datetime | None = None
    tier: str | None = None
    segment: str | None = None
    source: str | None = None
    campaign: str | None = None
    fit: float = 0.0
    engagement: float = 0.0
    owner: str | None = None  # a manual assignment; routing fills the rest
    owner_kind: str | None = None  # "assignment" (an event), "routed", or "worked" (the rep who worked it)
    first_touch_at: datetime | None = None
    first_touch_rep: str | None = None
    touches: int = 0  # counted touches from the handoff to the first disposition
    channels: int = 0
    disposition: str | None = None
    disposition_at: datetime | None = None
    disposition_reason: str | None = None
    disposition_by: str | None = None
    sal_at: datetime | None = None
    sql_at: datetime | None = None
    opportunity_at: datetime | None = None
    customer_at: datetime | None = None
    closed_lost_at: datetime | None = None
    rejected_at: datetime | None = None
    disqualified_at: datetime | None = None
    recycled_at: datetime | None = None
    outcome_reason: str | None = None  # the reason of the rejection, disqualification or recycle
    outcome_touches: int | None = None
    outcome_channels: int | None = None
    min_touch_met: bool | None = None  # for a disqualify/recycle whose reason is not exempt
    amount: float | None = None
    won_amount: float | None = None  # the amount won, when the customer stage says (else `amount`)
    opportunity_id: str | None = None
    close_date: str | None = None
    ended_at: datetime | None = None  # when the next cycle started
    flags: list[str] = field(default_factory=list)
    cycle_touches: list[Touch] = field(default_factory=list)
    history: bool = False  # opened by a history event: never routed, its past clocks never notified (§12)
    closer: str | None = None  # the rep named as `by` on the opportunity, customer or closed-lost stage
    product: str | None = None  # the product the stage events name

    def stage_time(self, stage: str) -> datetime | None:
        value = {
            "mql": self.mql_at,
            "sal": self.sal_at,
            "sql": self.sql_at,
            "opportunity": self.opportunity_at,
            "customer": self.customer_at,
            "closed_lost": self.closed_lost_at,
            "rejected": self.rejected_at,
            "disqualified": self.disqualified_at,
            "recycled": self.recycled_at,
        }.get(stage)
        return value


@dataclass(frozen=True, slots=True)
class Rescore:
    at: datetime
    version: str
    fit: float
    engagement: float
    handed_off: bool


@dataclass
class Projection:
    lead_id: str
    exists: bool = False
    created_at: datetime | None = None
    created_event: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    stage: str = "raw"
    stage_times: dict[str, datetime] = field(default_factory=dict)
    owner: str | None = None
    owner_kind: str | None = None
    handoffs: list[Handoff] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    touches: list[Touch] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    refused: dict[str, tuple[str, str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    last_event_at: datetime | None = None
    fit: float = 0.0
    engagement: float = 0.0  # at the last event
    rescores: list[Rescore] = field(default_factory=list)

    @property
    def current(self) -> Handoff | None:
        return self.handoffs[-1] if self.handoffs else None

    @property
    def segment(self) -> str | None:
        current = self.current
        return current.segment if current is not None else None
