"""What a pact change does to open leads (`rescore`), and putting it in force (`apply_pact`).

A changed pact comes into force as a new version at the instant it is applied: earlier handoffs stay as the
pact in force made them; at that instant every open lead's gate is checked again (`domain.gate`). The dry
run scores every open lead at `now` under both pacts in batches (vectorised) and reports who would newly
cross the gate and which handed-off leads would fall short of it; `apply_pact` records the version, then
re-projects exactly those leads — each newly crossing one handed off at that instant, routed and clocked in
its batch's transaction, each falling-short one flagged — and marks the version applied. An apply cut off
midway is finished by the next one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine

from leadpact.domain import gate
from leadpact.domain.lead_columns import lead_columns
from leadpact.domain.rules import Rules
from leadpact.domain.scoring_vec import engagement_vec, fit_vec
from leadpact.domain.timeutil import to_us
from leadpact.services.ingest import reproject
from leadpact.services.versions import mark_applied, record_next
from leadpact.services.workspace import Workspace, rules_for
from leadpact.store.events import activity_columns
from leadpact.store.leads import lead_page

OPEN_STAGES = ("raw", "mql", "sal", "sql", "opportunity", "recycled", "closed_lost")
BATCH = 5000


@dataclass
class RescoreReport:
    version_from: str | None
    version_to: str
    at: datetime | None = None  # the instant the leads were scored at
    scanned: int = 0
    newly_cross: list[str] = field(default_factory=list)
    fall_short: list[str] = field(default_factory=list)
    fit_changed: int = 0
    applied: int = 0
    resumed: bool = False  # an interrupted apply was finished

    def to_json(self, sample: int = 20) -> dict[str, Any]:
        return {
            "version_from": self.version_from,
            "version_to": self.version_to,
            "at": None if self.at is None else self.at.isoformat().replace("+00:00", "Z"),
            "scanned": self.scanned,
            "newly_cross": len(self.newly_cross),
            "fall_short": len(self.fall_short),
            "fit_changed": self.fit_changed,
            "applied": self.applied,
            "resumed": self.resumed,
            "newly_cross_sample": self.newly_cross[:sample],
            "fall_short_sample": self.fall_short[:sample],
        }


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


def _open_batches(
    engine: Engine, fields: tuple[str, ...]
) -> Iterator[tuple[list[Any], list[tuple[Any, ...]]]]:
    last = ""
    while True:
        with engine.connect() as conn:
            page = lead_page(conn, after=last, limit=BATCH)
            if not page:
                return
            rows = [r for r in page if r.stage in OPEN_STAGES and r.erased_at is None]
            activities = activity_columns(conn, rows[0].lead_id, rows[-1].lead_id, fields) if rows else []
        if rows:
            yield rows, activities
        last = page[-1].lead_id


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

    def score(self, rules: Rules, at: datetime) -> tuple[Any, Any]:
        """(fit, passes the gate) per lead under these rules at this instant."""
        n = len(self.rows)
        columns = lead_columns(self.fields, gate.gate_fields(rules))
        fit = fit_vec(rules.fit, columns, n)
        engagement = engagement_vec(
            rules.engagement,
            rules.half_life_days,
            self.index,
            self.named["kind"],
            self.at_us,
            asset=self.named.get("asset"),
            campaign=self.named.get("campaign"),
            channel=self.named.get("channel"),
            as_of_us=to_us(at),
            n_leads=n,
        )
        return fit, gate.passes_vec(rules, columns, n, fit, engagement)


def rescore(
    engine: Engine,
    current: Rules,
    proposed: Rules,
    *,
    at: datetime,
    version_from: str | None,
    version_to: str,
    progress: Callable[[int], None] | None = None,
) -> RescoreReport:
    """The dry run: every open lead scored at `at` under the pact in force and under the proposed one."""
    report = RescoreReport(version_from, version_to, at)
    fields = activity_fields(proposed, current)
    for rows, activities in _open_batches(engine, fields):
        batch = _Batch.of(rows, activities, fields)
        fit, passes = batch.score(proposed, at)
        old_fit, old_passes = (fit, passes) if proposed is current else batch.score(current, at)
        for i, row in enumerate(rows):
            if abs(float(fit[i]) - float(old_fit[i])) > 1e-9:
                report.fit_changed += 1
            if row.stage == "raw" and passes[i] and not old_passes[i]:
                report.newly_cross.append(row.lead_id)  # qualifies by the change, not by a new event
            elif row.stage in gate.HANDED_OFF and old_passes[i] and not passes[i]:
                report.fall_short.append(row.lead_id)  # would not qualify today under the new pact
        report.scanned += len(rows)
        if progress is not None:
            progress(len(rows))
    return report


def preview(ws: Workspace, *, now: datetime, progress: Callable[[int], None] | None = None) -> RescoreReport:
    """What putting the pact file in force now would do (nothing is written)."""
    return rescore(
        ws.engine,
        ws.rules,
        rules_for(ws.file_pact, ws.roster),
        at=now,
        version_from=ws.pact.version,
        version_to=ws.file_pact.version,
        progress=progress,
    )


def _finish(ws: Workspace, *, now: datetime, progress: Callable[[int], None] | None) -> RescoreReport:
    """Re-project the leads the newest version's change touches, at its instant, and mark it applied."""
    newest = ws.in_force
    assert newest.effective_at is not None
    before = ws.recorded[-2]
    report = rescore(
        ws.engine,
        rules_for(before.pact, ws.roster),
        ws.rules,
        at=newest.effective_at,
        version_from=before.version,
        version_to=newest.version,
        progress=progress,
    )
    report.applied = reproject(
        ws.engine,
        ws.versions,
        [*report.newly_cross, *report.fall_short],
        now=newest.effective_at,
        routing=ws.routing,
        roster=ws.roster,
    )
    mark_applied(ws.engine, newest.seq, now)
    ws.refresh(now)
    return report


def apply_pact(
    ws: Workspace, *, now: datetime, progress: Callable[[int], None] | None = None
) -> RescoreReport:
    """Put the pact file in force from `now` (DESIGN.md §10), or finish an apply that was cut off. When the
    file already is the version in force, nothing changes (`applied` 0, `version_from` == `version_to`)."""
    if ws.apply_pending:
        report = _finish(ws, now=now, progress=progress)
        report.resumed = True
        if not ws.file_differs:
            return report
    if not ws.file_differs:
        return RescoreReport(ws.pact.version, ws.pact.version, now)
    record_next(ws.engine, ws.file_pact, now)  # None: another process recorded it first; finish it alike
    ws.refresh(now)
    if not ws.apply_pending:  # another process finished it meanwhile
        return RescoreReport(ws.recorded[-2].version, ws.pact.version, now)
    return _finish(ws, now=now, progress=progress)
