"""Attribution's extra views (issue 7, point 4): asset influence and first-, last- and linear activity credit.

The rows are the period's opportunities (dated by their opportunity instant) or its customers (dated by their
customer instant); each row's activities are the lead's activities at or before that instant (DESIGN.md §5
counts an activity at the instant as influencing it). Pure: no I/O, ``as_of`` is an argument.

- **asset influence**: per asset, how many rows had an activity on that asset, and their amount. A row
  counts once for every asset it touched, so the amounts overlap: influence, not credit.
- **first touch**: the row's amount goes to its earliest activity; **last touch**: to its last activity;
  **linear**: split evenly over its activities. Activities at the same instant share the first (or last)
  place equally, so the result does not depend on the order the activities come in.
- credit goes to the activity's campaign and to its source (an activity names no source of its own in the
  event vocabulary, so that is the lead's source); an activity without a campaign, and a row without any
  activity, is credited to ``"(none)"``.

Amounts are floats; a missing amount counts as 0. The credits of one row sum to its amount exactly, in any
order (see ``split_exactly``); a view's values are ``math.fsum`` of the credits of its rows.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from leadpact.domain.metrics import HandoffFacts

NONE = "(none)"

Model = Literal["first_touch", "last_touch", "linear"]
Dimension = Literal["campaign", "source"]
MODELS: tuple[Model, ...] = ("first_touch", "last_touch", "linear")
DIMENSIONS: tuple[Dimension, ...] = ("campaign", "source")

Instant = Callable[[HandoffFacts], datetime | None]
Amount = Callable[[HandoffFacts], float]


@dataclass(frozen=True, slots=True)
class Activity:
    """One ``activity`` event of a lead, as attribution reads it."""

    at: datetime
    kind: str
    asset: str | None = None
    campaign: str | None = None
    source: str | None = None  # the activity's own source, when it has one; else the lead's


def opportunity_instant(h: HandoffFacts) -> datetime | None:
    return h.opportunity_at


def customer_instant(h: HandoffFacts) -> datetime | None:
    return h.customer_at


def opportunity_amount(h: HandoffFacts) -> float:
    return float(h.amount or 0.0)


def won_amount(h: HandoffFacts) -> float:
    """What was won (the customer stage's amount when given, else the opportunity's): revenue's amount."""
    return h.won


def split_exactly(amount: float, weights: Mapping[str, int]) -> dict[str, float]:
    """``amount`` split over the keys in proportion to their (positive integer) weights, so that the parts
    sum to ``amount`` exactly in floating point, whatever the order of the additions.

    Every part is a whole multiple of ``ulp(amount)``, apportioned by largest remainder (ties to the key
    that sorts first): each partial sum is then a multiple of that ulp no larger than ``amount`` and so a
    float, and every addition is exact. A part is within one ulp of its ideal share.
    """
    if not math.isfinite(amount):
        raise ValueError(f"an amount to split must be finite, not {amount!r}")
    if not weights:
        raise ValueError("nothing to split an amount over")
    if any(w <= 0 for w in weights.values()):
        raise ValueError("split weights must be positive")
    if amount == 0:
        return {key: 0.0 for key in weights}
    quantum = math.ulp(amount)
    units = int(abs(amount) / quantum)  # exact: |amount| is a whole number of its ulps, below 2**53
    total = sum(weights.values())
    base = {key: units * w // total for key, w in weights.items()}
    left = units - sum(base.values())
    by_remainder = sorted(weights, key=lambda key: (-(units * weights[key] % total), key))
    for key in by_remainder[:left]:
        base[key] += 1
    sign = -1.0 if amount < 0 else 1.0
    return {key: sign * (base[key] * quantum) for key in weights}


def activities_before(activities: Iterable[Activity], instant: datetime) -> list[Activity]:
    """The activities at or before ``instant``, oldest first (a stable sort: equal instants keep their
    order)."""
    return sorted((a for a in activities if a.at <= instant), key=lambda a: a.at)


def _key(activity: Activity, lead: HandoffFacts, dimension: Dimension) -> str:
    if dimension == "campaign":
        return activity.campaign or NONE
    return activity.source or lead.source or NONE


def credit_weights(
    lead: HandoffFacts, activities: Sequence[Activity], model: Model, dimension: Dimension
) -> dict[str, int]:
    """How many of the credited activities fall to each key (``activities`` as ``activities_before``
    gives them); ``{"(none)": 1}`` when there is none."""
    if not activities:
        return {NONE: 1}
    if model == "first_touch":
        first = activities[0].at
        chosen = [a for a in activities if a.at == first]
    elif model == "last_touch":
        last = activities[-1].at
        chosen = [a for a in activities if a.at == last]
    else:
        chosen = list(activities)
    return dict(Counter(_key(a, lead, dimension) for a in chosen))


def row_credit(
    lead: HandoffFacts,
    activities: Sequence[Activity],
    model: Model,
    dimension: Dimension,
    amount: Amount = opportunity_amount,
) -> dict[str, float]:
    """One row's credit per key under a model; the values sum to the row's amount exactly."""
    return split_exactly(amount(lead), credit_weights(lead, activities, model, dimension))


def _sorted(amounts: Mapping[str, list[float]]) -> dict[str, float]:
    totals = {key: math.fsum(parts) for key, parts in amounts.items()}
    return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


def attribution(
    rows: Sequence[HandoffFacts],
    activities: Mapping[str, Sequence[Activity]],
    as_of: datetime,
    instant: Instant = opportunity_instant,
    amount: Amount = opportunity_amount,
) -> dict[str, Any]:
    """The extra attribution views over the period's rows (opportunities and their amounts by default; pass
    the customers, ``instant=customer_instant`` and ``amount=won_amount`` for won revenue). A row counts once
    its instant is at or before ``as_of``; ``activities`` maps a lead to its activities (any order, any
    instant: those after the row's instant are left out here).

    ``{"count", "total", "assets": {asset: {"count", "amount"}}, "first_touch" | "last_touch" | "linear":
    {"campaign": {key: amount}, "source": {key: amount}}}``, each mapping sorted by amount (largest first),
    then by name.
    """
    counted = [(h, at) for h in rows if (at := instant(h)) is not None and at <= as_of]
    asset_counts: dict[str, int] = defaultdict(int)
    asset_amounts: dict[str, list[float]] = defaultdict(list)
    credits: dict[tuple[Model, Dimension], dict[str, list[float]]] = {
        (m, d): defaultdict(list) for m in MODELS for d in DIMENSIONS
    }
    for h, at in counted:
        value = amount(h)
        before = activities_before(activities.get(h.lead_id, ()), at)
        for asset in {a.asset for a in before if a.asset}:
            asset_counts[asset] += 1
            asset_amounts[asset].append(value)
        for (model, dimension), into in credits.items():
            for key, part in row_credit(h, before, model, dimension, amount).items():
                into[key].append(part)
    assets = {
        asset: {"count": asset_counts[asset], "amount": math.fsum(asset_amounts[asset])}
        for asset in asset_counts
    }
    out: dict[str, Any] = {
        "count": len(counted),
        "total": math.fsum(amount(h) for h, _ in counted),
        "assets": dict(sorted(assets.items(), key=lambda kv: (-kv[1]["amount"], -kv[1]["count"], kv[0]))),
    }
    for model in MODELS:
        out[model] = {dimension: _sorted(credits[(model, dimension)]) for dimension in DIMENSIONS}
    return out
