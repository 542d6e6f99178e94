"""Fit and engagement of :mod:`leadpact.domain.scoring` over batches of leads (same answers).

Leads come as columns (:mod:`leadpact.domain.lead_columns`). Activities come as parallel arrays
(``lead_index``, ``kind``, ``at_us`` in UTC microseconds, optional ``asset``/``campaign``/``channel``). A
categorical array is either values (strings, ``None`` for none) or a :class:`Coded` (integer codes into a
list of names, a negative code for none), which is what a column store hands out and the fastest input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from leadpact.domain.conditions_vec import condition_vec
from leadpact.domain.lead_columns import F64, I64, Bools, Column, LeadBatch, as_batch, factorise
from leadpact.domain.scoring import EngagementRuleLike, FitRuleLike

_DAY = 86400.0
_US = 1e6


def fit_vec(
    rules: Sequence[FitRuleLike],
    columns: Mapping[str, Column] | LeadBatch,
    n: int | None = None,
    *,
    email: Column | None = None,
) -> F64:
    """``fit_score(rules, lead)[0]`` for every lead: each matching rule adds its points once."""
    batch = as_batch(columns, n, email)
    total = np.zeros(batch.n, np.float64)
    if batch.n == 0:
        return total
    for rule in rules:
        hit = condition_vec(rule.field, rule.op, rule.value, batch)
        np.add(total, rule.points, out=total, where=hit)
    return total


@dataclass(frozen=True)
class Coded:
    """A categorical array: ``names[codes[i]]``; a negative code means no value (None)."""

    codes: npt.NDArray[np.integer[Any]]
    names: Sequence[str | None]

    def equals(self, name: str) -> Bools:
        """Where the value is ``name`` (exact, as ``matches_activity`` compares)."""
        hits = [i for i, candidate in enumerate(self.names) if candidate == name]
        if not hits:
            return np.zeros(self.codes.shape[0], np.bool_)
        if len(hits) == 1:
            one: Bools = self.codes == hits[0]
            return one
        many: Bools = np.isin(self.codes, hits)
        return many


Labels = Coded | npt.NDArray[Any] | Sequence[Any]


def _coded(labels: Labels | None, m: int, what: str) -> Coded | None:
    if labels is None:
        return None
    if isinstance(labels, Coded):
        if labels.codes.ndim != 1 or labels.codes.shape[0] != m:
            raise ValueError(f"{what}: expected {m} codes, got shape {labels.codes.shape}")
        return labels
    if isinstance(labels, np.ndarray) and labels.dtype.kind in "iu":
        raise TypeError(f"{what}: integer codes need their names; pass Coded(codes, names)")
    codes, uniques = factorise(labels, m, what)
    return Coded(codes, uniques)


def _instants(values: npt.NDArray[Any] | Sequence[int], what: str) -> I64:
    array = np.asarray(values)
    if array.dtype.kind == "M":
        array = array.astype("datetime64[us]").view(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{what}: expected int64 microseconds or datetime64, got {array.dtype}")
    out: I64 = array.astype(np.int64, copy=False)
    return out


def engagement_vec(
    rules: Sequence[EngagementRuleLike],
    half_life_days: float,
    lead_index: npt.NDArray[np.integer[Any]] | Sequence[int],
    kind: Labels,
    at_us: npt.NDArray[Any] | Sequence[int],
    *,
    asset: Labels | None = None,
    campaign: Labels | None = None,
    channel: Labels | None = None,
    as_of_us: int | npt.NDArray[Any],
    n_leads: int,
) -> F64:
    """``engagement_score(rules, half_life_days, lead's activities, as_of)[0]`` for every lead.

    Activity ``j`` belongs to lead ``lead_index[j]`` (0 <= index < n_leads) and happened at ``at_us[j]``
    (UTC microseconds, or datetime64). ``as_of_us`` is one instant or one per lead. A rule's part of a lead's
    score is min(max, the sum over its matching activities at or before as_of, and no older than window_days,
    of points * 0.5 ** (age_days / half_life)); the score is the sum of the parts (DESIGN.md §3).
    Omitted asset/campaign/channel arrays mean no activity has one (a rule filtering on it matches none).
    """
    lead = np.asarray(lead_index)  # any integer type: only the selected rows are widened, by bincount
    if lead.dtype.kind not in "iu" and lead.size:
        raise TypeError(f"lead_index: expected integers, got {lead.dtype}")
    if lead.dtype == np.uint64:  # bincount will not take it
        lead = lead.astype(np.int64)
    at = _instants(at_us, "at_us")
    m = lead.shape[0]
    if lead.ndim != 1 or at.shape != (m,):
        raise ValueError(f"lead_index and at_us: one dimension, one length (got {lead.shape}, {at.shape})")
    if m and (int(lead.min()) < 0 or int(lead.max()) >= n_leads):
        raise ValueError(f"lead_index out of range [0, {n_leads})")
    as_of = _instants(np.asarray(as_of_us), "as_of_us")
    as_of_one = int(as_of) if as_of.ndim == 0 else None
    if as_of_one is None and as_of.shape != (n_leads,):
        raise ValueError(f"as_of_us: expected one instant or {n_leads}, got shape {as_of.shape}")
    kinds = _coded(kind, m, "kind")
    assert kinds is not None
    filters = {
        "asset": _coded(asset, m, "asset"),
        "campaign": _coded(campaign, m, "campaign"),
        "channel": _coded(channel, m, "channel"),
    }
    total = np.zeros(n_leads, np.float64)
    for rule in rules:
        selected = kinds.equals(rule.kind)
        for name, labels in filters.items():
            wanted = getattr(rule, name)
            if wanted is None:
                continue
            if labels is None:
                selected[:] = False
            else:
                selected &= labels.equals(wanted)
        idx = np.flatnonzero(selected)
        if idx.size == 0:
            continue
        who = lead[idx]
        age_us = (as_of[who] if as_of_one is None else as_of_one) - at[idx]
        keep = age_us >= 0
        if not bool(keep.all()):
            who, age_us = who[keep], age_us[keep]
        age_days = age_us / _US / _DAY
        if rule.window_days is not None:
            inside = age_days <= rule.window_days
            if not bool(inside.all()):
                who, age_days = who[inside], age_days[inside]
        if who.size == 0:
            continue
        half_life = rule.half_life_days if rule.half_life_days is not None else half_life_days
        points = rule.points * np.power(0.5, age_days / half_life)
        sums = np.bincount(who, weights=points, minlength=n_leads)
        if rule.max is not None:
            counts = np.bincount(who, minlength=n_leads)
            sums = np.where(counts > 0, np.minimum(rule.max, sums), 0.0)
        total += sums
    return total
