"""Both teams' commitments as one scorecard, read off a period's metrics document (DESIGN.md §5, §10).

Every number is the document's (`metrics --json`); this module only pairs each with the pact's target and
judges it: `met` at or above the target, `at_risk` within a margin of it, `missed` below that, `none` when
the period has no data for it. The MQL volume is judged by pace (count ÷ the target's elapsed share), so a
month in progress is on track or not rather than "missed" on its first day. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["met", "at_risk", "missed", "none"]
#: a rate within this share of its target is at risk, not missed
AT_RISK = 0.9


def status_of(value: float | None, target: float | None, *, at_risk: float = AT_RISK) -> Status:
    """`met` at or above `target`, `at_risk` at or above `target × at_risk`, else `missed`; `none` without
    a value or a target."""
    if value is None or target is None:
        return "none"
    if value >= target:
        return "met"
    return "at_risk" if value >= target * at_risk else "missed"


def largest_leak(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """The funnel audit's first line (`funnel_leak`, lowest ratio first) when that stage is behind plan (its
    ratio below 1); None when it is on plan or has no ratio."""
    leak = doc.get("funnel_leak") or []
    if leak and leak[0].get("ratio") is not None and leak[0]["ratio"] < 1:
        first: dict[str, Any] = leak[0]
        return first
    return None


@dataclass(frozen=True)
class Commitments:
    """The pact's targets the scorecard judges by."""

    acceptance_min: float  # targets.acceptance_min
    volume_below: float  # escalation.marketing_volume.below: a pace under it is missed
    compliance_min: float  # escalation.sales_response.compliance_below
    touches_min: int  # touches.min


@dataclass(frozen=True)
class Line:
    team: str  # marketing | sales
    key: str  # the metric read (`mql_pace` for the volume)
    commitment: str
    value: float | None  # the document's value of `key`
    target: float  # what `value` is judged against
    status: Status


def scorecard(doc: Mapping[str, Any], c: Commitments) -> list[Line]:
    """The period's scorecard: marketing's volume and acceptance, sales's response, work, touches,
    disposition and hygiene, each with the document's value, its target and its status."""

    def rate(team: str, key: str, commitment: str, target: float, at_risk: float = AT_RISK) -> Line:
        value = doc.get(key)
        return Line(team, key, commitment, value, target, status_of(value, target, at_risk=at_risk))

    return [
        rate("marketing", "mql_pace", "MQL volume on pace", 1.0, at_risk=c.volume_below),
        rate("marketing", "acceptance_rate", "MQLs accepted by sales", c.acceptance_min),
        rate("sales", "response_compliance", "first contact within SLA", c.compliance_min),
        rate("sales", "worked_rate", "MQLs worked", 1.0, at_risk=0.95),
        rate("sales", "min_touch_rate", f"{c.touches_min} touches before disqualifying", 1.0),
        rate("sales", "disposition_compliance", "disposition within SLA", c.compliance_min),
        rate("sales", "hygiene_rate", "qualification details recorded", 1.0),
    ]
