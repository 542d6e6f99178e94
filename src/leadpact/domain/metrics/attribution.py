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
from datetime import datetime
from typing import Any, Literal

import numpy as np

from leadpact.domain.metrics.columns import F64, I64, NONE_US, ActivityColumns, B, Codes, HandoffColumns
from leadpact.domain.metrics.facts import Activity, HandoffFacts
from leadpact.domain.timeutil import to_us

NONE = "(none)"

Model = Literal["first_touch", "last_touch", "linear"]
Dimension = Literal["campaign", "source"]
MODELS: tuple[Model, ...] = ("first_touch", "last_touch", "linear")
DIMENSIONS: tuple[Dimension, ...] = ("campaign", "source")

Instant = Callable[[HandoffFacts], datetime | None]
Amount = Callable[[HandoffFacts], float]


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


# ------------------------------------------------------------------------------------ over columns


def _fsum_by(keys: I64, parts: F64, size: int) -> list[float]:
    """``math.fsum`` of the parts of each key (exact, so independent of order)."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(size + 1))
    values = parts[order].tolist()
    return [math.fsum(values[bounds[k] : bounds[k + 1]]) for k in range(size)]


def _label_codes(codes: Codes, labels: dict[str, int]) -> I64:
    """Each row's label code (``labels`` grows with new names); -1 for None and ""."""
    table = np.asarray([labels.setdefault(n, len(labels)) if n else -1 for n in codes.names] + [-1], np.int64)
    out: I64 = table[codes.codes]
    return out


def attribution_vec(
    h: HandoffColumns,
    rows: B,
    instant: I64,
    acts: ActivityColumns,
    as_of: datetime,
    amounts: F64 | None = None,
) -> dict[str, Any]:
    """``attribution`` over the handoff rows in ``rows`` (in row order), each dated by
    ``instant`` (``opportunity_at`` or ``customer_at``) and worth ``amounts`` (``h.amount`` unless given;
    ``h.won`` for revenue), with the leads' activities ``acts``."""
    now = to_us(as_of)
    idx = np.flatnonzero(rows & (instant <= now))
    at = instant[idx]
    amount = (h.amount if amounts is None else amounts)[idx]
    out: dict[str, Any] = {"count": int(idx.size), "total": math.fsum(amount.tolist())}
    # each counted row's activities at or before its instant: (row position, activity) pairs
    lead_index = {name: k for k, name in enumerate(acts.lead.names)}
    row_lead = np.fromiter((lead_index.get(h.lead_id[i], -1) for i in idx.tolist()), np.int64, idx.size)
    order = np.argsort(acts.lead.codes, kind="stable")
    sorted_lead = acts.lead.codes[order]
    lo = np.searchsorted(sorted_lead, row_lead, "left")
    hi = np.where(row_lead < 0, lo, np.searchsorted(sorted_lead, row_lead, "right"))
    per_row = hi - lo
    pair_row = np.repeat(np.arange(idx.size), per_row)
    offsets = np.arange(pair_row.size) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    pair_act = order[np.repeat(lo, per_row) + offsets]
    keep = acts.at[pair_act] <= at[pair_row]
    pair_row, pair_act = pair_row[keep], pair_act[keep]
    pair_at = acts.at[pair_act]
    # asset influence: each row once per asset it touched (asset truthy)
    asset_ok = acts.asset.where_names(bool)[pair_act]
    span = max(idx.size, 1)
    asset_pairs = np.unique(acts.asset.codes[pair_act][asset_ok] * span + pair_row[asset_ok])
    asset_code, asset_row = asset_pairs // span, asset_pairs % span
    assets: dict[str, dict[str, Any]] = {}
    if asset_pairs.size:
        names = len(acts.asset.names)
        counts = np.bincount(asset_code, minlength=names)
        sums = _fsum_by(asset_code, amount[asset_row], names)
        for code in np.flatnonzero(counts).tolist():
            assets[acts.asset.names[code]] = {"count": int(counts[code]), "amount": sums[code]}
    out["assets"] = dict(sorted(assets.items(), key=lambda kv: (-kv[1]["amount"], -kv[1]["count"], kv[0])))
    # the chosen activities of each model, then their keys per dimension (codes into `labels`)
    has_pairs = np.bincount(pair_row, minlength=idx.size) > 0
    first_at = np.full(idx.size, NONE_US, np.int64)
    last_at = np.full(idx.size, np.iinfo(np.int64).min, np.int64)
    np.minimum.at(first_at, pair_row, pair_at)
    np.maximum.at(last_at, pair_row, pair_at)
    chosen = {
        "first_touch": pair_at == first_at[pair_row],
        "last_touch": pair_at == last_at[pair_row],
        "linear": np.ones(pair_row.size, bool),
    }
    labels: dict[str, int] = {NONE: 0}
    campaign = _label_codes(acts.campaign, labels)[pair_act]
    act_source = _label_codes(acts.source, labels)[pair_act]
    row_source = _label_codes(h.source.take(idx), labels)
    keys = {
        "campaign": np.where(campaign >= 0, campaign, 0),
        "source": np.where(
            act_source >= 0, act_source, np.where(row_source[pair_row] >= 0, row_source[pair_row], 0)
        ),
    }
    label_names = list(labels)
    for model in MODELS:
        out[model] = {}
        for dimension in DIMENSIONS:
            sel = chosen[model]
            out[model][dimension] = _credit(
                pair_row[sel], keys[dimension][sel], label_names, amount, has_pairs
            )
    return out


def _credit(rows: I64, keys: I64, labels: list[str], amount: F64, has_pairs: B) -> dict[str, float]:
    """Each row's amount split over its keys (codes into ``labels``; ``labels[0]`` is NONE) by
    ``split_exactly`` (a row with one key gives it its whole amount, exactly what ``split_exactly`` gives),
    the rows without activity to NONE; per key the fsum, sorted by amount then name."""
    size = len(labels)
    pairs, weights = np.unique(rows * size + keys, return_counts=True)
    pair_row, pair_key = pairs // size, pairs % size
    keys_per_row = np.bincount(pair_row, minlength=amount.size)
    single = keys_per_row[pair_row] == 1
    parts_key = [pair_key[single]]
    parts = [amount[pair_row[single]] + 0.0]
    multi = np.unique(pair_row[~single])
    if multi.size:  # pair_row is sorted (np.unique of row * size + key)
        lo = np.searchsorted(pair_row, multi, "left").tolist()
        hi = np.searchsorted(pair_row, multi, "right").tolist()
        key_list, weight_list = pair_key.tolist(), weights.tolist()
        for r, a, b in zip(multi.tolist(), lo, hi, strict=True):
            split = split_exactly(
                float(amount[r]), {labels[key_list[j]]: int(weight_list[j]) for j in range(a, b)}
            )
            parts_key.append(np.asarray([labels.index(k) for k in split], np.int64))
            parts.append(np.asarray(list(split.values()), np.float64))
    empty = np.flatnonzero(~has_pairs)
    if empty.size:
        parts_key.append(np.zeros(empty.size, np.int64))
        parts.append(amount[empty] + 0.0)
    all_keys = np.concatenate(parts_key)
    all_parts = np.concatenate(parts)
    bad = ~np.isfinite(all_parts)
    if bad.any():
        split_exactly(float(all_parts[bad][0]), {NONE: 1})  # raises as the reference does
    totals = _fsum_by(all_keys, all_parts, size)
    present = np.bincount(all_keys, minlength=size) > 0
    credit = {labels[k]: totals[k] for k in range(size) if present[k]}
    return dict(sorted(credit.items(), key=lambda kv: (-kv[1], kv[0])))
