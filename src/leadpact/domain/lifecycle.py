"""Stages and the legal transitions of DESIGN.md §1, and the guards on a disposition or a stage change."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class TouchCount:
    touches: int
    channels: int

    def short_of(self, minimum: int, channels_min: int) -> bool:
        return self.touches < minimum or self.channels < channels_min


def touch_shortfall(count: TouchCount, minimum: int, channels_min: int, within_days: float) -> str:
    """ "3 of 8 touches on 1 of 2 channels in 14 days: 5 more needed"."""
    days = int(within_days) if float(within_days).is_integer() else within_days
    needs = []
    if count.touches < minimum:
        needs.append(f"{minimum - count.touches} more needed")
    if count.channels < channels_min:
        more = channels_min - count.channels
        needs.append(f"{more} more channel{'s' if more > 1 else ''}")
    return (
        f"{count.touches} of {minimum} touches on {count.channels} of {channels_min} channels "
        f"in {days} days: {' and '.join(needs)}"
    )


def missing_hygiene(required: tuple[str, ...], data: dict[str, object]) -> list[str]:
    return [name for name in required if data.get(name) in (None, "")]
