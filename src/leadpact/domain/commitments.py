"""What each team commits to, judged per period (DESIGN.md §10 `commitments`), pure: a metrics document in,
met or missed out; and the runs of misses ("the pattern of missed commitments is more diagnostic than the
commitments that are met").

MQL volume and the sales commitments are judged per ISO week; acceptance, feedback and hygiene per month.
`target` is the commitment's full target (a week's 50 MQLs, not the 80% that escalates). A period with
nothing to measure (a rate with no denominator) is neither met nor missed (`met` None) and ends a run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Per = Literal["week", "month"]


@dataclass(frozen=True)
class Targets:
    """The numbers the pact commits each team to."""

    acceptance_min: float
    compliance_min: float  # escalation.sales_response.compliance_below: the response and disposition floor
    tiers: tuple[str, ...] = ("high", "medium", "low")


@dataclass(frozen=True)
class Commitment:
    key: str
    team: Literal["marketing", "sales"]
    per: Per
    label: str
    actual: Callable[[Mapping[str, Any]], float | None]
    target: Callable[[Mapping[str, Any], Targets], float]
    at_most: bool = False  # met when actual <= target (a count of flags), else when actual >= target


def _tier_compliance(tier: str) -> Callable[[Mapping[str, Any]], float | None]:
    def actual(m: Mapping[str, Any]) -> float | None:
        value = (m.get("by_tier") or {}).get(tier, {}).get("response_compliance")
        return None if value is None else float(value)

    return actual


def _get(name: str) -> Callable[[Mapping[str, Any]], float | None]:
    def actual(m: Mapping[str, Any]) -> float | None:
        value = m.get(name)
        return None if value is None else float(value)

    return actual


def _flagged(m: Mapping[str, Any]) -> float | None:
    return float(sum(1 for entry in (m.get("reasons") or {}).values() if entry.get("flagged")))


def commitments(targets: Targets) -> list[Commitment]:
    """Every commitment, marketing's first, in the order the one-page SLA lists them."""
    out = [
        Commitment(
            "mql_volume", "marketing", "week", "MQL volume", _get("mql_count"),
            lambda m, t: float(m.get("mql_target") or 0),
        ),
        Commitment(
            "acceptance", "marketing", "month", "acceptance rate", _get("acceptance_rate"),
            lambda m, t: t.acceptance_min,
        ),
        Commitment(
            "feedback", "marketing", "month", "reasons flagged (acted on)", _flagged,
            lambda m, t: 0.0, at_most=True,
        ),
    ]  # fmt: skip
    out += [
        Commitment(
            f"response_{tier}", "sales", "week", f"first contact in time, {tier} intent",
            _tier_compliance(tier), lambda m, t: t.compliance_min,
        )
        for tier in targets.tiers
    ]  # fmt: skip
    out += [
        Commitment("touches", "sales", "week", "minimum touches before closing", _get("min_touch_rate"),
                   lambda m, t: 1.0),
        Commitment("disposition", "sales", "week", "disposition in time", _get("disposition_compliance"),
                   lambda m, t: t.compliance_min),
        Commitment("hygiene", "sales", "month", "stage data complete", _get("hygiene_rate"),
                   lambda m, t: 1.0),
    ]  # fmt: skip
    return out


def judge(commitment: Commitment, m: Mapping[str, Any], targets: Targets) -> dict[str, Any]:
    """`{"period", "actual", "target", "met"}` of one period's metrics document."""
    actual = commitment.actual(m)
    target = commitment.target(m, targets)
    if actual is None or (commitment.key == "mql_volume" and target <= 0):
        met = None
    elif commitment.at_most:
        met = actual <= target
    else:
        met = actual >= target
    if commitment.key in ("mql_volume", "feedback") and actual is not None:
        shown: float | int | None = int(actual)
    else:
        shown = actual
    return {"period": m["period"], "actual": shown, "target": target, "met": met}


def runs(periods: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(current, longest) run of misses over periods oldest first; the current run ends at the last one."""
    current = longest = 0
    for p in periods:
        current = current + 1 if p["met"] is False else 0
        longest = max(longest, current)
    return current, longest
