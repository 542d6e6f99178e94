"""Who owes what, in plain words: the sentences violations carry (DESIGN.md §10). Times in the pact's zone."""

from __future__ import annotations

from datetime import datetime

from leadpact.domain.timeutil import local_text

#: what each clock owes; a touches clock's breach only warns the rep (the minimum is owed at the close)
OWED = {"first_contact": "first contact", "disposition": "a disposition"}


def violates(kind: str) -> bool:
    """Whether a breach of this clock is a violation (first contact, disposition), not only a warning."""
    return kind in OWED


def clock_missed(
    owner: str | None,
    kind: str,
    lead_id: str,
    rule: str,
    due: datetime,
    zone: str,
    done: datetime | None = None,
) -> str:
    """ "ana owes first contact for L-1, due 2026-03-02 10:05 EST (high, inside hours: 5m): not done yet"."""
    who = owner or "sales (nobody assigned)"
    owes = "owed" if done else "owes"
    head = f"{who} {owes} {OWED.get(kind, kind)} for {lead_id}, due {local_text(due, zone)} ({rule})"
    return head + (f": done late, {local_text(done, zone)}" if done is not None else ": not done yet")


def touches_short(owner: str | None, outcome: str, lead_id: str, reason: str | None, shortfall: str) -> str:
    """ "ana disqualified L-1 (no_budget_or_timeline) after 3 of 8 touches ...: 5 more touches needed"."""
    who = owner or "sales"
    return f"{who} {outcome} {lead_id} ({reason or 'no reason'}) after {shortfall}"
