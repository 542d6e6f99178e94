"""The pact as the engine reads it: resolved per segment once, plain data, no pydantic on the hot path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadpact.domain.calendar.business import BusinessCalendar
from leadpact.domain.conditions import evaluate_condition, field_value
from leadpact.domain.scoring import EngagementRuleLike, FitRuleLike, IntentConditionLike


@dataclass(frozen=True, slots=True)
class TouchRule:
    min: int
    within_days: float
    channels_min: int
    exempt_reasons: frozenset[str]


@dataclass(frozen=True, slots=True)
class SegmentRules:
    name: str | None
    fit_min: float
    engagement_min: float
    touches: TouchRule
    response: Any  # the pact's response block for this segment (clocks read it)
    disposition: Any


@dataclass(frozen=True, slots=True)
class Rehandoff:
    engagement_gain: float
    within_days: float
    or_kinds: frozenset[str]


@dataclass(frozen=True)
class Rules:
    fit: tuple[FitRuleLike, ...]
    engagement: tuple[EngagementRuleLike, ...]
    half_life_days: float
    intent: Mapping[str, tuple[IntentConditionLike, ...]]
    segments: tuple[tuple[str, Any], ...]  # (name, condition or None) in order
    by_segment: Mapping[str | None, SegmentRules]
    sales_sources: frozenset[str]
    rehandoff: Rehandoff | None
    max_cycles: int
    enforcing: bool
    hygiene: Mapping[str, tuple[str, ...]]
    known_reps: frozenset[str] | None = None
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    team_calendars: Mapping[str, str] = field(default_factory=dict)  # team -> calendar name (roster)
    rep_teams: Mapping[str, str] = field(default_factory=dict)  # rep -> team (roster)
    warn_at: tuple[float, ...] = ()
    _cache: dict[tuple[Any, ...], str | None] = field(default_factory=dict, compare=False, repr=False)

    def segment_for(self, fields: Mapping[str, Any]) -> str | None:
        email = fields.get("email")
        mail = email if isinstance(email, str) else None
        for name, when in self.segments:
            if when is None or evaluate_condition(
                when.op, field_value(fields, when.field), when.value, email=mail
            ):
                return name
        return None

    def segment(self, name: str | None) -> SegmentRules:
        return self.by_segment.get(name) or self.by_segment[None]

    def team_of(self, rep: str | None) -> str | None:
        return self.rep_teams.get(rep) if rep is not None else None

    def calendar(self, team: str | None = None) -> BusinessCalendar:
        """A clock uses the calendar of the handoff's team, else `default` (DESIGN.md §6)."""
        name = self.team_calendars.get(team, "default") if team is not None else "default"
        return self.calendars.get(name) or self.calendars["default"]


def _touch_rule(touches: Any) -> TouchRule:
    return TouchRule(
        int(touches.min),
        float(touches.within_days),
        int(touches.channels_min),
        frozenset(touches.exempt_reasons),
    )


def rules_from_pact(
    pact: Any,
    *,
    known_reps: frozenset[str] | None = None,
    team_calendars: Mapping[str, str] | None = None,
    rep_teams: Mapping[str, str] | None = None,
) -> Rules:
    """Compile a `leadpact.pact.Pact` into the engine's rules."""
    by_segment: dict[str | None, SegmentRules] = {}
    names: list[str | None] = [None, *pact.segments.keys()]
    for name in names:
        eff = pact.effective(name)
        by_segment[name] = SegmentRules(
            name,
            float(eff.mql.fit),
            float(eff.mql.engagement),
            _touch_rule(eff.touches),
            eff.response,
            eff.disposition,
        )
    rehandoff = pact.recycle.rehandoff
    return Rules(
        fit=tuple(pact.scoring.fit),
        engagement=tuple(pact.scoring.engagement),
        half_life_days=float(pact.scoring.half_life_days),
        intent={tier: tuple(getattr(pact.intent, tier)) for tier in ("high", "medium", "low")},
        segments=tuple((name, seg.when) for name, seg in pact.segments.items()),
        by_segment=by_segment,
        sales_sources=frozenset(s for s, owner in pact.sources.items() if owner == "sales"),
        rehandoff=None
        if rehandoff is None
        else Rehandoff(
            float(rehandoff.engagement_gain), float(rehandoff.within_days), frozenset(rehandoff.or_kinds)
        ),
        max_cycles=int(pact.recycle.max_cycles),
        enforcing=pact.mode_in_effect == "enforcing",  # enforcing acts once both heads signed
        hygiene={"sql": tuple(pact.data_hygiene.sql), "opportunity": tuple(pact.data_hygiene.opportunity)},
        known_reps=known_reps,
        calendars={name: BusinessCalendar(pact.calendar_spec(name)) for name in pact.calendars},
        team_calendars=dict(team_calendars or {}),
        rep_teams=dict(rep_teams or {}),
        warn_at=tuple(pact.response.warn_at),
    )


@dataclass(frozen=True)
class Versions:
    """The pact's versions in force over time: each judges the events from its effective instant on. At each
    boundary the gate is checked again, so a scoring change hands off the leads it qualifies at that instant
    and never rewrites the handoffs an earlier version made."""

    items: tuple[tuple[datetime | None, str, Rules], ...]  # (effective from (None: always), version, rules)

    @classmethod
    def single(cls, rules: Rules, version: str = "current") -> Versions:
        return cls(((None, version, rules),))

    def at(self, when: datetime) -> Rules:
        chosen = self.items[0][2]
        for start, _version, rules in self.items:
            if start is None or start <= when:
                chosen = rules
        return chosen

    @property
    def latest(self) -> Rules:
        return self.items[-1][2]

    def boundaries(self) -> list[tuple[datetime, str]]:
        return [(start, version) for start, version, _rules in self.items if start is not None]
