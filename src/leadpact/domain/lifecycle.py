"""Stages and the legal transitions of DESIGN.md §1, and the guards on a disposition or a stage change."""

from __future__ import annotations

STAGES = (
    "raw",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "rejected",
    "disqualified",
    "recycled",
    "closed_lost",
)
FINAL = frozenset({"rejected", "disqualified", "customer"})

# from -> the stages a disposition or stage event may move it to (the gate and re-handoff are not events).
TRANSITIONS: dict[str, frozenset[str]] = {
    "raw": frozenset({"sal"}),  # an `accepted` disposition, sales sources only
    "mql": frozenset({"sal", "rejected", "disqualified", "recycled"}),
    "sal": frozenset({"sql", "disqualified", "recycled"}),
    "sql": frozenset({"opportunity", "disqualified", "recycled", "closed_lost"}),
    "opportunity": frozenset({"customer", "closed_lost"}),
    "closed_lost": frozenset({"recycled"}),
    "recycled": frozenset(),
    "rejected": frozenset(),
    "disqualified": frozenset(),
    "customer": frozenset(),
}
DISPOSITION_TARGET = {
    "accepted": "sal",
    "rejected": "rejected",
    "disqualified": "disqualified",
    "recycled": "recycled",
}


def transition_error(current: str, target: str, *, sales_source: bool, source: str | None) -> str | None:
    """Why `current -> target` is illegal, or None when it is allowed."""
    allowed = TRANSITIONS.get(current, frozenset())
    if target in allowed:
        if current == "raw" and target == "sal" and not sales_source:
            return (
                f"a raw lead can be accepted only when its source is a sales source "
                f"(source {source!r} is marketing's; the lead must pass the MQL gate first)"
            )
        return None
    if current in FINAL:
        return f"the lead is {current}, a final stage: {current} -> {target} is not allowed"
    options = ", ".join(sorted(allowed)) or "nothing (it waits for a re-handoff)"
    return f"{current} -> {target} is not allowed (from {current}: {options})"


def missing_hygiene(required: tuple[str, ...], data: dict[str, object]) -> list[str]:
    return [name for name in required if data.get(name) in (None, "")]


def history_transition_error(
    history: bool, current: str, target: str, *, sales_source: bool, source: str | None
) -> str | None:
    """`transition_error` for a live event; for a history event (DESIGN.md §12) the source system's dated
    stages apply in date order, whatever §1 says (MQL -> SQL with no SAL, an opportunity on a lead the CRM
    never qualified) — only a move to the stage the lead is in, or an MQL of a lead still handed off, is not
    a move at all."""
    if not history:
        if target == "mql":
            return "mql is made by the pact's gate; only a history event may say a lead was an MQL"
        return transition_error(current, target, sales_source=sales_source, source=source)
    if target == current:
        return f"the lead is already {current}"
    if target == "mql" and current in ("mql", "sal", "sql", "opportunity"):
        return f"the lead is {current}, still handed off: an MQL now would be a second cycle with no end"
    return None
