"""The pact: every key of ``pact.yaml`` (DESIGN.md §3), its defaults, and what it resolves to."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from leadpact.pact.base import Name, PactModel, Text, TimeZoneName
from leadpact.pact.calendars import Calendar, Signoff, default_calendars
from leadpact.pact.clocks import (
    Disposition,
    Effective,
    ResponseTiers,
    Segment,
    Touches,
    default_segments,
    overlay,
)
from leadpact.pact.errors import PactError
from leadpact.pact.ingest import Ingest
from leadpact.pact.plan import DataHygiene, Escalation, Feedback, Recycle, Reviews, Stages, Targets
from leadpact.pact.scoring import Intent, MqlGate, Scoring

if TYPE_CHECKING:
    from leadpact.domain.calendar.business import BusinessCalendar
    from leadpact.domain.calendar.spec import CalendarSpec

#: The activity kinds every pact knows (DESIGN.md §2); the pact's scoring, intent and recycle add more.
BUILTIN_ACTIVITY_KINDS: frozenset[str] = frozenset(
    {
        "page_view",
        "pricing_page_view",
        "content_download",
        "webinar_registered",
        "webinar_attended",
        "webinar_question",
        "email_click",
        "demo_request",
        "trial_signup",
        "pricing_inquiry",
        "contact_form",
        "event_attended",
    }
)

SourceOwner = Literal["marketing", "sales"]


def _default_reasons() -> dict[str, str]:
    return {
        "wrong_company_size": "adjust firmographic targeting",
        "wrong_industry": "adjust industry targeting",
        "wrong_job_function": "adjust persona targeting",
        "duplicate_or_customer": "fix de-duplication against CRM accounts",
        "competitor": "exclude competitor domains",
        "invalid_contact": "enforce form validation and enrichment",
        "no_budget_or_timeline": "nurture instead of immediate handoff",
    }


def _default_sources() -> dict[str, SourceOwner]:
    return {
        "demo_request": "marketing",
        "content": "marketing",
        "webinar": "marketing",
        "event": "marketing",
        "paid_search": "marketing",
        "referral": "marketing",
        "outbound": "sales",
    }


class Pact(PactModel):
    """The marketing–sales SLA as code. ``Pact()`` is the complete default pact of the seeds."""

    pact: Literal[1] = Field(default=1, description="Schema version of this file.")
    name: Text = Field(default="Acme marketing–sales SLA", description="The pact's name, shown in reports.")
    mode: Literal["monitoring", "enforcing"] = Field(
        default="monitoring",
        description="monitoring: measure and warn. enforcing: block illegal dispositions and escalate; "
        "acts only once both heads have signed the version in force (until then it monitors).",
    )
    timezone: TimeZoneName = Field(
        default="America/New_York", description="Time zone of periods, reports and reviews."
    )
    calendars: dict[Name, Calendar] = Field(
        default_factory=default_calendars,
        description="Business calendars by name; `default` must exist. Teams pick one in team.yaml.",
    )
    signoff: Signoff = Field(
        default_factory=Signoff,
        description="The two signatures; left out of the version hash, so signing does not change it.",
    )
    stages: Stages = Field(default_factory=Stages, description="The agreed meaning of each stage.")
    scoring: Scoring = Field(
        default_factory=Scoring, description="Fit and engagement scoring, and the MQL gate."
    )
    intent: Intent = Field(default_factory=Intent, description="Intent tiers: high, medium, low.")
    response: ResponseTiers = Field(
        default_factory=ResponseTiers, description="The first-contact clock per tier, from the handoff."
    )
    touches: Touches = Field(
        default_factory=Touches, description="Minimum touches and channels before disqualify or recycle."
    )
    disposition: Disposition = Field(default_factory=Disposition, description="The disposition clock.")
    segments: dict[Name, Segment] = Field(
        default_factory=default_segments,
        description="In order, first match wins; a segment without `when` matches every lead; with none "
        "matching, the pact's own values apply. Overrides are laid over the pact's key by key.",
    )
    reasons: dict[Name, Text] = Field(
        default_factory=_default_reasons,
        min_length=1,
        description="Rejection, disqualification and recycle codes -> what marketing should do about them.",
    )
    feedback: Feedback = Field(default_factory=Feedback, description="When a reason becomes a signal.")
    sources: dict[Name, SourceOwner] = Field(
        default_factory=_default_sources,
        min_length=1,
        description="Every lead source and whose motion it is: marketing or sales.",
    )
    recycle: Recycle = Field(default_factory=Recycle, description="Recycled leads and re-handoffs.")
    targets: Targets = Field(
        default_factory=Targets, description="Revenue target, rates, acceptance, source mix."
    )
    escalation: Escalation = Field(
        default_factory=Escalation,
        description="What happens when either team misses its commitments: thresholds, actions, deadlines.",
    )
    reviews: Reviews = Field(default_factory=Reviews, description="Review cadence.")
    ingest: Ingest = Field(
        default_factory=Ingest, description="What ingest accepts: how far ahead of the clock an event may be."
    )
    data_hygiene: DataHygiene = Field(
        default_factory=DataHygiene, description="Fields required when a lead reaches SQL or opportunity."
    )

    @model_validator(mode="after")
    def _cross_checks(self) -> Pact:
        from leadpact.pact.checks import cross_checks
        from leadpact.pact.partial import Known

        issues = cross_checks(Known(dict(self)))
        if issues:
            raise PactError(issues)
        return self

    # --- derived views ------------------------------------------------------------------------

    @cached_property
    def activity_kinds(self) -> frozenset[str]:
        """Built-in kinds plus every kind named in scoring.engagement, intent and recycle.rehandoff."""
        kinds = set(BUILTIN_ACTIVITY_KINDS)
        kinds.update(rule.kind for rule in self.scoring.engagement)
        for conditions in self.intent.tiers.values():
            kinds.update(c.kind for c in conditions)
        kinds.update(self.recycle.rehandoff.or_kinds)
        return frozenset(kinds)

    @cached_property
    def marketing_sources(self) -> frozenset[str]:
        return frozenset(name for name, owner in self.sources.items() if owner == "marketing")

    @cached_property
    def sales_sources(self) -> frozenset[str]:
        return frozenset(name for name, owner in self.sources.items() if owner == "sales")

    def canonical(self) -> dict[str, Any]:
        """The resolved pact without ``signoff``: what the version hash covers.

        Mapping keys are sorted (their order carries no meaning) except for ``segments``, whose
        order decides which segment a lead falls in; it is kept as a list of [name, segment]. ``ingest``
        at its default is left out.
        """
        data = self.model_dump(mode="json", exclude={"signoff"})
        if self.ingest == Ingest():  # a key added after pacts were signed: at its default it leaves their
            del data["ingest"]  # versions, and so their signatures, as they were
        data["segments"] = [[name, seg] for name, seg in data["segments"].items()]
        return data

    @cached_property
    def version_full(self) -> str:
        """sha256 (hex) of the canonical JSON of the resolved pact, signoff left out."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def version(self) -> str:
        """The first 12 hex digits of :attr:`version_full`, for display and signatures."""
        return self.version_full[:12]

    def signed_by(self) -> dict[str, bool]:
        """Whether each side has a signature that covers this version."""
        out: dict[str, bool] = {}
        for side in ("marketing", "sales"):
            signature = getattr(self.signoff, side)
            out[side] = signature is not None and signature.covers(self.version_full)
        return out

    @property
    def fully_signed(self) -> bool:
        return all(self.signed_by().values())

    @property
    def mode_in_effect(self) -> Literal["monitoring", "enforcing"]:
        """Enforcing only while both heads have signed this version; until then the pact monitors."""
        return "enforcing" if self.mode == "enforcing" and self.fully_signed else "monitoring"

    def effective(self, segment: str | None) -> Effective:
        """The MQL gate, response clocks, touches and disposition for a segment (None: the pact's own).

        Raises KeyError for a segment the pact does not define.
        """
        if segment is None:
            return Effective(
                segment=None,
                mql=self.scoring.mql,
                response=self.response,
                touches=self.touches,
                disposition=self.disposition,
            )
        seg = self.segments[segment]
        return Effective(
            segment=segment,
            mql=overlay(self.scoring.mql, seg.mql, MqlGate),
            response=overlay(self.response, seg.response, ResponseTiers),
            touches=overlay(self.touches, seg.touches, Touches),
            disposition=overlay(self.disposition, seg.disposition, Disposition),
        )

    def calendar_spec(self, name: str = "default") -> CalendarSpec:
        """The named calendar as the domain's ``CalendarSpec`` (KeyError for an unknown name)."""
        from leadpact.pact.calendars import to_spec

        return to_spec(self.calendars[name], self.timezone)

    @cached_property
    def _business_calendars(self) -> dict[str, BusinessCalendar]:
        return {}

    def business_calendar(self, name: str = "default") -> BusinessCalendar:
        """The named calendar, built once per pact (its year tables are cached inside)."""
        from leadpact.domain.calendar.business import BusinessCalendar

        cache = self._business_calendars
        if name not in cache:
            cache[name] = BusinessCalendar(self.calendar_spec(name))
        return cache[name]

    def __hash__(self) -> int:
        # equal pacts have equal content, hence equal versions; signoff only refines equality
        return hash(self.version_full)
