"""``scoring`` and ``intent``: what makes an MQL and how urgent it is (DESIGN.md §3)."""

from __future__ import annotations

from pydantic import Field

from leadpact.pact.base import Condition, PactModel, Text


class FitRule(Condition):
    """A demographic fit rule: when its condition holds, the lead gets its points (once)."""

    points: float = Field(description="Points added when the condition holds (negative to penalise).")


class EngagementRule(PactModel):
    """Points per activity of a kind, optionally filtered, capped, windowed and decayed."""

    kind: Text = Field(description="The activity kind (demo_request, page_view, ... or a custom kind).")
    points: float = Field(description="Points per matching activity, before decay.")
    max: float | None = Field(
        default=None,
        gt=0,
        description="Cap on the rule's part of the score: min(max, sum of its decayed points). Null: no cap.",
    )
    window_days: float | None = Field(
        default=None, gt=0, description="Only activities of the last N days count. Null: all of them."
    )
    half_life_days: float | None = Field(
        default=None, gt=0, description="This rule's own half-life. Null: scoring.half_life_days."
    )
    asset: str | None = Field(default=None, description="Only activities on this asset (e.g. /pricing).")
    campaign: str | None = Field(default=None, description="Only activities of this campaign.")
    channel: str | None = Field(default=None, description="Only activities from this channel.")


class MqlGate(PactModel):
    """The MQL gate: both thresholds must be reached."""

    fit: float = Field(default=40, description="Minimum fit score (sum of matching fit rules' points).")
    engagement: float = Field(default=30, description="Minimum engagement score (decayed activity points).")


def _default_fit() -> list[FitRule]:
    return [
        FitRule(field="employees", op="between", value=[200, 5000], points=20),
        FitRule(field="job_function", op="in", value=["marketing", "sales", "revops"], points=15),
        FitRule(field="seniority", op="in", value=["manager", "director", "vp", "c_level"], points=15),
        FitRule(field="industry", op="in", value=["software", "saas", "fintech", "ecommerce"], points=10),
        FitRule(field="country", op="in", value=["US", "CA", "GB", "DE", "FR", "NL", "AU"], points=5),
        FitRule(field="title", op="matches", value="(?i)intern|student", points=-30),
    ]


def _default_engagement() -> list[EngagementRule]:
    return [
        EngagementRule(kind="demo_request", points=50),
        EngagementRule(kind="trial_signup", points=50),
        EngagementRule(kind="pricing_inquiry", points=40),
        EngagementRule(kind="webinar_question", points=25),
        EngagementRule(kind="event_attended", points=20),
        EngagementRule(kind="webinar_attended", points=15),
        EngagementRule(kind="pricing_page_view", points=10, max=30),
        EngagementRule(kind="content_download", points=5, max=20),
        EngagementRule(kind="email_click", points=2, max=10),
    ]


class Scoring(PactModel):
    """Fit (who the lead is) and engagement (what the lead did); an MQL reaches both thresholds."""

    fit: list[FitRule] = Field(
        default_factory=_default_fit,
        description="Demographic fit rules; each matching rule adds its points once.",
    )
    engagement: list[EngagementRule] = Field(
        default_factory=_default_engagement,
        description="Behavioural rules; points per activity, decayed with age, optionally capped.",
    )
    half_life_days: float = Field(
        default=30, gt=0, description="Exponential decay: an activity's points halve every N days."
    )
    mql: MqlGate = Field(default_factory=MqlGate, description="The MQL thresholds; both must be reached.")


class IntentCondition(PactModel):
    """One way into an intent tier: an activity of a kind in the cycle, optionally filtered."""

    kind: Text = Field(description="The activity kind that signals this tier.")
    min_engagement: float | None = Field(
        default=None, description="Also needs at least this engagement score at the handoff instant."
    )
    asset: str | None = Field(default=None, description="Only activities on this asset.")
    campaign: str | None = Field(default=None, description="Only activities of this campaign.")
    channel: str | None = Field(default=None, description="Only activities from this channel.")


class Intent(PactModel):
    """Intent tiers: a handoff's tier is the highest whose conditions its cycle's activities match."""

    high: list[IntentCondition] = Field(
        default_factory=lambda: [
            IntentCondition(kind="demo_request"),
            IntentCondition(kind="trial_signup"),
            IntentCondition(kind="pricing_inquiry"),
        ],
        description="High intent: any of these conditions.",
    )
    medium: list[IntentCondition] = Field(
        default_factory=lambda: [
            IntentCondition(kind="webinar_question"),
            IntentCondition(kind="content_download", min_engagement=40),
        ],
        description="Medium intent: any of these conditions.",
    )
    low: list[IntentCondition] = Field(
        default_factory=list,
        description="Low intent: any of these; every MQL matching no higher tier is low anyway.",
    )

    @property
    def tiers(self) -> dict[str, list[IntentCondition]]:
        """Highest first."""
        return {"high": self.high, "medium": self.medium, "low": self.low}


TIERS: tuple[str, ...] = ("high", "medium", "low")
