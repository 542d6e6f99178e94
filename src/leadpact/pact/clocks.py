"""``response``, ``touches``, ``disposition`` and ``segments``: the clocks the pact promises."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator

from leadpact.domain.durations import Duration
from leadpact.pact.base import MAX_DAYS, Condition, Name, PactDuration, PactModel
from leadpact.pact.errors import UNION_TAGS, custom, show
from leadpact.pact.scoring import MqlGate

#: The channels of a touch (DESIGN.md §2).
TOUCH_CHANNELS: tuple[str, ...] = ("email", "phone", "linkedin", "video", "meeting", "sms")


class SplitResponse(PactModel):
    """Wall-clock windows chosen by whether the handoff falls inside the calendar's working hours."""

    business_hours: PactDuration = Field(
        description="Wall time allowed when the handoff falls inside a window (e.g. 5m)."
    )
    after_hours: PactDuration = Field(
        description="Wall time allowed when the handoff falls outside the windows "
        "(exactly at close is outside)."
    )


class WithinResponse(PactModel):
    """One window, counted on the wall clock or in business time."""

    within: PactDuration = Field(
        description="Time allowed for first contact: 30m, 4h, or 1bd (business days are business time by "
        "nature, whatever the clock)."
    )
    clock: Literal["wall", "business"] = Field(
        default="wall", description="wall: m/h count wall time; business: m/h count only working hours."
    )


_SPLIT = "<business_hours/after_hours>"
_WITHIN = "<within/clock>"
UNION_TAGS[_SPLIT] = SplitResponse
UNION_TAGS[_WITHIN] = WithinResponse


def _tier_form(value: Any) -> str | None:
    if isinstance(value, SplitResponse):
        return _SPLIT
    if isinstance(value, WithinResponse):
        return _WITHIN
    if not isinstance(value, dict):
        return None
    split = "business_hours" in value or "after_hours" in value
    within = "within" in value or "clock" in value
    if split and not within:
        return _SPLIT
    if within and not split:
        return _WITHIN
    return None


#: A tier's first-contact clock: ``{business_hours, after_hours}`` or ``{within, clock}``.
TierResponse = Annotated[
    Annotated[SplitResponse, Tag(_SPLIT)] | Annotated[WithinResponse, Tag(_WITHIN)],
    Discriminator(
        _tier_form,
        custom_error_type="response_form",
        custom_error_message="give either {business_hours, after_hours} or {within, clock}",
    ),
]


def _fraction(value: float) -> float:
    if not 0 < value < 1:
        raise custom(f"{show(value)} is not a fraction between 0 and 1 (both excluded)", value=value)
    return value


def _sorted_unique(values: list[float]) -> list[float]:
    return sorted(set(values))


WarnAt = Annotated[list[Annotated[float, AfterValidator(_fraction)]], AfterValidator(_sorted_unique)]


class ResponseTiers(PactModel):
    """The first-contact clock per intent tier, started at the handoff."""

    high: TierResponse = Field(
        default_factory=lambda: SplitResponse(business_hours=Duration(5, "m"), after_hours=Duration(1, "h")),
        description="High intent.",
    )
    medium: TierResponse = Field(
        default_factory=lambda: WithinResponse(within=Duration(4, "h"), clock="business"),
        description="Medium intent.",
    )
    low: TierResponse = Field(
        default_factory=lambda: WithinResponse(within=Duration(1, "bd")), description="Low intent."
    )
    warn_at: WarnAt = Field(
        default_factory=lambda: [0.5, 0.8],
        description="Warnings at these fractions of each window, each between 0 and 1 (sorted).",
    )

    def tier(self, name: str) -> SplitResponse | WithinResponse:
        value: SplitResponse | WithinResponse = getattr(self, name)
        return value


class Touches(PactModel):
    """The minimum working effort before a disqualification or recycle."""

    min: int = Field(default=8, ge=0, description="Minimum counted touches.")
    within_days: int = Field(
        default=14, gt=0, le=MAX_DAYS, description="Touches count within N days of the handoff."
    )
    channels_min: int = Field(
        default=2,
        ge=0,
        le=len(TOUCH_CHANNELS),
        description="Minimum distinct channels among the counted touches (email, phone, linkedin, video, "
        "meeting, sms).",
    )
    exempt_reasons: list[Name] = Field(
        default_factory=lambda: ["competitor", "invalid_contact", "duplicate_or_customer"],
        description="Reason codes (of `reasons`) for which no minimum applies.",
    )

    @model_validator(mode="after")
    def _channels_within_touches(self) -> Touches:
        if self.channels_min > self.min:
            raise custom(
                f"{self.channels_min} channels need at least {self.channels_min} touches; min is {self.min}",
                at="channels_min",
                value=self.channels_min,
            )
        return self


class Disposition(PactModel):
    """Sales records a disposition (accepted, rejected, recycled, disqualified) within this time."""

    within: PactDuration = Field(
        default="2bd", validate_default=True, description="Time allowed, e.g. 2bd or 48h."
    )
    after: Literal["first_contact", "handoff"] = Field(
        default="first_contact", description="The clock starts at the first touch or at the handoff."
    )


# --- segments: partial overlays ---------------------------------------------------------------


class SegmentMql(PactModel):
    """A segment's MQL thresholds; a key left out keeps the pact's."""

    fit: float | None = Field(default=None, description="Minimum fit score (left out: scoring.mql.fit).")
    engagement: float | None = Field(
        default=None, description="Minimum engagement score (left out: scoring.mql.engagement)."
    )


class SegmentResponse(PactModel):
    """A segment's response clocks; a key left out keeps the pact's."""

    high: TierResponse | None = Field(default=None, description="High intent (left out: response.high).")
    medium: TierResponse | None = Field(
        default=None, description="Medium intent (left out: response.medium)."
    )
    low: TierResponse | None = Field(default=None, description="Low intent (left out: response.low).")
    warn_at: WarnAt | None = Field(
        default=None, description="Warning fractions (left out: response.warn_at)."
    )


class SegmentTouches(PactModel):
    """A segment's minimum effort; a key left out keeps the pact's."""

    min: int | None = Field(default=None, ge=0, description="Minimum touches (left out: touches.min).")
    within_days: int | None = Field(
        default=None, gt=0, le=MAX_DAYS, description="Left out: touches.within_days."
    )
    channels_min: int | None = Field(
        default=None, ge=0, le=len(TOUCH_CHANNELS), description="Left out: touches.channels_min."
    )
    exempt_reasons: list[Name] | None = Field(default=None, description="Left out: touches.exempt_reasons.")


class SegmentDisposition(PactModel):
    """A segment's disposition clock; a key left out keeps the pact's."""

    within: PactDuration | None = Field(default=None, description="Left out: disposition.within.")
    after: Literal["first_contact", "handoff"] | None = Field(
        default=None, description="Left out: disposition.after."
    )


class Segment(PactModel):
    """A slice of leads with its own thresholds and clocks, laid over the pact's key by key."""

    when: Condition | None = Field(default=None, description="Which leads; left out: every lead.")
    mql: SegmentMql | None = Field(default=None, description="Overrides of scoring.mql.")
    response: SegmentResponse | None = Field(default=None, description="Overrides of response.")
    touches: SegmentTouches | None = Field(default=None, description="Overrides of touches.")
    disposition: SegmentDisposition | None = Field(default=None, description="Overrides of disposition.")


def default_segments() -> dict[str, Segment]:
    """The segments of a pact that names none: enterprise (1000+ employees) and smb."""
    return {
        "enterprise": Segment(
            when=Condition(field="employees", op=">=", value=1000),
            mql=SegmentMql(fit=50, engagement=30),
            touches=SegmentTouches(min=10, within_days=21, channels_min=3),
        ),
        "smb": Segment(),
    }


class Effective(PactModel):
    """The thresholds and clocks that apply to one segment (or to leads in none)."""

    segment: str | None = Field(default=None, description="The segment, or null for the pact's own values.")
    mql: MqlGate = Field(description="The MQL gate.")
    response: ResponseTiers = Field(description="The first-contact clocks.")
    touches: Touches = Field(description="The minimum effort.")
    disposition: Disposition = Field(description="The disposition clock.")


def overlay(base: PactModel, over: PactModel | None, target: type[PactModel]) -> Any:
    """``base`` with every key ``over`` gives (not None) laid over it, validated as ``target``."""
    values = {name: getattr(base, name) for name in type(base).model_fields}
    if over is not None:
        for name in type(over).model_fields:
            given = getattr(over, name)
            if given is not None:
                values[name] = given
    return target.model_validate(values)
