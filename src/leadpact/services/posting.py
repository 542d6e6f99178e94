"""Events posted through the API by a caller with a role (DESIGN.md §9): checked against what the role may
post, then ingested as one call with the workspace's versions, vocabulary, routing and roster."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from leadpact.domain.access import event_types_of, may_post
from leadpact.domain.events import TYPE_RANK
from leadpact.importers.text import Unreadable
from leadpact.services.ingest import IngestReport, ingest
from leadpact.services.workspace import Workspace
from leadpact.store import events as store_events


class NotAllowed(Exception):
    """The role may not post an event of this type (nothing of the call is stored)."""

    def __init__(self, line: int, event_type: str, role: str) -> None:
        allowed = ", ".join(sorted(event_types_of(role))) or "no events"
        super().__init__(
            f"line {line}: a {role} key may not post {event_type} events (it may post {allowed})"
        )
        self.line = line


def _type_of(raw: Any) -> str | None:
    """The event's type as ingest will read it; None when ingest will refuse it anyway."""
    value = raw.get("type") if isinstance(raw, dict) else None
    kind = value.strip() if isinstance(value, str) else None
    return kind if kind in TYPE_RANK else None


def _retracted_id(raw: dict[str, Any]) -> str | None:
    data = raw.get("data")
    value = data.get("event_id") if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) else None


def check_allowed(ws: Workspace, role: str, raws: Sequence[Any]) -> None:
    """`NotAllowed` for the first event the role may not post; a retract counts as the type of the event it
    withdraws (in this call, else in the store)."""
    in_call: dict[str, str] = {}
    retracts: list[tuple[int, str | None]] = []
    for line, raw in enumerate(raws, start=1):
        kind = _type_of(raw)
        if kind is None:
            continue
        event_id = raw.get("id")
        if isinstance(event_id, str):
            in_call.setdefault(event_id.strip(), kind)
        if kind == "retract":
            retracts.append((line, _retracted_id(raw)))
        elif not may_post(role, kind):
            raise NotAllowed(line, kind, role)
    if not retracts or event_types_of(role) >= {"retract"}:
        return
    wanted = [i for _, i in retracts if i is not None and i not in in_call]
    stored: dict[str, str] = {}
    if wanted:
        with ws.engine.connect() as conn:
            stored = store_events.types_of(conn, wanted)
    for line, target in retracts:
        target_type = None if target is None else in_call.get(target, stored.get(target))
        if not may_post(role, "retract", target_type):
            raise NotAllowed(line, f"retract (of a {target_type})", role)


def bad_text(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first string in a JSON value that no store can hold (a NUL, a lone surrogate): its field and why.
    Such an event is refused by its field, never sent on to the database to fail there."""
    if isinstance(value, str):
        if "\x00" in value:
            return path or "(event)", "contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(event)", "contains a lone surrogate (not text)"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = bad_text(key, path or "(event)") or bad_text(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if found := bad_text(item, f"{path}[{i}]"):
                return found
    return None


def _readable(raws: Sequence[Any]) -> list[tuple[int, Any]]:
    lines: list[tuple[int, Any]] = []
    for line, raw in enumerate(raws, start=1):
        found = bad_text(raw)
        lines.append((line, raw if found is None else Unreadable(*found)))
    return lines


def post_events(ws: Workspace, raws: Sequence[Any], *, role: str, now: datetime) -> IngestReport:
    """One call of events from the API: the line of an event is its 1-based index in the call. `NotAllowed`
    when the role may not post one of them (then nothing is stored)."""
    check_allowed(ws, role, raws)
    return ingest(
        ws.engine,
        ws.versions,
        ws.vocab,
        _readable(raws),
        now=now,
        routing=ws.routing,
        roster=ws.roster,
    )
