"""The suggestion's learning on made-up leads whose outcome hangs on one rule today's points undervalue."""

from __future__ import annotations

import random

from leadpact.domain.suggest import suggest

LABELS = ["senior", "big", "demo", "download"]


def _leads(n: int, seed: int) -> tuple[list[list[float]], list[bool]]:
    rnd = random.Random(seed)
    x, y = [], []
    for _ in range(n):
        senior, big = float(rnd.random() < 0.5), float(rnd.random() < 0.5)
        demo, download = float(rnd.random() < 0.4), float(rnd.randint(0, 3))
        x.append([senior, big, demo, download])
        y.append(rnd.random() < (0.55 if senior else 0.08))  # seniority decides; size and downloads do not
    return x, y


def test_a_suggestion_that_weighs_the_rule_that_matters_beats_todays_points_on_held_out_leads() -> None:
    x, y = _leads(1500, 1)
    today = [5.0, 30.0, 50.0, 10.0]  # today's points overweigh size and downloads
    got = suggest(LABELS, 2, today, (20.0, 10.0), x, y, [None] * len(y), x, seed=3)
    assert got["fitted"] and got["beats_today"]
    assert got["auc"]["suggested"] > got["auc"]["today"] + 0.1
    points = {r["rule"]: r["points_suggested"] for r in got["rules"]}
    assert points["senior"] > points["big"] and all(r["evidence"] for r in got["rules"])
    assert got["predicted"]["suggested"]["sql_rate"] > got["predicted"]["today"]["sql_rate"]


def test_too_few_outcomes_is_said_not_fitted() -> None:
    x, y = _leads(30, 2)
    got = suggest(LABELS, 2, [5.0, 30.0, 50.0, 10.0], (20.0, 10.0), x, [False] * 30, [None] * 30, x)
    assert not got["fitted"] and "too few" in got["reason"]
