"""What people ask of routing: why a lead went (or would go) where, is the rotation fair, who is waiting."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.fairness import Ledger, Load, fairness
from leadpact.domain.projection import Projection
from leadpact.domain.routing import RoutingRules, explain
from leadpact.domain.timeutil import iso_utc
from leadpact.services.routing import assigned_today, lead_view
from leadpact.store import routing as store_routing
from leadpact.store.leads import get_handoffs


def _decision_json(lead_id: str, decision: Any) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "rep": decision.rep,
        "team": decision.team,
        "kind": decision.kind,
        "rule": None if decision.rule is None else decision.rule + 1,
        "reason": decision.reason,
        "skipped": [{"who": who, "why": why} for who, why in decision.skipped],
        "expected": dict(decision.expected),
    }


def explain_projection(engine: Engine, rules: RoutingRules, p: Projection, now: datetime) -> dict[str, Any]:
    """A dry run: where routing would send this lead now (nothing is recorded, the ledger is a copy)."""
    with engine.connect() as conn:
        ledger = Ledger(store_routing.load_ledger(conn, lock=False))
        load = Load(assigned_today(conn, rules, now), store_routing.open_leads(conn))
        by_domain = "email_domain" in rules.match_accounts_by
        handoff = p.current
        view = lead_view(p.lead_id, p.fields, handoff, p.source)
        decision = explain(
            view,
            now,
            rules,
            ledger,
            load,
            lambda v: _owner(conn, v.account_id, v.email_domain if by_domain else None),
        )
        out = _decision_json(p.lead_id, decision)
        history = []
        for n in (h["n"] for h in get_handoffs(conn, p.lead_id)):
            row = store_routing.latest_assignments(conn, [p.lead_id]).get((p.lead_id, n))
            if row is not None:
                history.append(
                    {
                        "handoff": n,
                        "rep": row["rep"],
                        "kind": row["kind"],
                        "reason": row["reason"],
                        "at": iso_utc(row["at"]),
                        "routing_delay_s": (row["at"] - row["mql_at"]).total_seconds(),
                    }
                )
    out["recorded"] = history
    out["at"] = iso_utc(now)
    return out


def _owner(conn: Any, account_id: str | None, domain: str | None) -> str | None:
    found = store_routing.account_owner(conn, account_id, domain)
    return None if found is None else found[0]


def fairness_view(
    engine: Engine, rules: RoutingRules, start: datetime, end: datetime, now: datetime
) -> dict[str, Any]:
    """Per rep: expected vs received round-robin assignments in [start, end), and capacity used now."""
    with engine.connect() as conn:
        rows = store_routing.round_robin_between(conn, start, end)
        open_now = store_routing.open_leads(conn)
        today = assigned_today(conn, rules, now)
    table = fairness((r["rep"], r["team"], json.loads(r["expected"])) for r in rows)
    reps = {}
    for rep_id, rep in sorted(rules.reps.items()):
        row = table.get(rep_id, {"expected": 0.0, "received": 0})
        reps[rep_id] = {
            "team": rep.team,
            "weight": rep.weight,
            "expected": row["expected"],
            "received": row["received"],
            "capacity_used": {
                "today": None if not rep.per_day else today.get(rep_id, 0) / rep.per_day,
                "open": None if not rep.open_cap else open_now.get(rep_id, 0) / rep.open_cap,
            },
        }
    return {"reps": reps, "assignments": len(rows)}


def queue_view(engine: Engine, now: datetime) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = store_routing.queued(conn)
    return [
        {
            "lead_id": r["lead_id"],
            "handoff": r["n"],
            "team": r["team"],
            "mql_at": iso_utc(r["mql_at"]),
            "waiting_minutes": (now - r["mql_at"]).total_seconds() / 60,
            "reason": r["reason"],
        }
        for r in rows
    ]
