"""Calibration sessions (DESIGN.md §13; the seed's "random sample of 20–30 leads" a month, both teams judging
each independently: should this have been an MQL?).

- score bands: the quartiles of the period's handoff scores (fit + engagement at the handoff), so each band
  holds about a quarter of the period's MQLs whatever the pact's scale;
- the sample: stratified by score band and outcome (accepted, rejected or disqualified, other), each stratum
  getting its proportional share (largest remainders; every stratum at least one when the size allows), drawn
  with a seeded generator from the candidates in a fixed order — the same seed gives the same sheet;
- the report: agreement and Cohen's kappa between the teams' verdicts, the disagreements, and drift — per
  band, how both teams judged it against how the period's MQLs of that band were accepted and reached SQL (a
  scoring model that still works accepts and converts more in its higher bands).
Pure: no I/O, no clock.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

YES, NO = "yes", "no"
VERDICTS = {
    "yes": YES,
    "y": YES,
    "good": YES,
    "true": YES,
    "1": YES,
    "no": NO,
    "n": NO,
    "bad": NO,
    "false": NO,
    "0": NO,
}
TEAMS = ("marketing", "sales")
ACCEPTED, FLAGGED, OTHER = "accepted", "rejected", "other"


def verdict(text: str) -> str:
    """`yes` or `no` from the words a sheet may hold (yes/no, good/bad, y/n, true/false); ValueError else."""
    word = VERDICTS.get(text.strip().lower())
    if word is None:
        raise ValueError(f"{text!r} is not a verdict (write yes or no; good and bad are read as yes and no)")
    return word


@dataclass(frozen=True)
class Band:
    label: str
    low: float
    high: float  # inclusive


def score_bands(scores: Sequence[float], count: int = 4) -> list[Band]:
    """The quartile bands (or `count`-iles) of these scores; one band when they cannot be told apart."""
    if not scores:
        return []
    values = np.asarray(scores, dtype=np.float64)
    edges = sorted(set(np.quantile(values, [i / count for i in range(1, count)]).round(1).tolist()))
    lows = [round(float(values.min()), 1)] + edges
    highs = edges + [round(float(values.max()), 1)]
    bands = [(lo, hi) for lo, hi in zip(lows, highs, strict=True) if hi >= lo]
    return [Band(f"B{i + 1} {lo:g}–{hi:g}", lo, hi) for i, (lo, hi) in enumerate(bands)]


def band_of(score: float, bands: Sequence[Band]) -> str:
    """The first band whose upper edge holds the score (the last for anything above)."""
    for band in bands:
        if score <= band.high:
            return band.label
    return bands[-1].label


def outcome_group(outcome: str) -> str:
    if outcome == "accepted":
        return ACCEPTED
    return FLAGGED if outcome in ("rejected", "disqualified") else OTHER


@dataclass(frozen=True)
class Candidate:
    lead_id: str
    n: int
    score: float
    outcome: str


def allocate(sizes: Mapping[Any, int], total: int) -> dict[Any, int]:
    """`total` spread over strata in proportion to their sizes (largest remainders), each non-empty stratum at
    least one when `total` allows, none more than it holds."""
    strata = {k: v for k, v in sizes.items() if v > 0}
    everyone = sum(strata.values())
    total = min(total, everyone)
    if not strata or total <= 0:
        return {k: 0 for k in sizes}
    floor = 1 if total >= len(strata) else 0
    out = {k: floor for k in strata}
    left = total - floor * len(strata)
    room = {k: strata[k] - out[k] for k in strata}
    weight = sum(room.values())
    if left > 0 and weight > 0:
        shares = {k: left * room[k] / weight for k in strata}
        for k in strata:
            out[k] += min(room[k], int(shares[k]))
        order = sorted(strata, key=lambda k: (-(shares[k] - int(shares[k])), str(k)))
        while sum(out.values()) < total:
            for k in order:
                if sum(out.values()) < total and out[k] < strata[k]:
                    out[k] += 1
    return {k: out.get(k, 0) for k in sizes}


def stratified_sample(
    candidates: Sequence[Candidate], bands: Sequence[Band], size: int, seed: int
) -> list[Candidate]:
    """A seeded sample of `size` candidates stratified by (score band, outcome group), in a fixed order."""
    strata: dict[tuple[str, str], list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: (c.lead_id, c.n)):
        strata.setdefault((band_of(c.score, bands), outcome_group(c.outcome)), []).append(c)
    counts = allocate({k: len(v) for k, v in strata.items()}, size)
    rng = random.Random(seed)
    chosen: list[Candidate] = []
    for key in sorted(strata):
        chosen.extend(rng.sample(strata[key], counts[key]))
    return sorted(chosen, key=lambda c: (c.lead_id, c.n))


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' labels; None without items, 1.0 when both always say the same one word
    (no disagreement is possible to tell from chance, and none happened)."""
    if not a:
        return None
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def _share_yes(values: Sequence[str | None]) -> float | None:
    given = [v for v in values if v is not None]
    return sum(v == YES for v in given) / len(given) if given else None


def session_report(items: Sequence[Mapping[str, Any]], bands: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Agreement, kappa, disagreements and drift of one session's items (each with `band`, `marketing`,
    `sales`, `outcome`, `reached_sql`); `bands` carry the period's acceptance and SQL rate per band."""
    both = [i for i in items if i["marketing"] is not None and i["sales"] is not None]
    marketing, sales = [i["marketing"] for i in both], [i["sales"] for i in both]
    agreement = sum(m == s for m, s in zip(marketing, sales, strict=True)) / len(both) if both else None
    disagreements = [
        {
            k: i[k]
            for k in ("lead_id", "n", "band", "fit", "engagement", "source", "outcome", "marketing", "sales")
        }
        for i in both
        if i["marketing"] != i["sales"]
    ]
    drift = []
    for band in bands:
        mine = [i for i in items if i["band"] == band["band"]]
        drift.append(
            {
                **band,
                "sampled": len(mine),
                "marketing_yes": _share_yes([i["marketing"] for i in mine]),
                "sales_yes": _share_yes([i["sales"] for i in mine]),
            }
        )
    return {
        "n": len(both),
        "sampled": len(items),
        "pending": {team: sum(i[team] is None for i in items) for team in TEAMS},
        "agreement": agreement,
        "kappa": cohen_kappa(marketing, sales),
        "disagreements": disagreements,
        "drift": {"bands": drift, "finding": drift_finding(drift)},
    }


def drift_finding(drift: Sequence[Mapping[str, Any]]) -> str | None:
    """A sentence when a higher band converts to SQL no better than a lower one (the score no longer ranks
    leads as sales finds them)."""
    rates = [(d["band"], d["sql_rate"]) for d in drift if d.get("sql_rate") is not None]
    for (low_band, low), (high_band, high) in zip(rates, rates[1:], strict=False):
        if high <= low:
            return (
                f"band {high_band} reaches SQL at {high:.1%}, no better than {low_band} at {low:.1%}: "
                "the score no longer ranks leads the way sales finds them"
            )
    return None
