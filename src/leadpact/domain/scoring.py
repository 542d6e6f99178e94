"""Fit + engagement with decay, the MQL gate, intent tiers, and the reasons behind every point.

Engagement at instant t (DESIGN.md §3): each rule's part = min(max, Σ over its matching activities at or
before t (and within window_days) of points × 0.5 ** (age_days / half_life_days)). Between two events a
lead's engagement only decays and its fit does not move, so the gate can only be crossed at an event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from leadpact.domain.conditions import ConditionLike, describe_condition, evaluate_condition, field_value

TIERS = ("high", "medium", "low")
_DAY = 86400.0


class FitRuleLike(ConditionLike, Protocol):
    @property
    def points(self) -> float: ...


class ActivityFilterLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def asset(self) -> str | None: ...
    @property
    def campaign(self) -> str | None: ...
    @property
    def channel(self) -> str | None: ...


class EngagementRuleLike(ActivityFilterLike, Protocol):
    @property
    def points(self) -> float: ...
    @property
    def max(self) -> float | None: ...
    @property
    def window_days(self) -> float | None: ...
    @property
    def half_life_days(self) -> float | None: ...


class IntentConditionLike(ActivityFilterLike, Protocol):
    @property
    def min_engagement(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    at: datetime
    kind: str
    asset: str | None = None
    campaign: str | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Contribution:
    rule: str
    points: float
    count: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "points": round(self.points, 4), "count": self.count}


def matches_activity(rule: ActivityFilterLike, activity: Activity) -> bool:
    return (
        rule.kind == activity.kind
        and (rule.asset is None or rule.asset == activity.asset)
        and (rule.campaign is None or rule.campaign == activity.campaign)
        and (rule.channel is None or rule.channel == activity.channel)
    )


def fit_rule_label(rule: FitRuleLike) -> str:
    return describe_condition(rule.field, rule.op, rule.value)


def fit_score(rules: Sequence[FitRuleLike], fields: Mapping[str, Any]) -> tuple[float, list[Contribution]]:
    """Each matching rule adds its points once (negative points allowed)."""
    total = 0.0
    reasons: list[Contribution] = []
    email = fields.get("email")
    for rule in rules:
        if evaluate_condition(
            rule.op,
            field_value(fields, rule.field),
            rule.value,
            email=email if isinstance(email, str) else None,
        ):
            total += rule.points
            reasons.append(Contribution(fit_rule_label(rule), float(rule.points)))
    return total, reasons


def fit_only(rules: Sequence[FitRuleLike], fields: Mapping[str, Any]) -> float:
    email = fields.get("email")
    mail = email if isinstance(email, str) else None
    return float(
        sum(
            r.points
            for r in rules
            if evaluate_condition(r.op, field_value(fields, r.field), r.value, email=mail)
        )
    )


def engagement_label(rule: EngagementRuleLike) -> str:
    filters = [
        f"{name}={value}"
        for name, value in (("asset", rule.asset), ("campaign", rule.campaign), ("channel", rule.channel))
        if value
    ]
    return rule.kind + (f" [{', '.join(filters)}]" if filters else "")


def engagement_score(
    rules: Sequence[EngagementRuleLike],
    half_life_days: float,
    activities: Iterable[Activity],
    at: datetime,
) -> tuple[float, list[Contribution]]:
    """Engagement at instant `at` over the given activities, and each rule's part of it."""
    sums = [0.0] * len(rules)
    counts = [0] * len(rules)
    for activity in activities:
        if activity.at > at:
            continue
        age_days = (at - activity.at).total_seconds() / _DAY
        for i, rule in enumerate(rules):
            if not matches_activity(rule, activity):
                continue
            if rule.window_days is not None and age_days > rule.window_days:
                continue
            half_life = rule.half_life_days if rule.half_life_days is not None else half_life_days
            sums[i] += rule.points * 0.5 ** (age_days / half_life)
            counts[i] += 1
    total = 0.0
    reasons: list[Contribution] = []
    for i, rule in enumerate(rules):
        if counts[i] == 0:
            continue
        part = sums[i] if rule.max is None else min(rule.max, sums[i])
        total += part
        reasons.append(Contribution(engagement_label(rule), part, counts[i]))
    return total, reasons


def engagement_only(
    rules: Sequence[EngagementRuleLike], half_life_days: float, activities: Iterable[Activity], at: datetime
) -> float:
    return engagement_score(rules, half_life_days, activities, at)[0]


def intent_tier(
    intent: Mapping[str, Sequence[IntentConditionLike]],
    activities: Iterable[Activity],
    engagement_at_handoff: float,
) -> str:
    """The highest tier any of the cycle's activities matches; `min_engagement` is read at the handoff."""
    acts = list(activities)
    for tier in TIERS[:-1]:
        for condition in intent.get(tier, ()):
            if condition.min_engagement is not None and engagement_at_handoff < condition.min_engagement:
                continue
            if any(matches_activity(condition, a) for a in acts):
                return tier
    return "low"


def missing_fit(rules: Sequence[FitRuleLike], fields: Mapping[str, Any]) -> list[str]:
    """Positive fit rules the lead does not meet, phrased for a person: what would add points."""
    email = fields.get("email")
    mail = email if isinstance(email, str) else None
    out = []
    for rule in rules:
        if rule.points > 0 and not evaluate_condition(
            rule.op, field_value(fields, rule.field), rule.value, email=mail
        ):
            current = field_value(fields, rule.field)
            now = "unknown" if current in (None, "") else repr(current)
            out.append(
                f"no points yet for {rule.field} (+{_num(rule.points)} if {fit_rule_label(rule)}; now {now})"
            )
    return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def gate_explanation(
    fit: float, engagement: float, fit_min: float, engagement_min: float, missing: Sequence[str]
) -> list[str]:
    """What stands between a lead and the MQL gate ("fit 35/40 — no points yet for seniority ...")."""
    lines = []
    if fit < fit_min:
        detail = "; ".join(missing) if missing else "no rule left that adds points"
        lines.append(f"fit {_num(fit)}/{_num(fit_min)} — {detail}")
    if engagement < engagement_min:
        lines.append(
            f"engagement {engagement:.1f}/{_num(engagement_min)} — "
            f"{engagement_min - engagement:.1f} more points of engagement needed"
        )
    return lines
