"""HubSpot contact webhooks in: each delivery mapped (`importers.hubspot`) and ingested as one call.

A `contact.creation` carries no properties, and a lead.created needs an email and a source: what a delivery
tells of a contact is kept (`hubspot_contacts`, under the lead's lock) until both are known, and then the
lead.created is made once, at the creation instant, and kept, so a redelivery sends the very same event (a
duplicate). Until then the creation is reported `waiting`, with what it waits for. Each property change is
its own event (id `hs-<eventId>`), so a redelivered delivery stores nothing new.

The document is `ingest --json`'s, its lines the 1-based indexes of the delivery's items.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leadpact.domain.timeutil import to_us
from leadpact.importers import hubspot as mapping
from leadpact.services.ingest import IngestReport, ingest
from leadpact.services.posting import bad_text
from leadpact.services.project import REFUSED, WAITING, Result
from leadpact.services.workspace import Workspace
from leadpact.store import hubspot as store_hubspot
from leadpact.store import txn

MAPPED = ("contact.creation", "contact.propertyChange")


@dataclass(frozen=True)
class HookEvent:
    line: int
    event_id: str
    kind: str
    object_id: str
    at: datetime
    field: str | None = None  # the canonical field of a property change
    prop: str | None = None
    value: str = ""


def _ident(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        return None
    text = str(value).strip()
    return text if len(text) <= 64 else None


def _parse(line: int, item: Any) -> HookEvent | Result:
    if not isinstance(item, dict):
        return Result(line, None, REFUSED, "(event)", f"must be a JSON object, not {type(item).__name__}")
    if (bad := bad_text(item)) is not None:
        return Result(line, None, REFUSED, *bad)
    event_id = _ident(item, "eventId")
    if event_id is None:
        return Result(line, None, REFUSED, "eventId", "is required (a number of at most 64 digits)")
    own = f"hs-{event_id}"
    kind = item.get("subscriptionType")
    if kind not in MAPPED:
        what = (
            "contact.privacyDeletion: run `leadpact erase` for the lead"
            if kind == "contact.privacyDeletion"
            else ""
        )
        return Result(
            line,
            own,
            REFUSED,
            "subscriptionType",
            f"{kind!r} is not mapped (only {', '.join(MAPPED)}){what and '; ' + what}",
        )
    object_id = _ident(item, "objectId")
    if object_id is None:
        return Result(line, own, REFUSED, "objectId", "is required")
    occurred = item.get("occurredAt")
    if isinstance(occurred, bool) or not isinstance(occurred, int) or not 0 < occurred < 7_258_118_400_000:
        return Result(line, own, REFUSED, "occurredAt", "must be epoch milliseconds")
    at = datetime.fromtimestamp(occurred / 1000, tz=UTC)
    if kind == "contact.creation":
        return HookEvent(line, event_id, kind, object_id, at)
    prop = item.get("propertyName")
    if not isinstance(prop, str) or not prop:
        return Result(line, own, REFUSED, "propertyName", "is required for contact.propertyChange")
    field = mapping.PROPERTIES.get(prop)
    if field is None:
        return Result(line, own, REFUSED, "propertyName", f"{prop!r} is not a property leadpact maps")
    value = item.get("propertyValue")
    text = "" if value is None else str(value).strip()
    return HookEvent(line, event_id, kind, object_id, at, field, prop, text)


def _known(row: Any) -> tuple[dict[str, list[Any]], datetime | None, str | None]:
    if row is None:
        return {}, None, None
    return json.loads(row["properties"]), row["created_at"], row["lead_created"]


def _remember(
    ws: Workspace, events: list[HookEvent], now: datetime
) -> tuple[dict[int, Any], list[Result], dict[str, str]]:
    """Under the contacts' leads' lock: keep what the delivery tells, make the lead.created events that became
    possible (or were made before, for a redelivery); the lead.created events by the line they answer, the
    waiting results, and the contacts whose lead.created exists."""
    objects = sorted({e.object_id for e in events})
    made: dict[int, Any] = {}
    waiting: list[Result] = []
    created: dict[str, str] = {}

    with ws.engine.connect() as conn:

        def work() -> None:
            made.clear()
            waiting.clear()
            created.clear()
            txn.begin_write(conn)
            txn.lock_leads(conn, [mapping.lead_id_of(o) for o in objects])
            rows = store_hubspot.contacts(conn, objects)
            for object_id in objects:
                mine = [e for e in events if e.object_id == object_id]
                props, created_at, lead_created = _known(rows.get(object_id))
                created_event = rows[object_id]["created_event"] if object_id in rows else None
                for e in mine:
                    if e.kind == "contact.creation":
                        created_event, created_at = e.event_id, e.at
                    elif e.field is not None and (e.field not in props or props[e.field][1] <= to_us(e.at)):
                        props[e.field] = [e.value, to_us(e.at)]
                if created_at is None and props.get("created_at"):
                    with contextlib.suppress(ValueError):
                        created_at = mapping.instant_of(props["created_at"][0], ws.pact.timezone)
                values = {k: v[0] for k, v in props.items() if v[0]}
                trigger = next(
                    (e for e in mine if e.kind == "contact.creation" or e.field in ("email", "source")), None
                )
                if lead_created is None and created_at is not None and not mapping.missing_to_create(values):
                    lead_created = json.dumps(
                        mapping.lead_created(object_id, created_at, values), sort_keys=True
                    )
                    trigger = trigger or mine[0]
                if lead_created is not None:
                    created[object_id] = json.loads(lead_created)["data"]["source"]
                    if trigger is not None:
                        made[trigger.line] = json.loads(lead_created)
                elif trigger is not None and trigger.kind == "contact.creation":
                    needs = mapping.missing_to_create(values) or ["the creation date"]
                    waiting.append(
                        Result(
                            trigger.line,
                            mapping.created_id(object_id),
                            WAITING,
                            f"data.{needs[0]}",
                            f"HubSpot contact {object_id}: lead.created waits for {' and '.join(needs)}",
                        )
                    )
                store_hubspot.save(
                    conn,
                    {
                        "object_id": object_id,
                        "created_event": created_event,
                        "created_at": created_at,
                        "properties": json.dumps(props, sort_keys=True),
                        "lead_created": lead_created,
                        "updated_at": now,
                    },
                )
            conn.commit()

        txn.retrying(conn, work)
    return made, waiting, created


def receive_contacts(ws: Workspace, payload: Any, *, now: datetime) -> IngestReport:
    """One webhook delivery (an array of HubSpot events, or one) ingested; the `ingest --json` document."""
    items = payload if isinstance(payload, list) else [payload]
    events: list[HookEvent] = []
    refused: list[Result] = []
    for line, item in enumerate(items, start=1):
        parsed = _parse(line, item)
        (events if isinstance(parsed, HookEvent) else refused).append(parsed)  # type: ignore[arg-type]
    made, waiting, created = _remember(ws, events, now) if events else ({}, [], {})
    # each item's own event at line*2, a lead.created it made at line*2+1: lines stay unique in the call
    calls: list[tuple[int, Any]] = []
    for e in events:
        if e.line in made:
            calls.append((e.line * 2 + 1, made[e.line]))
        if e.kind == "contact.creation":
            continue
        assert e.field is not None
        if e.field == "source":  # it feeds lead.created; a later, other source cannot change the lead's
            if e.object_id not in created or mapping.pact_word(e.value) == created[e.object_id]:
                continue
            refused.append(
                Result(
                    e.line,
                    f"hs-{e.event_id}",
                    REFUSED,
                    "propertyValue",
                    "a lead's source is fixed by its lead.created (leadpact keeps the first)",
                )
            )
            continue
        own = mapping.change_event(e.object_id, e.field, e.value, e.at, f"hs-{e.event_id}", ws.pact.timezone)
        if isinstance(own, mapping.Unmapped):
            refused.append(Result(e.line, f"hs-{e.event_id}", REFUSED, own.field, own.reason))
        elif own is not None:
            calls.append((e.line * 2, own))
    calls.sort(key=lambda pair: pair[0])
    report = ingest(ws.engine, ws.versions, ws.vocab, calls, now=now, routing=ws.routing, roster=ws.roster)
    for result in report.results:
        if result.line % 2 == 1 and result.status == REFUSED and result.field != "id":
            _forget(ws, made[result.line // 2], now)
        result.line //= 2
    for result in refused + waiting:
        report.add(result)
    return report


def _forget(ws: Workspace, event: dict[str, Any], now: datetime) -> None:
    object_id = event["lead_id"].removeprefix("hs-")
    with ws.engine.begin() as conn:
        store_hubspot.forget_created(conn, object_id, json.dumps(event, sort_keys=True), now)
