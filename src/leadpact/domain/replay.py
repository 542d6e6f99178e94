"""Replay one lead's events into its projection: fields, stage, scores, handoffs (MQL cycles), statuses.

The whole timeline of a lead is replayed on every change, so a late event lands at its place, a retract
recomputes, and the result never depends on arrival order. New events of judged types (assignment,
disposition, stage, retract) are judged at their place: an illegal one is refused and nothing of it is
kept. A stored judged event that a later fact made inapplicable is kept in the timeline as `ignored`.
The marketing side (fields, activities, touches, the gate, re-scoring under a new pact version) is here;
dispositions and stages are in :mod:`leadpact.domain.outcomes`, retracts in :mod:`leadpact.domain.retracts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from leadpact.domain import gate, outcomes
from leadpact.domain import touches as touch_rule
from leadpact.domain.events import Event
from leadpact.domain.projection import (
    APPLIED,
    IGNORED,
    RETRACTED,
    WAITING,
    Handoff,
    Projection,
    Rescore,
    add_flag,
)
from leadpact.domain.retracts import withdrawn_ids
from leadpact.domain.rules import Rules, Versions
from leadpact.domain.scoring import Activity, engagement_only, fit_only, intent_tier
from leadpact.domain.touches import Touch, TouchCount


class Replay:
    """One replay in progress: the projection so far, the pact version in force, and the steps of each event
    type (``on_<type>``; dispositions and stages in :mod:`leadpact.domain.outcomes`)."""

    def __init__(self, lead_id: str, versions: Versions, new_ids: frozenset[str]) -> None:
        self.versions = versions
        self.rules = versions.items[0][2]
        self.new = new_ids
        self.p = Projection(lead_id)
        self.recycle_engagement = 0.0
        self._fit: tuple[int, float] | None = None

    # -- judging ---------------------------------------------------------------------------------------
    def refuse(self, event: Event, fieldname: str, reason: str) -> None:
        if event.id in self.new:
            self.p.refused[event.id] = (fieldname, reason)
        else:
            self.p.statuses[event.id] = IGNORED
            self.p.notes[event.id] = reason
            add_flag(self.p.flags, f"ignored_event:{event.id}")

    def enforce(self, event: Event, fieldname: str, reason: str, flag: str, handoff: Handoff | None) -> bool:
        """In enforcing mode refuse the event; in monitoring mode keep it and flag the miss."""
        if self.rules.enforcing and event.id in self.new:
            self.p.refused[event.id] = (fieldname, reason)
            return False
        target = handoff.flags if handoff is not None else self.p.flags
        add_flag(target, flag)
        self.p.notes[event.id] = reason
        return True

    # -- scores ----------------------------------------------------------------------------------------
    def fit(self) -> float:
        """Fit moves only when fields (or the rules) change: computed once per change, not per activity."""
        key = id(self.rules)
        if self._fit is None or self._fit[0] != key:
            self._fit = (key, fit_only(self.rules.fit, self.p.fields))
        return self._fit[1]

    def engagement(self, at: datetime) -> float:
        return engagement_only(self.rules.engagement, self.rules.half_life_days, self.p.activities, at)

    def check_gate(self, event: Event) -> None:
        p, rules = self.p, self.rules
        at = event.at
        if event.history:  # the source system's facts are taken as given: its MQLs are its own (§12)
            return
        if p.stage == "raw":
            fit = self.fit()
            fit_min, engagement_min = gate.thresholds(rules, p.fields)
            if fit < fit_min:
                return
            engagement = self.engagement(at)
            if engagement < engagement_min:
                return
            self.open_handoff(event, fit, engagement, cycle_from=None)
        elif p.stage == "recycled":
            cycles = sum(1 for h in p.handoffs if h.kind == "mql")
            recycled_at = p.stage_times.get("recycled")
            if recycled_at is None or not gate.rehandoff_open(rules, cycles, recycled_at, at):
                return
            fit = self.fit()
            if fit < gate.thresholds(rules, p.fields)[0]:
                return
            engagement = self.engagement(at)
            kind = event.data.get("kind") if event.type == "activity" else None
            if gate.rehandoff_triggered(rules, kind, engagement - self.recycle_engagement):
                self.open_handoff(event, fit, engagement, cycle_from=recycled_at)

    def open_handoff(self, event: Event, fit: float, engagement: float, cycle_from: datetime | None) -> None:
        p = self.p
        at = event.at
        if p.handoffs:
            p.handoffs[-1].ended_at = at
        segment = self.rules.segment_for(p.fields)
        cycle_acts = [a for a in p.activities if a.at <= at and (cycle_from is None or a.at > cycle_from)]
        handoff = Handoff(
            n=len(p.handoffs) + 1,
            kind="mql",
            start_at=at,
            mql_at=at,
            trigger_event=event.id,
            cycle_from=cycle_from,
            tier=intent_tier(self.rules.intent, cycle_acts, engagement),
            segment=segment,
            source=p.source,
            campaign=p.fields.get("campaign"),
            fit=fit,
            engagement=engagement,
            owner=p.owner,
            owner_kind=p.owner_kind,
            history=event.history,
        )
        p.handoffs.append(handoff)
        self.set_stage("mql", at)

    def set_stage(self, stage: str, at: datetime) -> None:
        self.p.stage = stage
        self.p.stage_times[stage] = at

    # -- events ----------------------------------------------------------------------------------------
    def apply(self, event: Event) -> None:
        self.rules = self.versions.at(event.at)
        handler = getattr(self, "on_" + event.type.replace(".", "_"))
        handler(event)

    def rescore(self, at: datetime, version: str) -> None:
        """A new pact version comes into force: the gate is checked again at that instant. A handed-off lead
        that the old pact's gate holds and the new one's does not stays handed off, flagged."""
        p, old = self.p, self.rules
        self.rules = self.versions.at(at)
        current = p.current
        if p.stage in gate.HANDED_OFF and current is not None and current.kind == "mql":
            fit_old, fit_new = fit_only(old.fit, p.fields), self.fit()
            engagement_old = engagement_only(old.engagement, old.half_life_days, p.activities, at)
            if gate.passes(old, p.fields, fit_old, engagement_old) and not gate.passes(
                self.rules, p.fields, fit_new, self.engagement(at)
            ):
                add_flag(current.flags, gate.below_gate_flag(version))
        before = len(p.handoffs)
        self.check_gate(Event(f"pact:{version}", "lead.updated", p.lead_id, at, {}))
        self.p.rescores.append(
            Rescore(at, version, self.fit(), self.engagement(at), len(self.p.handoffs) > before)
        )

    def on_lead_created(self, event: Event) -> None:
        p = self.p
        if p.exists:
            if event.id in self.new:
                self.refuse(event, "type", f"lead {p.lead_id} was already created by event {p.created_event}")
                return
            self.merge_fields(event.data)  # a second stored create reads as an update
        else:
            p.exists = True
            p.created_at = event.at
            p.created_event = event.id
            p.source = event.data.get("source")
            self.merge_fields(event.data)
            p.stage_times.setdefault("raw", event.at)
        self.after_fields(event)

    def on_lead_updated(self, event: Event) -> None:
        self.merge_fields(event.data)
        self.after_fields(event)

    def merge_fields(self, data: Any) -> None:
        self._fit = None
        fields = self.p.fields
        for key, value in data.items():
            if key == "attributes" and isinstance(value, dict) and isinstance(fields.get("attributes"), dict):
                fields["attributes"] = {**fields["attributes"], **value}
            else:
                fields[key] = value

    def after_fields(self, event: Event) -> None:
        p = self.p
        self.check_gate(event)
        current = p.current
        if (
            current is not None
            and current.kind == "mql"
            and p.stage not in ("raw", "recycled")
            and self.fit() < self.rules.segment(current.segment).fit_min
        ):
            add_flag(current.flags, "fit_below_gate")

    def on_activity(self, event: Event) -> None:
        data = event.data
        self.p.activities.append(
            Activity(
                event.id, event.at, data["kind"], data.get("asset"), data.get("campaign"), data.get("channel")
            )
        )
        self.check_gate(event)

    def on_touch(self, event: Event) -> None:
        data = event.data
        touch = Touch(
            event.id,
            event.at,
            data["rep"],
            data["channel"],
            data.get("outcome"),
            bool(data.get("automated", False)),
        )
        self.p.touches.append(touch)
        self.flag_rep(touch.rep)
        current = self.p.current
        if current is None or event.at < current.start_at:
            return
        current.cycle_touches.append(touch)
        if current.first_touch_at is None and not touch.automated and current.kind == "mql":
            current.first_touch_at = event.at
            current.first_touch_rep = touch.rep

    def flag_rep(self, rep: str | None) -> None:
        known = self.rules.known_reps
        if rep and known is not None and rep not in known:
            add_flag(self.p.flags, f"unknown_rep:{rep}")

    def on_assignment(self, event: Event) -> None:
        rep = event.data["rep"]
        self.flag_rep(rep)
        self.p.owner, self.p.owner_kind = rep, "assignment"
        current = self.p.current
        if current is not None:
            current.owner, current.owner_kind = rep, "assignment"

    def counted(self, handoff: Handoff, until: datetime) -> TouchCount:
        rule = self.rules.segment(handoff.segment).touches
        return touch_rule.count(handoff.cycle_touches, handoff.start_at, rule, until)

    def on_disposition(self, event: Event) -> None:
        outcomes.disposition(self, event)

    def on_stage(self, event: Event) -> None:
        outcomes.stage(self, event)

    def on_retract(self, event: Event) -> None:
        """Retractions were resolved before the replay; the retract itself is just applied."""


def replay(
    lead_id: str,
    events: Iterable[Event],
    rules: Rules | Versions,
    *,
    new_ids: frozenset[str] = frozenset(),
    until: datetime | None = None,
) -> Projection:
    """The projection of a lead from its events (any order); `until` replays only events at or before it.
    Given pact `Versions`, each event is judged by the version in force at its instant."""
    versions = rules if isinstance(rules, Versions) else Versions.single(rules)
    ordered = sorted((e for e in events if until is None or e.at <= until), key=lambda e: e.sort_key)
    r = Replay(lead_id, versions, new_ids)
    p = r.p
    creates = [e for e in ordered if e.type == "lead.created"]
    if not creates:
        for event in ordered:
            p.statuses[event.id] = WAITING
        return p
    withdrawn = withdrawn_ids(ordered, p.refused, r.refuse)
    # A lead is defined by its (first) lead.created; activity tracked before it still belongs to the lead.
    first = creates[0]
    pending = [(at, v) for at, v in versions.boundaries() if at > first.at and (until is None or at <= until)]
    for event in [first, *(e for e in ordered if e is not first)]:
        while pending and pending[0][0] <= event.at and event is not first:
            r.rescore(*pending.pop(0))
        if event.id in p.refused or p.statuses.get(event.id) == IGNORED:
            continue
        if event.id in withdrawn:
            p.statuses[event.id] = RETRACTED
            continue
        r.apply(event)
        if event.id not in p.refused and event.id not in p.statuses:
            p.statuses[event.id] = APPLIED
        if event.id not in p.refused:
            p.last_event_at = event.at if p.last_event_at is None else max(p.last_event_at, event.at)
    for at, version in pending:
        r.rescore(at, version)
    r.rules = versions.latest if until is None else versions.at(until)
    if p.last_event_at is not None:
        p.fit = r.fit()
        p.engagement = r.engagement(p.last_event_at)
    for handoff in p.handoffs:  # until routing assigns it, a handoff is owned by the rep who works it
        if handoff.owner is None:
            handoff.owner = handoff.first_touch_rep or handoff.disposition_by
            handoff.owner_kind = "worked" if handoff.owner is not None else None
    if p.owner is None and p.handoffs:
        p.owner = p.handoffs[-1].owner
    return p
