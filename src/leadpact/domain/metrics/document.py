"""The pieces of the metrics document both implementations share: a rate, the rejection reasons' breakdown,
the targets, and the document's head (volume against target, pace, projected end) and per-source targets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leadpact.domain.metrics.facts import MetricParams
from leadpact.domain.planning import Pace, pace


def rate(numerator: int | float, denominator: int | float) -> float | None:
    return None if not denominator else float(numerator) / float(denominator)


def reason_breakdown(counts: Mapping[str, int], params: MetricParams) -> dict[str, Any]:
    """Per reason: count, share of all rejections + disqualifications, `flagged` (share above the alert share,
    with at least `min_rejections` of them in all), and marketing's mapped action."""
    total = sum(counts.values())
    out = {}
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        share = count / total
        out[code] = {
            "count": count,
            "share": share,
            "flagged": share > params.reason_alert_share and total >= params.min_rejections,
            "action": params.reasons.get(code),
        }
    return out


@dataclass
class Targets:
    mql_target: float | None = None
    elapsed_share: float | None = None
    source_plan: Mapping[str, float] = field(default_factory=dict)  # planned share of MQLs per source


def _pace(count: int, target: float | None, elapsed: float | None) -> Pace:
    return pace(count, 0 if target is None else target, elapsed)


def document_head(core: dict[str, Any], targets: Targets) -> dict[str, Any]:
    """The document's opening: volume against target, pace, projected end, then every core metric."""
    count = core["mql_count"]
    paced = _pace(count, targets.mql_target, targets.elapsed_share)
    out: dict[str, Any] = {
        "mql_count": count,
        "rehandoff_count": core["rehandoff_count"],
        "mql_target": targets.mql_target,
        "mql_pace": paced.mql_pace,
        "projected": paced.projected,
        "elapsed_share": targets.elapsed_share,
    }
    out.update({k: v for k, v in core.items() if k not in out})
    return out


def source_targets(
    by_source: dict[str, Any], targets: Targets, empty: Callable[[str], dict[str, Any]]
) -> None:
    """Each planned source's share of the target and its pace (`empty(source)`: the entry of a planned
    source with no MQLs)."""
    for source, share in targets.source_plan.items():
        planned = None if targets.mql_target is None else targets.mql_target * share
        entry = by_source.setdefault(source, empty(source))
        entry["mql_target"] = planned
        entry["mql_pace"] = _pace(entry["mql_count"], planned, targets.elapsed_share).mql_pace
