"""Suggested scoring (`leadpact calibrate suggest`, DESIGN.md §13): points and thresholds "determined by
analyzing your historical conversion data", as the seed asks.

- features: one per scoring rule of the pact — a fit rule matches (1) or not (0); an engagement rule's part
  of the score at that instant (decayed and capped, as the engine counts it) in units of the rule's points;
  a handoff is read at its MQL instant, a lead never handed off at its last activity (its engagement's peak);
- a logistic regression of "reached SQL" on the features of the period's MQL handoffs, fitted on 70% of them
  (stratified, seeded) and judged on the other 30% by the AUC of today's score (fit + engagement under the
  pact in force) against the AUC of the suggested score;
- suggested points: the coefficients on the scale of today's points (the same total of absolute points),
  whole numbers, an engagement rule never below 1 (an activity still shows engagement even where history
  says it predicts no SQL: within the handoffs, leads that needed many downloads to qualify convert less);
- suggested thresholds: the fit and engagement gate, searched over the suggested scores' quantiles, that
  keeps the MQL volume within 10% of today's (as the same features count it) and expects the most SQLs;
- predicted volume, acceptance (a second regression, accepted among the disposed) and SQL rate under it.
The handoffs were chosen by today's gate, so the leads it never handed off have no outcome to learn from:
the regression ranks within what today's gate lets through, and the volume it predicts for leads outside it
is an extrapolation. Pure (scikit-learn and numpy; imported inside the function).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from leadpact.domain.scoring import (
    Activity,
    EngagementRuleLike,
    FitRuleLike,
    engagement_label,
    engagement_score,
    fit_rule_label,
    fit_score,
)

F64 = npt.NDArray[np.float64]
HELD_OUT = 0.3
MIN_POSITIVES = 10
VOLUME_BAND = 0.10
GRID = 15


def features(
    fit_rules: Sequence[FitRuleLike],
    engagement_rules: Sequence[EngagementRuleLike],
    half_life_days: float,
    fields: Mapping[str, Any],
    activities: Sequence[Activity],
    at: datetime,
) -> list[float]:
    """The lead's features at `at`: each fit rule 1/0, then each engagement rule's part in points' units."""
    fit = [1.0 if fit_score([rule], fields)[1] else 0.0 for rule in fit_rules]
    engagement = [
        engagement_score([rule], half_life_days, activities, at)[0] / rule.points if rule.points else 0.0
        for rule in engagement_rules
    ]
    return fit + engagement


@dataclass(frozen=True)
class Scheme:
    """Points per feature (fit rules first) and the gate."""

    points: F64
    n_fit: int
    fit_min: float
    engagement_min: float

    def scores(self, x: F64) -> tuple[F64, F64]:
        fit: F64 = x[:, : self.n_fit] @ self.points[: self.n_fit]
        engagement: F64 = x[:, self.n_fit :] @ self.points[self.n_fit :]
        return fit, engagement

    def passes(self, x: F64) -> npt.NDArray[np.bool_]:
        fit, engagement = self.scores(x)
        out: npt.NDArray[np.bool_] = (fit >= self.fit_min) & (engagement >= self.engagement_min)
        return out


def _auc(y: npt.NDArray[np.int64], score: F64) -> float | None:
    from sklearn.metrics import roc_auc_score

    return None if len(set(y.tolist())) < 2 else float(roc_auc_score(y, score))


def _points_from(coef: F64, today: F64, n_fit: int) -> F64:
    """Coefficients on today's scale of points: the same total of absolute points; whole numbers; an
    engagement rule never below 1."""
    scale = float(np.abs(today).sum()) / float(np.abs(coef).sum()) if np.abs(coef).sum() > 0 else 0.0
    points = np.round(coef * scale)
    points[n_fit:] = np.maximum(points[n_fit:], 1.0)
    out: F64 = points.astype(np.float64)
    return out


def _thresholds(scheme_points: F64, n_fit: int, x: F64, p_sql: F64, volume: int) -> tuple[float, float]:
    """The gate over these scores that keeps the volume within 10% of `volume` and expects the most SQLs (the
    volume nearest to it when none does)."""
    probe = Scheme(scheme_points, n_fit, 0.0, 0.0)
    fit, engagement = probe.scores(x)
    qs = np.linspace(0.0, 0.95, GRID)
    # a gate is a bar to reach: thresholds come from the leads that score above zero on each side
    fits = sorted(set(np.quantile(fit[fit > 0], qs).round(1).tolist())) if (fit > 0).any() else [0.0]
    engs = (
        sorted(set(np.quantile(engagement[engagement > 0], qs).round(1).tolist()))
        if (engagement > 0).any()
        else [0.0]
    )
    best: tuple[float, float, float, float] | None = None  # (miss, -sqls, f, e)
    for f in fits:
        for e in engs:
            mask = (fit >= f) & (engagement >= e)
            count = int(mask.sum())
            miss = abs(count - volume) / volume if volume else float(count)
            key = (max(0.0, miss - VOLUME_BAND), -float(p_sql[mask].sum()), f, e)
            if best is None or key < best:
                best = key
    assert best is not None
    return best[2], best[3]


def suggest(
    labels: Sequence[str],
    n_fit: int,
    today: Sequence[float],
    gate: tuple[float, float],
    handoffs: Sequence[Sequence[float]],
    reached_sql: Sequence[bool],
    accepted: Sequence[bool | None],
    population: Sequence[Sequence[float]],
    *,
    seed: int = 0,
) -> dict[str, Any]:
    """The suggestion and its held-out judgement; `handoffs` are the MQL handoffs' features (with whether each
    reached SQL and was accepted, None: no disposition yet), `population` every lead's features (a handed-off
    lead at its handoff) for the volume. `today` are today's points per feature, `gate` today's thresholds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    x = np.asarray(handoffs, dtype=np.float64).reshape(len(handoffs), len(labels))
    y = np.asarray(reached_sql, dtype=np.int64)
    points_today = np.asarray(today, dtype=np.float64)
    positives = int(y.sum())
    if positives < MIN_POSITIVES or len(y) - positives < MIN_POSITIVES:
        return {
            "fitted": False,
            "reason": f"too few handoffs to learn from ({positives} reached SQL, {len(y) - positives} "
            f"did not; needs {MIN_POSITIVES} of each)",
        }
    index = np.arange(len(y))
    train, test = train_test_split(index, test_size=HELD_OUT, stratify=y, random_state=seed)
    model = LogisticRegression(max_iter=1000).fit(x[train], y[train])
    coef = np.asarray(model.coef_[0], dtype=np.float64)
    seen = (x[train] != 0).any(axis=0)  # a rule no handoff ever matched says nothing: today's points stay
    points = np.where(seen, _points_from(coef, points_today, n_fit), points_today)
    today_scheme = Scheme(points_today, n_fit, *gate)
    pop = np.asarray(population, dtype=np.float64).reshape(len(population), len(labels))
    volume_today = int(today_scheme.passes(pop).sum())
    p_pop = np.asarray(model.predict_proba(pop)[:, 1], dtype=np.float64)
    fit_min, engagement_min = _thresholds(points, n_fit, pop, p_pop, volume_today)
    suggested = Scheme(points, n_fit, fit_min, engagement_min)

    def total(scheme: Scheme, rows: F64) -> F64:
        fit, engagement = scheme.scores(rows)
        out: F64 = fit + engagement
        return out

    auc_today = _auc(y[test], total(today_scheme, x[test]))
    auc_suggested = _auc(y[test], total(suggested, x[test]))
    chosen = suggested.passes(pop)
    acceptance = _acceptance(x, accepted, pop[chosen], pop[today_scheme.passes(pop)])
    beats = auc_today is not None and auc_suggested is not None and auc_suggested > auc_today
    return {
        "fitted": True,
        "handoffs": len(y),
        "held_out": len(test),
        "reached_sql": positives,
        "rules": [
            {
                "rule": label,
                "kind": "fit" if i < n_fit else "engagement",
                "points_today": float(points_today[i]),
                "points_suggested": float(points[i]),
                "coefficient": float(coef[i]),
                "evidence": bool(seen[i]),
            }
            for i, label in enumerate(labels)
        ],
        "thresholds": {
            "today": {"fit": gate[0], "engagement": gate[1]},
            "suggested": {"fit": fit_min, "engagement": engagement_min},
        },
        "auc": {"today": auc_today, "suggested": auc_suggested},
        "beats_today": beats,
        "holds_volume": abs(int(chosen.sum()) - volume_today) <= VOLUME_BAND * volume_today,
        "predicted": {
            "today": {
                "mql_volume": volume_today,
                **acceptance["today"],
                "sql_rate": _mean(p_pop[today_scheme.passes(pop)]),
            },
            "suggested": {
                "mql_volume": int(chosen.sum()),
                **acceptance["suggested"],
                "sql_rate": _mean(p_pop[chosen]),
            },
        },
    }


def _mean(values: F64) -> float | None:
    return float(values.mean()) if values.size else None


def _acceptance(
    x: F64, accepted: Sequence[bool | None], suggested: F64, today: F64
) -> dict[str, dict[str, float | None]]:
    """Mean predicted acceptance of each MQL set, by a regression of accepted among the disposed handoffs."""
    from sklearn.linear_model import LogisticRegression

    known = np.asarray([a is not None for a in accepted], dtype=bool)
    y = np.asarray([bool(a) for a in accepted], dtype=np.int64)[known]
    if known.sum() < 2 * MIN_POSITIVES or len(set(y.tolist())) < 2:
        return {"today": {"acceptance_rate": None}, "suggested": {"acceptance_rate": None}}
    model = LogisticRegression(max_iter=1000).fit(x[known], y)

    def rate(rows: F64) -> float | None:
        return float(model.predict_proba(rows)[:, 1].mean()) if len(rows) else None

    return {"today": {"acceptance_rate": rate(today)}, "suggested": {"acceptance_rate": rate(suggested)}}


def rule_labels(
    fit_rules: Sequence[FitRuleLike], engagement_rules: Sequence[EngagementRuleLike]
) -> list[str]:
    return [fit_rule_label(r) for r in fit_rules] + [engagement_label(r) for r in engagement_rules]


def today_points(
    fit_rules: Sequence[FitRuleLike], engagement_rules: Sequence[EngagementRuleLike]
) -> list[float]:
    return [float(r.points) for r in fit_rules] + [float(r.points) for r in engagement_rules]
