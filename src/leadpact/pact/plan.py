"""``stages``, ``feedback``, ``recycle``, ``targets``, ``escalation``, ``reviews``, ``data_hygiene``."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from leadpact.pact.base import MAX_DAYS, Name, PactDuration, PactModel, Text
from leadpact.pact.errors import custom, show


class Stages(PactModel):
    """What each stage means, in words both teams signed."""

    mql: Text = Field(default="Meets fit AND engagement thresholds", description="Marketing qualified lead.")
    sal: Text = Field(default="Accepted by sales within the SLA", description="Sales accepted lead.")
    sql: Text = Field(
        default="Budget, authority, need and timeline confirmed", description="Sales qualified lead."
    )
    opportunity: Text = Field(
        default="Active deal in pipeline with defined next steps, decision criteria, and expected close date",
        description="An open deal.",
    )
    customer: Text = Field(
        default="Closed-won deal with signed contract and onboarding initiated", description="A won deal."
    )


Share = Annotated[float, Field(gt=0, le=1)]


class Feedback(PactModel):
    """When a rejection reason becomes a signal to marketing."""

    reason_alert_share: Share = Field(
        default=0.20, description="Flag a reason whose share of the month's rejections exceeds this."
    )
    min_rejections: int = Field(
        default=10, ge=0, description="...and only when it has at least this many rejections in the month."
    )


class Rehandoff(PactModel):
    """When a recycled lead comes back to sales (the fit gate must still hold)."""

    engagement_gain: float = Field(
        default=25,
        ge=0,
        description="Engagement gained since the recycle instant that triggers a re-handoff.",
    )
    within_days: float = Field(
        default=30, gt=0, le=MAX_DAYS, description="Counted within N days of the recycle."
    )
    or_kinds: list[Text] = Field(
        default_factory=lambda: ["demo_request", "pricing_inquiry"],
        description="An activity of one of these kinds triggers a re-handoff on its own.",
    )


class Recycle(PactModel):
    """Recycled leads: nurture, then re-handoff."""

    rehandoff: Rehandoff = Field(default_factory=Rehandoff, description="The re-handoff trigger.")
    max_cycles: int = Field(default=3, ge=1, description="Handoffs in all, the first included.")


class Revenue(PactModel):
    """The revenue target the waterfall starts from."""

    per: Literal["quarter", "month", "year"] = Field(default="quarter", description="The target's period.")
    new_arr: float = Field(default=2_000_000, ge=0, description="New ARR to win per period.")
    marketing_share: float = Field(
        default=0.5, ge=0, le=1, description="Share of new revenue from marketing-sourced pipeline."
    )


class Rates(PactModel):
    """Historical conversion rates of the waterfall."""

    close: Share = Field(default=0.25, description="Pipeline won (close rate).")
    avg_deal: float = Field(default=25_000, gt=0, description="Average deal size.")
    sql_to_opp: Share = Field(default=0.5, description="SQLs that become opportunities.")
    mql_to_sql: Share = Field(default=0.3, description="MQLs that become SQLs (blended).")


class Targets(PactModel):
    """Marketing's revenue-backed commitment."""

    revenue: Revenue = Field(default_factory=Revenue, description="The revenue target.")
    rates: Rates = Field(default_factory=Rates, description="The waterfall's conversion rates.")
    acceptance_min: float = Field(
        default=0.70, ge=0, le=1, description="Minimum MQL-to-SAL acceptance rate marketing commits to."
    )
    sources: dict[Name, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=lambda: {"demo_request": 0.2, "content": 0.35, "webinar": 0.25, "event": 0.2},
        description="Planned MQL mix: source -> share of MQLs (sources of `sources`).",
    )
    source_rates: dict[Name, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=lambda: {"demo_request": 0.5, "content": 0.1, "webinar": 0.2, "event": 0.175},
        description="MQL->SQL rate by source; a planned source without one uses rates.mql_to_sql.",
    )


class MarketingVolume(PactModel):
    """Marketing short on MQLs."""

    below: Share = Field(default=0.80, description="Escalate when MQLs fall below this share of target.")
    period: Literal["week", "month"] = Field(default="week", description="Measured per week or month.")
    then: Text = Field(default="recovery_plan", description="The action demanded of marketing leadership.")
    within: PactDuration = Field(default="48h", validate_default=True, description="Time to deliver it.")


class SalesResponse(PactModel):
    """Sales slow on follow-up."""

    compliance_below: Share = Field(default=0.90, description="Response compliance below this share...")
    consecutive_days: int = Field(default=4, ge=1, description="...for this many consecutive days.")
    then: Text = Field(default="corrective_action", description="The action demanded of sales leadership.")
    within: PactDuration = Field(default="24h", validate_default=True, description="Time to deliver it.")


class Sustained(PactModel):
    """Either team missing for weeks on end."""

    consecutive_weeks: int = Field(default=2, ge=1, description="Weeks in a row either team misses the pact.")
    then: Text = Field(default="joint_escalation", description="The action.")
    to: list[Text] = Field(default_factory=lambda: ["CRO", "CEO"], description="Who it goes to.")


class Escalation(PactModel):
    """The escalation protocol."""

    marketing_volume: MarketingVolume = Field(default_factory=MarketingVolume, description="Volume misses.")
    sales_response: SalesResponse = Field(default_factory=SalesResponse, description="Response misses.")
    sustained: Sustained = Field(default_factory=Sustained, description="Sustained misses by either team.")


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKLY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$")


def _weekly(value: str) -> str:
    if not _WEEKLY.match(value.strip().lower()):
        raise custom(f'{show(value)} is not a weekday and time like "mon 10:00"', value=value)
    return value.strip().lower()


Month = Literal["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _quarters() -> list[Month]:
    return ["jan", "apr", "jul", "oct"]


class Reviews(PactModel):
    """The review cadence (pact time zone)."""

    weekly: Annotated[str, AfterValidator(_weekly)] = Field(
        default="mon 10:00", description='The weekly SLA review: weekday and local time, "mon 10:00".'
    )
    monthly: int = Field(
        default=1,
        ge=1,
        le=31,
        description="Day of the month of the monthly review (the last day if shorter).",
    )
    quarterly: list[Month] = Field(
        default_factory=_quarters,
        description="Months of the quarterly review.",
    )

    @property
    def weekly_day(self) -> int:
        """0 = Monday."""
        return _WEEKDAYS.index(self.weekly[:3])

    @property
    def weekly_time(self) -> tuple[int, int]:
        hour, minute = self.weekly[4:].split(":")
        return int(hour), int(minute)


class DataHygiene(PactModel):
    """Fields sales must record when a lead reaches a stage."""

    sql: list[Text] = Field(
        default_factory=lambda: ["budget", "authority", "need", "timeline"], description="Required at SQL."
    )
    opportunity: list[Text] = Field(
        default_factory=lambda: ["amount", "close_date"], description="Required at opportunity."
    )
