"""The MQL gate (DESIGN.md §3): a lead's segment decides its thresholds; fit and engagement must both reach
them. One rule, read per lead by the replay (`passes`) and per batch of leads by the rescore (`passes_vec`);
a property test holds the two equal.

A recycled lead comes back (a re-handoff) within `recycle.rehandoff.within_days` of its recycle, while
cycles are left, when the fit gate still holds and either one of `or_kinds` happens or its engagement has
gained `engagement_gain` since the recycle.

A pact change re-checks the gate of every open lead at the instant it comes into force: a raw lead that
passes is handed off then; a handed-off lead that passed under the old pact and fails under the new one
stays handed off and is flagged (`below_gate_flag`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from leadpact.domain.conditions import ConditionLike
from leadpact.domain.conditions_vec import condition_vec
from leadpact.domain.lead_columns import I64, Column, LeadBatch, as_batch
from leadpact.domain.rules import Rules

Bools = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]

#: stages of a lead handed off and not yet worked past acceptance: the ones a stricter gate flags
HANDED_OFF = ("mql", "sal")


def thresholds(rules: Rules, fields: Mapping[str, Any]) -> tuple[float, float]:
    """(fit, engagement) minimums of the lead's segment."""
    seg = rules.segment(rules.segment_for(fields))
    return seg.fit_min, seg.engagement_min


def passes(rules: Rules, fields: Mapping[str, Any], fit: float, engagement: float) -> bool:
    fit_min, engagement_min = thresholds(rules, fields)
    return fit >= fit_min and engagement >= engagement_min


def rehandoff_open(rules: Rules, cycles: int, recycled_at: datetime, at: datetime) -> bool:
    """Whether a recycled lead may be handed off again at `at`: re-handoffs on, cycles left (`max_cycles`
    counts the first), and within `within_days` of the recycle."""
    rule = rules.rehandoff
    if rule is None or cycles >= rules.max_cycles:
        return False
    return recycled_at <= at <= recycled_at + timedelta(days=rule.within_days)


def rehandoff_triggered(rules: Rules, kind: str | None, engagement_gain: float) -> bool:
    """Within the open window, with the fit gate still held: one of `or_kinds`, or the engagement gain since
    the recycle reaches `engagement_gain`."""
    rule = rules.rehandoff
    if rule is None:
        return False
    return (kind is not None and kind in rule.or_kinds) or engagement_gain >= rule.engagement_gain


def segment_vec(
    segments: Sequence[tuple[str, ConditionLike | None]],
    columns: Mapping[str, Column] | LeadBatch,
    n: int | None = None,
    *,
    email: Column | None = None,
) -> I64:
    """Per lead, the index in ``segments`` of the first whose condition holds (None: every lead), else -1."""
    batch = as_batch(columns, n, email)
    out = np.full(batch.n, -1, np.int64)
    for index, (_, when) in enumerate(segments):
        undecided = out < 0
        if not bool(undecided.any()):
            break
        hit = undecided if when is None else undecided & condition_vec(when.field, when.op, when.value, batch)
        out[hit] = index
    return out


def thresholds_vec(rules: Rules, columns: Mapping[str, Column] | LeadBatch, n: int) -> tuple[F64, F64]:
    """Per lead, `thresholds`: the segment chosen by `segment_vec`, -1 meaning the pact's own values."""
    names = [name for name, _when in rules.segments]
    index = segment_vec(rules.segments, columns, n)
    fit_mins = np.array([rules.segment(name).fit_min for name in names] + [rules.segment(None).fit_min])
    engagement_mins = np.array(
        [rules.segment(name).engagement_min for name in names] + [rules.segment(None).engagement_min]
    )
    return fit_mins[index], engagement_mins[index]


def passes_vec(
    rules: Rules, columns: Mapping[str, Column] | LeadBatch, n: int, fit: F64, engagement: F64
) -> Bools:
    fit_min, engagement_min = thresholds_vec(rules, columns, n)
    result: Bools = (fit >= fit_min) & (engagement >= engagement_min)
    return result


def gate_fields(rules: Rules) -> list[str]:
    """The lead fields the gate reads: the fit rules' and the segment conditions'."""
    return [
        *(rule.field for rule in rules.fit),
        *(when.field for _n, when in rules.segments if when is not None),
    ]


def below_gate_flag(version: str) -> str:
    """The flag on a handoff that version `version` of the pact would not have handed off."""
    return f"below_gate:{version}"
