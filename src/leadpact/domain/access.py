"""Who may do what (DESIGN.md §9): the roles of API keys and what each may read and write.

- ``admin``: everything.
- ``marketing`` and ``sales``: read everything; write their own team's facts. Marketing's facts are the lead
  and its behaviour (``lead.created``, ``lead.updated``, ``activity``); sales's are the work on it
  (``touch``, ``disposition``, ``stage``, and ``assignment``, a manual reassignment). A ``retract`` belongs to
  the team whose event it withdraws.
- ``marketing`` and ``sales`` also resolve their own team's escalations and record and close their own
  team's decisions (``ACCOUNT``); ``admin`` any team's.
- ``viewer``: read.
- ``ingest``: post events (every type, as a system of record would), and nothing else — not even read.
"""

from __future__ import annotations

from typing import Final

ROLES: Final = ("admin", "marketing", "sales", "viewer", "ingest")

READ: Final = "read"
WRITE_EVENTS: Final = "write_events"
ACCOUNT: Final = "account"  # resolve escalations, record and close decisions (DESIGN.md §10)

MARKETING_TYPES: Final = frozenset({"lead.created", "lead.updated", "activity"})
SALES_TYPES: Final = frozenset({"touch", "disposition", "stage", "assignment"})
ALL_TYPES: Final = frozenset(MARKETING_TYPES | SALES_TYPES | {"retract"})

_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "admin": frozenset({READ, WRITE_EVENTS, ACCOUNT}),
    "marketing": frozenset({READ, WRITE_EVENTS, ACCOUNT}),
    "sales": frozenset({READ, WRITE_EVENTS, ACCOUNT}),
    "viewer": frozenset({READ}),
    "ingest": frozenset({WRITE_EVENTS}),
}


def may(role: str, permission: str) -> bool:
    return permission in _PERMISSIONS.get(role, frozenset())


def team_of(role: str) -> str | None:
    """The team a role answers for (marketing or sales); None for a role that is no team's (admin: all)."""
    return role if role in ("marketing", "sales") else None


def event_types_of(role: str) -> frozenset[str]:
    """The event types a role may post (a retract is judged by the type of the event it withdraws)."""
    if role in ("admin", "ingest"):
        return ALL_TYPES
    if role == "marketing":
        return MARKETING_TYPES
    if role == "sales":
        return SALES_TYPES
    return frozenset()


def may_post(role: str, event_type: str, retracted_type: str | None = None) -> bool:
    """Whether `role` may post an event of this type; a retract is allowed to the team that may post the type
    of the event it withdraws (`retracted_type`; None when that event is unknown, which ingest refuses)."""
    allowed = event_types_of(role)
    if event_type == "retract" and role in ("marketing", "sales"):
        return retracted_type is None or retracted_type in allowed
    return event_type in allowed
