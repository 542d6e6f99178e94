"""A CRM export's columns and rows as records of canonical fields (DESIGN.md §12).

The header is read once: each column is matched case-insensitively to a field — by the mapping file's
`columns`, else by the vendor's aliases (HubSpot's, Salesforce's), else (for any CSV) by the field's own name
("email", "created_at", "First Name" for first_name). A column that matches nothing is unmapped, said once
for the file; a field the events cannot do without (the record id, the create date, the email, the source)
missing from the header is one problem for the file, never one per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from leadpact.importers import hubspot, salesforce
from leadpact.importers.mapping import ImportMapping
from leadpact.importers.records import (
    FIELDS,
    Door,
    Refusal,
    Values,
    deal_events,
    is_field,
    record_events,
    task_events,
)
from leadpact.importers.text import Unreadable, column_name

VENDORS = ("hubspot", "salesforce", "csv")
OBJECTS = ("contacts", "leads", "tasks", "opportunities")
DEFAULT_OBJECT = {"hubspot": "contacts", "salesforce": "leads", "csv": "leads"}
DOORS: dict[str, Door] = {"hubspot": hubspot.DOOR, "salesforce": salesforce.DOOR, "csv": Door("CSV", "")}
#: (vendor, object) -> its export's headers (lower case) -> canonical field
ALIASES: dict[tuple[str, str], Mapping[str, str]] = {
    ("hubspot", "contacts"): hubspot.HEADERS,
    ("salesforce", "leads"): salesforce.HEADERS,
    ("salesforce", "contacts"): salesforce.HEADERS,
    ("salesforce", "tasks"): salesforce.TASK_HEADERS,
    ("salesforce", "opportunities"): salesforce.OPPORTUNITY_HEADERS,
}
WHAT = {
    "record_id": "the record's id",
    "created_at": "the create date",
    "email": "the email",
    "source": "the lead source",
    "who": "the lead each task is about",
}
REQUIRED = {
    "contacts": ("record_id", "created_at", "email", "source"),
    "leads": ("record_id", "created_at", "email", "source"),
    "tasks": ("record_id", "who"),
    "opportunities": ("record_id", "created_at"),
}
MAX_EVENTS_A_ROW = 16  # a row's events are told apart by line * MAX_EVENTS_A_ROW + their index


@dataclass(frozen=True)
class Columns:
    """What the header says: each column's field (None: unmapped), the unmapped columns (once each), and
    the problems that stop the whole file."""

    fields: list[str | None]
    unmapped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # columns whose field an earlier column already gave


_BARE_FIELDS = {re.sub(r"[^a-z0-9]", "", f): f for f in FIELDS}


def _own_name(header: str) -> str | None:
    """A column named for a field, however spelt: "email", "E-mail", "First Name", "created_at"."""
    name = header.strip().lower()
    if name.startswith("attributes.") and is_field(name):
        return name
    return _BARE_FIELDS.get(re.sub(r"[^a-z0-9]", "", name))


def aliases_of(target: str, vendor: str, obj: str) -> list[str]:
    return [h for h, f in ALIASES.get((vendor, obj), {}).items() if f == target]


def plan_columns(vendor: str, obj: str, header: list[str], mapping: ImportMapping) -> Columns:
    aliases = ALIASES.get((vendor, obj), {})
    fields: list[str | None] = []
    unmapped: list[str] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for name in header:
        key = name.strip().lower()
        target = mapping.columns.get(key) or aliases.get(key) or _own_name(name)
        if target is None:
            if name.strip():
                unmapped.append(column_name(name.strip()))
            fields.append(None)
        elif target in seen:
            ignored.append(column_name(name.strip()))
            fields.append(None)
        else:
            seen.add(target)
            fields.append(target)
    problems = []
    for target in REQUIRED[obj]:
        what = WHAT[target]
        if target in seen:
            continue
        known = aliases_of(target, vendor, obj)
        expected = (
            f"a column named {' or '.join(repr(a.title()) for a in known[:3])}"
            if known
            else (f"a column named {target}")
        )
        problems.append(
            f"no column gives {what} ({target}): expected {expected}, or map one in a --mapping file "
            f'(columns: {{"Your column": {target}}})'
        )
    return Columns(fields, unmapped, problems, ignored)


@dataclass(frozen=True)
class Row:
    """One CSV row's events (or why it has none), by the row's line."""

    line: int
    events: list[dict[str, Any]] | Refusal | Unreadable


def rows(
    vendor: str,
    obj: str,
    columns: Columns,
    records: Iterable[tuple[int, list[str] | Unreadable]],
    values: Values,
    timezone: str,
    *,
    history: bool,
    touches_tracked: bool = True,
    lead_of: Callable[[list[str]], dict[str, str]] | None = None,
) -> Iterator[Row]:
    """Each row's events. Opportunities name no lead: `lead_of(opportunity ids)` finds the leads whose
    conversion named them, a chunk of rows at a time."""
    door = DOORS[vendor]
    width = len(columns.fields)
    chunk: list[tuple[int, dict[str, str]]] = []

    def deals() -> Iterator[Row]:
        known = lead_of([r["record_id"] for _, r in chunk if r.get("record_id")]) if lead_of else {}
        for line, record in chunk:
            lead = known.get(record.get("record_id", ""))
            if lead is None:
                yield Row(line, Refusal("record_id", f"no imported lead was converted to opportunity "
                                        f"{record.get('record_id')!r} (import the leads first)"))  # fmt: skip
            else:
                yield Row(line, deal_events(door, record, lead, values, timezone, history=history))
        chunk.clear()

    for line, cells in records:
        if isinstance(cells, Unreadable):
            yield Row(line, cells)
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            yield Row(line, Unreadable("(line)", f"{len(cells)} cells for {width} columns"))
            continue
        record = {
            target: cell.strip()
            for target, cell in zip(columns.fields, cells, strict=False)
            if target is not None and cell.strip()
        }
        if obj == "tasks":
            yield Row(line, task_events(door, record, values, timezone, history=history))
        elif obj == "opportunities":
            chunk.append((line, record))
            if len(chunk) >= DEAL_CHUNK:
                yield from deals()
        else:
            events = record_events(
                door, record, values, timezone, history=history, touches_tracked=touches_tracked
            )
            yield Row(line, events)
    if chunk:
        yield from deals()


DEAL_CHUNK = 500
