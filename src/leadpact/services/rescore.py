"""What a scoring change does to open leads, and applying it.

A changed pact comes into force as a new version at the instant it is applied: earlier handoffs stay as the
pact in force made them; at that instant every open lead's gate is checked again under the new rules. The
dry run scores every open lead at `now` under the new pact in batches (vectorised) and reports who would
newly cross the gate and which handed-off leads would fall short of it; `apply` records the version and
re-projects the leads it hands off (with their clocks, starting at that instant).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from leadpact.domain.rules import Rules, Versions
from leadpact.domain.scoring_vec import engagement_vec, fit_vec, lead_columns, segment_vec
from leadpact.store.events import activity_columns
from leadpact.store.tables import leads
from leadpact.store.types import to_us

OPEN_STAGES = ("raw", "mql", "sal", "sql", "opportunity", "recycled", "closed_lost")
HANDED_OFF = ("mql", "sal")
BATCH = 5000


@dataclass
class RescoreReport:
    version_from: str | None
    version_to: str
    scanned: int = 0
    newly_cross: list[str] = field(default_factory=list)
    fall_short: list[str] = field(default_factory=list)
    fit_changed: int = 0
    applied: int = 0

    def to_json(self, sample: int = 20) -> dict[str, Any]:
        return {
            "version_from": self.version_from,
            "version_to": self.version_to,
            "scanned": self.scanned,
            "newly_cross": len(self.newly_cross),
            "fall_short": len(self.fall_short),
            "fit_changed": self.fit_changed,
            "applied": self.applied,
            "newly_cross_sample": self.newly_cross[:sample],
            "fall_short_sample": self.fall_short[:sample],
        }


def _open_batches(engine: Engine, fields: tuple[str, ...]) -> Any:
    last = ""
    while True:
        with engine.connect() as conn:
            # By primary key only: a stage filter here makes the database sort the open leads every batch.
            page = conn.execute(
                select(leads.c.lead_id, leads.c.stage, leads.c.fields, leads.c.fit, leads.c.erased_at)
                .where(leads.c.lead_id > last)
                .order_by(leads.c.lead_id)
                .limit(BATCH)
            ).all()
            if not page:
                return
            rows = [r for r in page if r.stage in OPEN_STAGES and r.erased_at is None]
            activities = activity_columns(conn, rows[0].lead_id, rows[-1].lead_id, fields) if rows else []
        if rows:
            yield rows, activities
        last = page[-1].lead_id


def activity_fields(*rules: Rules) -> tuple[str, ...]:
    """`kind`, and the activity filters some engagement rule of these rules uses."""
    used = {
        name
        for r in rules
        for rule in r.engagement
        for name in ("asset", "campaign", "channel")
        if getattr(rule, name) is not None
    }
    return ("kind", *sorted(used))


def _needs(rules: Rules, columns: dict[str, Any]) -> bool:
    """Whether a segment condition reads a field the fit columns do not hold."""
    return any(when is not None and when.field not in columns for _name, when in rules.segments)


@dataclass
class _Batch:
    """One batch of open leads, read once and scored under any number of pacts."""

    rows: list[Any]
    fields: list[dict[str, Any]]
    index: Any  # activity -> lead position
    at_us: Any
    named: dict[str, Any]  # kind and the filters, as object arrays

    @classmethod
    def of(cls, rows: list[Any], activities: list[tuple[Any, ...]], filters: tuple[str, ...]) -> _Batch:
        position = {row.lead_id: i for i, row in enumerate(rows)}
        kept = [a for a in activities if a[0] in position]
        columns_of = list(zip(*kept, strict=True)) if kept else [()] * (2 + len(filters))
        return cls(
            rows=rows,
            fields=[json.loads(r.fields) for r in rows],
            index=np.fromiter((position[lead] for lead in columns_of[0]), dtype=np.int64, count=len(kept)),
            at_us=np.asarray(columns_of[1], dtype=np.int64),
            named={name: np.asarray(columns_of[2 + i], dtype=object) for i, name in enumerate(filters)},
        )

    def score(self, rules: Rules, now: datetime) -> tuple[Any, Any, Any]:
        columns = lead_columns(self.fields, [rule.field for rule in rules.fit])
        fit = fit_vec(rules.fit, columns, len(self.rows))
        engagement = engagement_vec(
            rules.engagement,
            rules.half_life_days,
            self.index,
            self.named["kind"],
            self.at_us,
            asset=self.named.get("asset"),
            campaign=self.named.get("campaign"),
            channel=self.named.get("channel"),
            as_of_us=to_us(now),
            n_leads=len(self.rows),
        )
        if _needs(rules, columns):
            wanted = [*(r.field for r in rules.fit), *(w.field for _n, w in rules.segments if w is not None)]
            columns = lead_columns(self.fields, wanted)
        segment = segment_vec(rules.segments, columns, len(self.rows))
        names = [name for name, _when in rules.segments]
        fit_mins = np.array([rules.segment(n).fit_min for n in names] + [rules.segment(None).fit_min])
        engagement_mins = np.array(
            [rules.segment(n).engagement_min for n in names] + [rules.segment(None).engagement_min]
        )
        fit_min, engagement_min = fit_mins[segment], engagement_mins[segment]  # -1: the pact's own
        return fit, engagement, (fit >= fit_min) & (engagement >= engagement_min)


def rescore(
    engine: Engine,
    versions: Versions,
    current_version: str,
    *,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> RescoreReport:
    """The dry run: score every open lead at `now` under the newest version of `versions`."""
    items = versions.items
    before = items[-2][1] if len(items) > 1 else None
    report = RescoreReport(before if items[-1][1] == current_version else items[-1][1], current_version)
    rules = versions.latest
    previous = versions.items[-2][2] if len(versions.items) > 1 else rules
    fields = activity_fields(rules, previous)
    for rows, activities in _open_batches(engine, fields):
        batch = _Batch.of(rows, activities, fields)
        fit, _engagement, gate = batch.score(rules, now)
        old_fit, _old_engagement, old_gate = (
            (fit, _engagement, gate) if previous is rules else batch.score(previous, now)
        )
        for i, row in enumerate(rows):
            if abs(float(fit[i]) - float(old_fit[i])) > 1e-9:
                report.fit_changed += 1
            if row.stage == "raw" and gate[i] and not old_gate[i]:
                report.newly_cross.append(row.lead_id)  # qualifies by the change, not by a new event
            elif row.stage in HANDED_OFF and old_gate[i] and not gate[i]:
                report.fall_short.append(row.lead_id)  # would not qualify today under the new pact
        report.scanned += len(rows)
        if progress is not None:
            progress(len(rows))
    return report
