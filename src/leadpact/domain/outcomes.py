"""The sales side of a lead's replay (:mod:`leadpact.domain.replay`): dispositions and stages. Each is a
legal transition of the lifecycle or is refused (a CRM's history is judged by its own looser rule); a
disqualify or recycle owes the segment's touch minimum; a stage needs its data hygiene; the outcome's instant
(and amounts, opportunity, close date, closer) lands on the lead's current cycle, a direct cycle opened when
no MQL opened one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadpact.domain import touches as touch_rule
from leadpact.domain.clocks import UNTRACKED
from leadpact.domain.events import Event
from leadpact.domain.lifecycle import DISPOSITION_TARGET, history_transition_error, missing_hygiene
from leadpact.domain.projection import Handoff, add_flag
from leadpact.domain.touches import TouchCount

if TYPE_CHECKING:
    from leadpact.domain.replay import Replay


def disposition(r: Replay, event: Event) -> None:
    """A disposition: a legal transition (else refused), the touch minimum where the segment owes it, the
    first disposition and the outcome instant on the cycle (a direct cycle opened when none is open)."""
    p, rules = r.p, r.rules
    outcome = event.data["outcome"]
    target = DISPOSITION_TARGET[outcome]
    reason = event.data.get("reason")
    if not p.exists:
        return
    problem = history_transition_error(
        event.history, p.stage, target, sales_source=p.source in rules.sales_sources, source=p.source
    )
    if problem is not None:
        r.refuse(event, "data.outcome", problem)
        return
    if p.stage == "raw" or not p.handoffs:  # accepted straight from raw (a sales source, or history)
        open_direct(r, event, owner=p.owner or event.data.get("by"))
    handoff = p.handoffs[-1]
    count: TouchCount | None = None
    rule = rules.segment(handoff.segment).touches
    if handoff.kind == "mql" and touch_rule.owed(rule, outcome, reason):
        count = r.counted(handoff, event.at)
        if count.short_of(rule):
            message = touch_rule.shortfall(count, rule)
            if event.history:  # history is judged, never refused: the shortfall is flagged
                add_flag(handoff.flags, "min_touches_short")
            elif not r.enforce(event, "data.outcome", message, "min_touches_short", handoff):
                return
            handoff.min_touch_met = False
        else:
            handoff.min_touch_met = True
    r.flag_rep(event.data.get("by"))
    if handoff.disposition is None:
        handoff.disposition = outcome
        handoff.disposition_at = event.at
        handoff.disposition_reason = reason
        handoff.disposition_by = event.data.get("by")
        if handoff.kind == "mql":
            first = r.counted(handoff, event.at)
            handoff.touches, handoff.channels = first.touches, first.channels
    if outcome == "accepted":
        handoff.sal_at = event.at
    elif outcome == "rejected":
        handoff.rejected_at = event.at
    elif outcome == "disqualified":
        handoff.disqualified_at = event.at
    else:
        handoff.recycled_at = event.at
        r.recycle_engagement = r.engagement(event.at)
    if outcome != "accepted":
        handoff.outcome_reason = reason
        if count is None and handoff.kind == "mql":
            count = r.counted(handoff, event.at)
        if count is not None:
            handoff.outcome_touches, handoff.outcome_channels = count.touches, count.channels
    r.set_stage(target, event.at)


def open_direct(r: Replay, event: Event, owner: str | None) -> None:
    """A cycle that no MQL opened: a sales-sourced lead accepted from raw, or a CRM's history that
    reached a later stage without one."""
    p = r.p
    if p.handoffs:
        p.handoffs[-1].ended_at = event.at
    p.handoffs.append(
        Handoff(
            n=len(p.handoffs) + 1,
            kind="direct",
            start_at=event.at,
            mql_at=None,
            trigger_event=event.id,
            source=p.source,
            campaign=p.fields.get("campaign"),
            segment=r.rules.segment_for(p.fields),
            owner=owner,
            owner_kind=p.owner_kind if owner is not None and owner == p.owner else None,
            history=event.history,
        )
    )


def stage(r: Replay, event: Event) -> None:
    """A stage: a legal transition (else refused), an external MQL, the data hygiene the stage needs, and
    the stage's instant (and amount, opportunity, close date) on the cycle."""
    p = r.p
    target = event.data["stage"]
    if not p.exists:
        return
    problem = history_transition_error(
        event.history, p.stage, target, sales_source=p.source in r.rules.sales_sources, source=p.source
    )
    if problem is not None:
        r.refuse(event, "data.stage", problem)
        return
    if target == "mql":  # an external MQL, at the source's instant: the gate is not run again
        r.open_handoff(event, r.fit(), r.engagement(event.at), p.stage_times.get("recycled"))
        if event.data.get("touches_tracked") is False:  # history without touch data (§12)
            add_flag(p.handoffs[-1].flags, UNTRACKED)
        return
    if not p.handoffs:  # a CRM's opportunity on a lead it never qualified
        open_direct(r, event, owner=p.owner)
        if event.data.get("touches_tracked") is False:
            add_flag(p.handoffs[-1].flags, UNTRACKED)
    handoff = p.handoffs[-1]
    r.flag_rep(event.data.get("by"))
    if event.data.get("opportunity_id"):  # a CRM names the deal at conversion (SQL) or at the opportunity
        handoff.opportunity_id = event.data["opportunity_id"]
    if target in ("opportunity", "customer", "closed_lost"):
        if event.data.get("by"):
            handoff.closer = event.data["by"]
        if event.data.get("product"):
            handoff.product = event.data["product"]
    required = () if event.history else r.rules.hygiene.get(target, ())
    missing = missing_hygiene(required, dict(event.data))
    if missing:
        message = (
            f"{target} needs {', '.join(required)}: missing {', '.join(missing)} (data_hygiene.{target})"
        )
        if not r.enforce(event, "data." + missing[0], message, f"hygiene:{target}", handoff):
            return
    if target == "sql":
        handoff.sql_at = event.at
    elif target == "opportunity":
        handoff.opportunity_at = event.at
        if event.data.get("amount") is not None:
            handoff.amount = float(event.data["amount"])
        handoff.close_date = event.data.get("close_date")
    elif target == "customer":
        handoff.customer_at = event.at
        if event.data.get("amount") is not None:
            handoff.won_amount = float(event.data["amount"])
    else:
        handoff.closed_lost_at = event.at
    r.set_stage(target, event.at)
