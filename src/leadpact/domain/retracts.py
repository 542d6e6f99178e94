"""Retracts: which events of a lead's timeline a ``retract`` withdraws. A retract names an event of the same
lead that exists, is not itself a retract or the ``lead.created``, was not refused, and is not already
withdrawn; any other retract is refused, naming why.
"""

from __future__ import annotations

from collections.abc import Callable, Container

from leadpact.domain.events import Event


def withdrawn_ids(
    events: list[Event], refused: Container[str], refuse: Callable[[Event, str, str], None]
) -> set[str]:
    """The ids withdrawn by retracts, judging each retract at its place (``refused``: the ids already
    refused; ``refuse(event, field, reason)`` refuses a retract)."""
    by_id = {e.id: e for e in events}
    withdrawn: set[str] = set()
    for event in events:
        if event.type != "retract":
            continue
        target_id = event.data["event_id"]
        target = by_id.get(target_id)
        if target is None:
            refuse(event, "data.event_id", f"no event {target_id!r} for lead {event.lead_id}")
        elif target.type in ("retract", "lead.created"):
            what = (
                "a retract cannot be retracted"
                if target.type == "retract"
                else ("a lead.created cannot be retracted (correct it with lead.updated, or erase the lead)")
            )
            refuse(event, "data.event_id", what)
        elif target_id in withdrawn:
            refuse(event, "data.event_id", f"event {target_id!r} is already retracted")
        elif target_id in refused:
            refuse(event, "data.event_id", f"event {target_id!r} was refused, so there is nothing to retract")
        else:
            withdrawn.add(target_id)
    return withdrawn
