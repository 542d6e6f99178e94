"""Who owes what: breached clocks (recorded by the worker or not yet — the list never depends on it) and
the misses the engine sees in the timeline (minimum touches short, incomplete stage data)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain import touches
from leadpact.domain.clocks import BREACHED
from leadpact.domain.clocks import KINDS as CLOCK_KINDS
from leadpact.domain.owed import clock_missed, touches_short, violates
from leadpact.domain.rules import Versions
from leadpact.domain.timeutil import iso_utc_or_none, parse_instant, to_us
from leadpact.store import clocks as store_clocks
from leadpact.store import leads as store_leads


def clock_view(row: Any, now: datetime, recorded: set[str]) -> dict[str, Any]:
    clock = store_clocks.clock_from_row(row)
    return {
        "lead_id": row["lead_id"],
        "handoff": row["n"],
        "kind": row["kind"],
        "started_at": iso_utc_or_none(clock.started_at),
        "due_at": iso_utc_or_none(clock.due_at),
        "status": clock.status(now),
        "met_at": iso_utc_or_none(clock.met_at),
        "cancelled_at": iso_utc_or_none(clock.cancelled_at),
        "rule": row["rule"],
        "owner": row["owner"],
        "team": row["team"],
        "tier": row["tier"],
        "segment": row["segment"],
        "alerts": sorted(recorded),
    }


def list_clock_views(
    engine: Engine,
    *,
    now: datetime,
    status: str | None = None,
    rep: str | None = None,
    kind: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = store_clocks.list_clocks(conn, rep=rep, kind=kind, due_from=start, due_to=end)
        recorded = store_clocks.recorded_levels(conn, sorted({r["lead_id"] for r in rows}))
    views = [clock_view(r, now, recorded.get((r["lead_id"], r["n"], r["kind"]), set())) for r in rows]
    return [v for v in views if status is None or v["status"] == status]


def clock_page(
    engine: Engine,
    *,
    now: datetime,
    status: str | None = None,
    rep: str | None = None,
    kind: str | None = None,
    after: tuple[int, str, int, str] | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], tuple[int, str, int, str] | None]:
    """One page of the clock queue (the items `list_clock_views` lists, in its order) after the key `after`;
    with the key of the next page's start, None on the last page. The status is filtered in the query."""
    with engine.connect() as conn:
        rows = store_clocks.clock_page(
            conn, now=now, status=status, rep=rep, kind=kind, after=after, limit=limit + 1
        )
        rows, more = rows[:limit], len(rows) > limit
        recorded = store_clocks.recorded_levels(conn, sorted({r["lead_id"] for r in rows}))
    views = [clock_view(r, now, recorded.get((r["lead_id"], r["n"], r["kind"]), set())) for r in rows]
    last = rows[-1] if rows and more else None
    key = None if last is None else (to_us(last["due_at"]), last["lead_id"], int(last["n"]), last["kind"])
    return views, key


def violation_key(view: dict[str, Any]) -> tuple[str, str, int, str, str]:
    """The order of the violations list: a total order, so a page boundary is never ambiguous."""
    handoff = view["handoff"] if view["handoff"] is not None else -1
    return (view["at"] or "", view["lead_id"], handoff, view["kind"], view["what"])


def list_violation_views(
    engine: Engine,
    *,
    now: datetime,
    versions: Versions | None = None,
    timezone: str = "UTC",
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """Who owes what in [start, end): breached first-contact and disposition clocks (a touches clock's breach
    only warns the rep), closes short of the minimum touches (with the shortfall under the segment's rule in
    force then, given `versions`), incomplete stage data, and what the worker recorded (unassigned handoffs,
    reason signals). Sentences read times in `timezone`."""
    out: list[dict[str, Any]] = []
    with engine.connect() as conn:
        recorded = {
            (r["lead_id"], r["n"], r["kind"]): r for r in store_clocks.list_violations(conn, start, end)
        }
        flagged = store_leads.flagged_handoffs(conn)
        others = [r for r in store_clocks.list_violations(conn) if r["kind"] not in CLOCK_KINDS]
    for view in list_clock_views(engine, now=now, status=BREACHED, start=start, end=end):
        if not violates(view["kind"]):
            continue
        row = recorded.get((view["lead_id"], view["handoff"], view["kind"]))
        due, met = parse_instant(view["due_at"]), view["met_at"] and parse_instant(view["met_at"])
        out.append(
            {
                "kind": view["kind"],
                "lead_id": view["lead_id"],
                "handoff": view["handoff"],
                "at": view["due_at"],
                "owed_by": "sales",
                "owner": view["owner"],
                "team": view["team"],
                "what": clock_missed(
                    view["owner"], view["kind"], view["lead_id"], view["rule"], due, timezone, met or None
                ),
                "recorded_at": iso_utc_or_none(row["recorded_at"]) if row is not None else None,
            }
        )

    def flagged_view(h: Any, kind: str, at: Any, what: str) -> None:
        """A flag on a handoff, as a violation of sales', when it was raised in [start, end)."""
        if at is not None and (start is None or at >= start) and (end is None or at < end):
            out.append(
                {
                    "kind": kind,
                    "lead_id": h["lead_id"],
                    "handoff": h["n"],
                    "at": iso_utc_or_none(at),
                    "owed_by": "sales",
                    "owner": h["owner"],
                    "team": None,
                    "recorded_at": None,
                    "what": what,
                }
            )

    for h in flagged:
        flags = json.loads(h["flags"])
        if "min_touches_short" in flags:
            closed_at = h["disqualified_at"] or h["recycled_at"]
            done = touches.TouchCount(h["outcome_touches"] or 0, h["outcome_channels"] or 0)
            if versions is not None and closed_at is not None:
                rule = versions.at(closed_at).segment(h["segment"]).touches
                short = touches.shortfall(done, rule)
            else:
                short = f"{done.touches} touches on {done.channels} channels"
            outcome = "disqualified" if h["disqualified_at"] else "recycled"
            flagged_view(
                h,
                "min_touches",
                closed_at,
                touches_short(h["owner"], outcome, h["lead_id"], h["outcome_reason"], short),
            )
        for flag in flags:
            if flag.startswith("hygiene:"):
                stage = flag.split(":", 1)[1]
                flagged_view(
                    h,
                    "hygiene",
                    h["sql_at"] if stage == "sql" else h["opportunity_at"],
                    f"{h['lead_id']} reached {stage} without the data the pact requires",
                )
    for r in others:
        if (start is None or r["at"] >= start) and (end is None or r["at"] < end):
            out.append(
                {
                    "kind": r["kind"],
                    "lead_id": r["lead_id"],
                    "handoff": r["n"],
                    "at": iso_utc_or_none(r["at"]),
                    "owed_by": r["owed_by"],
                    "owner": r["owner"],
                    "team": r["team"],
                    "what": r["what"],
                    "recorded_at": iso_utc_or_none(r["recorded_at"]),
                }
            )
    out.sort(key=violation_key)
    return out
