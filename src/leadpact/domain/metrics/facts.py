"""The rows the metrics read (DESIGN.md §5): a handoff cycle, a clock, an activity of a lead, the lists of
one period (each already restricted to its dating column), and the pact's parameters of the metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadpact.domain.clocks import Clock

DIMENSIONS = ("source", "tier", "segment", "rep", "team", "campaign", "cycle", "closer", "product")


def dimension_key(row: Any, dimension: str) -> str | None:
    """A row's value in a breakdown: rep is the owner; cycle is first or re-handoff; else the field itself."""
    if dimension == "rep":
        owner: str | None = row.owner
        return owner
    if dimension == "cycle":
        return "first" if row.n == 1 else "rehandoff"
    value: str | None = getattr(row, dimension, None)  # a clock has no closer or product
    return value


@dataclass(frozen=True, slots=True)
class HandoffFacts:
    """One cycle as metrics read it (a row of `handoffs`)."""

    lead_id: str
    n: int
    kind: str
    mql_at: datetime | None
    source: str | None
    tier: str | None
    segment: str | None
    owner: str | None
    team: str | None
    campaign: str | None
    first_touch_at: datetime | None
    touches: int
    disposition: str | None
    disposition_at: datetime | None
    sql_at: datetime | None
    opportunity_at: datetime | None
    customer_at: datetime | None
    rejected_at: datetime | None
    disqualified_at: datetime | None
    recycled_at: datetime | None
    outcome_reason: str | None
    min_touch_met: bool | None
    amount: float | None
    first_activity_at: datetime | None
    lead_first_touch_at: datetime | None
    flags: str = "[]"  # the handoff's flags as stored (JSON)
    won_amount: float | None = None
    closed_lost_at: datetime | None = None
    closer: str | None = None  # the rep named as `by` on the deal's stages (DESIGN.md §12)
    product: str | None = None

    @property
    def won(self) -> float:
        """What was won: the customer stage's amount when given, else the opportunity's."""
        return float(self.won_amount if self.won_amount is not None else (self.amount or 0.0))

    def incomplete(self, stage: str) -> bool:
        return f'"hygiene:{stage}"' in self.flags

    @property
    def tracked(self) -> bool:
        """False for a history cycle imported without touches: its response and touch metrics are unknown."""
        return '"touches_untracked"' not in self.flags

    def key(self, dimension: str) -> str | None:
        return dimension_key(self, dimension)


@dataclass(frozen=True, slots=True)
class ClockFacts:
    clock: Clock
    lead_id: str
    source: str | None
    tier: str | None
    segment: str | None
    owner: str | None
    team: str | None
    campaign: str | None
    n: int

    def key(self, dimension: str) -> str | None:
        return dimension_key(self, dimension)


@dataclass(frozen=True)
class PeriodFacts:
    """The rows of one period, each list already restricted to its dating column."""

    start: datetime
    end: datetime
    cohort: Sequence[HandoffFacts]  # MQL handoffs by MQL instant
    disposed: Sequence[HandoffFacts]  # MQL handoffs by first-disposition time
    closed: Sequence[HandoffFacts]  # disqualified or recycled, by that time
    flagged: Sequence[HandoffFacts]  # rejected or disqualified, by that time
    sqls: Sequence[HandoffFacts]  # by SQL instant
    opportunities: Sequence[HandoffFacts]  # any cycle, by opportunity instant
    won: Sequence[HandoffFacts]  # any cycle, by customer instant
    first_contact: Sequence[ClockFacts]  # by due time
    disposition_clocks: Sequence[ClockFacts]
    lost: Sequence[HandoffFacts] = ()  # any cycle, by closed-lost instant


@dataclass(frozen=True)
class MetricParams:
    reasons: Mapping[str, str]  # code -> action
    reason_alert_share: float
    min_rejections: int
    marketing_sources: frozenset[str]
    business_minutes: Callable[[Sequence[datetime], Sequence[datetime]], Sequence[float]]


@dataclass(frozen=True, slots=True)
class Activity:
    """One ``activity`` event of a lead, as attribution reads it."""

    at: datetime
    kind: str
    asset: str | None = None
    campaign: str | None = None
    source: str | None = None  # the activity's own source, when it has one; else the lead's
