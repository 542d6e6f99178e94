"""Reading one lead: its projection replayed as of an instant, its scores explained, its timeline."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.clocks import clocks_for
from leadpact.domain.packet import handoff_packet
from leadpact.domain.projection import Handoff, Projection
from leadpact.domain.replay import replay
from leadpact.domain.rules import Rules, Versions
from leadpact.domain.scoring import engagement_score, fit_score, gate_explanation, missing_fit
from leadpact.domain.timeutil import iso_utc, iso_utc_or_none
from leadpact.store import clocks as store_clocks
from leadpact.store import events as store_events
from leadpact.store import leads as store_leads
from leadpact.store import routing as store_routing


def _handoff_json(h: Handoff, stored: dict[str, Any] | None, assigned: Any | None = None) -> dict[str, Any]:
    owner = (stored or {}).get("owner") or h.owner  # the store holds routing's decision
    routing = None
    if assigned is not None:
        at = assigned["at"]
        routing = {
            "rep": assigned["rep"],
            "kind": assigned["kind"],
            "reason": assigned["reason"],
            "assigned_at": iso_utc_or_none(at),
            "routing_delay_seconds": (at - assigned["mql_at"]).total_seconds(),
            "human_delay_seconds": None
            if h.first_touch_at is None or assigned["rep"] is None
            else (h.first_touch_at - at).total_seconds(),
        }
    return {
        "routing": routing,
        "n": h.n,
        "kind": h.kind,
        "mql_at": iso_utc_or_none(h.mql_at),
        "tier": h.tier,
        "segment": h.segment,
        "owner": owner,
        "fit": round(h.fit, 4),
        "engagement": round(h.engagement, 4),
        "trigger_event": h.trigger_event,
        "first_touch_at": iso_utc_or_none(h.first_touch_at),
        "first_touch_rep": h.first_touch_rep,
        "touches": h.touches,
        "channels": h.channels,
        "disposition": h.disposition,
        "disposition_at": iso_utc_or_none(h.disposition_at),
        "disposition_reason": h.disposition_reason,
        "stage_times": {
            s: iso_utc_or_none(h.stage_time(s))
            for s in (
                "mql",
                "sal",
                "sql",
                "opportunity",
                "customer",
                "closed_lost",
                "rejected",
                "disqualified",
                "recycled",
            )
            if h.stage_time(s) is not None
        },
        "outcome_reason": h.outcome_reason,
        "amount": h.amount,
        "flags": list(h.flags),
    }


def lead_view(
    engine: Engine, rules: Rules | Versions, lead_id: str, *, as_of: datetime
) -> dict[str, Any] | None:
    """The lead in the shape of DESIGN.md §7, or None when no event names it."""
    with engine.connect() as conn:
        events = store_events.lead_events(conn, lead_id)
        stored_lead = store_leads.get_lead(conn, lead_id)
        stored_handoffs = {row["n"]: dict(row) for row in store_leads.get_handoffs(conn, lead_id)}
        alerts = store_clocks.lead_alerts(conn, lead_id)
        assigned = store_routing.latest_assignments(conn, [lead_id])
    if not events:
        return None
    versions = rules if isinstance(rules, Versions) else Versions.single(rules)
    p = replay(lead_id, events, versions, until=as_of)
    rules = versions.at(as_of)
    by_id = {e.id: e for e in events}
    future = [e for e in events if e.at > as_of]
    if not p.exists:
        return {
            "lead_id": lead_id,
            "exists": False,
            "as_of": iso_utc(as_of),
            "stage": None,
            "waiting": [_timeline_entry(by_id[i], "waiting", None) for i in p.statuses],
            "timeline": [],
            "handoffs": [],
            "clocks": [],
            "flags": [],
        }
    if stored_lead is not None:  # what the store adds to the replay (duplicates seen across leads)
        for flag in json.loads(stored_lead["flags"]):
            if flag not in p.flags:
                p.flags.append(flag)
    fit, fit_reasons = fit_score(rules.fit, p.fields)
    engagement, engagement_reasons = engagement_score(
        rules.engagement, rules.half_life_days, p.activities, as_of
    )
    current = p.current
    segment_name = current.segment if current is not None else rules.segment_for(p.fields)
    seg = rules.segment(segment_name)
    gate = None
    if p.stage == "raw":
        gate = {
            "fit_min": seg.fit_min,
            "engagement_min": seg.engagement_min,
            "missing": gate_explanation(
                fit, engagement, seg.fit_min, seg.engagement_min, missing_fit(rules.fit, p.fields)
            ),
        }
    timeline = [
        _timeline_entry(by_id[e_id], status, p.notes.get(e_id)) for e_id, status in p.statuses.items()
    ]
    for h in p.handoffs:
        if h.mql_at is not None:
            timeline.append(
                {
                    "id": f"{lead_id}#handoff{h.n}",
                    "type": "handoff",
                    "at": iso_utc_or_none(h.mql_at),
                    "data": {"n": h.n, "tier": h.tier, "segment": h.segment, "trigger": h.trigger_event},
                    "status": "derived",
                }
            )
    for alert in alerts:
        if alert["at"] <= as_of:
            kind = "clock.breached" if alert["level"] == "breach" else "clock.warning"
            timeline.append(
                {
                    "id": f"{lead_id}#{alert['n']}:{alert['kind']}:{alert['level']}",
                    "type": kind,
                    "at": iso_utc_or_none(alert["at"]),
                    "status": "derived",
                    "data": {
                        "handoff": alert["n"],
                        "clock": alert["kind"],
                        "level": alert["level"],
                        "recorded_at": iso_utc_or_none(alert["recorded_at"]),
                        "sent": alert["sent"],
                    },
                }
            )
    for rescore in p.rescores:
        timeline.append(
            {
                "id": f"{lead_id}#pact:{rescore.version}",
                "type": "rescored",
                "at": iso_utc_or_none(rescore.at),
                "status": "derived",
                "data": {
                    "version": rescore.version,
                    "fit": round(rescore.fit, 4),
                    "engagement": round(rescore.engagement, 4),
                    "handed_off": rescore.handed_off,
                },
            }
        )
    timeline.sort(key=lambda entry: (entry["at"], entry["id"]))
    erased = stored_lead is not None and stored_lead["erased_at"] is not None
    return {
        "lead_id": lead_id,
        "as_of": iso_utc(as_of),
        "stage": p.stage,
        "source": p.source,
        "segment": segment_name,
        "tier": current.tier if current is not None else None,
        "owner": p.owner or (stored_lead["owner"] if stored_lead is not None else None),
        "fit": round(fit, 4),
        "engagement": round(engagement, 4),
        "score_reasons": [c.to_json() | {"kind": "fit"} for c in fit_reasons]
        + [c.to_json() | {"kind": "engagement"} for c in engagement_reasons],
        "gate": gate,
        "fields": {} if erased else p.fields,
        "stage_times": {stage: iso_utc(at) for stage, at in p.stage_times.items()},
        "handoffs": [
            _handoff_json(h, stored_handoffs.get(h.n), assigned.get((lead_id, h.n))) for h in p.handoffs
        ],
        "packet": handoff_packet(p, current, rules) if current is not None else None,
        "clocks": _clocks(p, versions, as_of, alerts),
        "timeline": timeline,
        "later_events": len(future),
        "waiting": [],
        "flags": list(p.flags) + [f"{flag} (handoff {h.n})" for h in p.handoffs for flag in h.flags],
        "erased": erased,
    }


def _clocks(p: Projection, versions: Versions, as_of: datetime, alerts: list[Any]) -> list[dict[str, Any]]:
    out = []
    for h in p.handoffs:
        rules = versions.at(h.start_at)
        for clock in clocks_for(h, rules.segment(h.segment), rules.calendar(rules.team_of(h.owner))):
            levels = [a for a in alerts if a["n"] == clock.handoff and a["kind"] == clock.kind]
            breach = next((a for a in levels if a["level"] == "breach"), None)
            out.append(
                {
                    "handoff": h.n,
                    "kind": clock.kind,
                    "started_at": iso_utc_or_none(clock.started_at),
                    "due_at": iso_utc_or_none(clock.due_at),
                    "status": clock.status(as_of),
                    "met_at": iso_utc(clock.met_at) if clock.met_at and clock.met_at <= as_of else None,
                    "cancelled_at": iso_utc(clock.cancelled_at)
                    if clock.cancelled_at and clock.cancelled_at <= as_of
                    else None,
                    "rule": clock.rule,
                    "warnings": [iso_utc_or_none(t) for _f, t in clock.warnings],
                    "breach_recorded_at": None if breach is None else iso_utc_or_none(breach["recorded_at"]),
                }
            )
    return out


def _timeline_entry(event: Any, status: str, note: str | None) -> dict[str, Any]:
    entry = {
        "id": event.id,
        "type": event.type,
        "at": iso_utc(event.at),
        "data": dict(event.data),
        "status": status,
    }
    if note:
        entry["note"] = note
    if getattr(event, "history", False):
        entry["history"] = True  # a fact of the source system's past (DESIGN.md §12)
    return entry


def projection_of(engine: Engine, rules: Rules, lead_id: str) -> Projection:
    with engine.connect() as conn:
        return replay(lead_id, store_events.lead_events(conn, lead_id), rules)


def store_counts(engine: Engine) -> dict[str, int]:
    """How many events, leads and handoffs the store holds."""
    with engine.connect() as conn:
        return store_leads.counts(conn)
