"""Erasure of a person's data: their personal fields leave every event and projection; the fact stays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from leadpact.domain.events import PERSONAL_FIELDS
from leadpact.store import events as store_events
from leadpact.store import leads as store_leads


@dataclass(frozen=True)
class Erasure:
    lead_id: str
    events: int
    erased_at: datetime
    already: bool = False


def erase_lead(engine: Engine, lead_id: str, *, now: datetime, reason: str | None = None) -> Erasure | None:
    """None when no event names the lead. Further events for an erased lead are refused at ingest."""
    with engine.begin() as conn:
        done = store_leads.erased_among(conn, [lead_id])
        if lead_id in done:
            return Erasure(lead_id, 0, done[lead_id], already=True)
        if not store_events.lead_events(conn, lead_id):
            return None
        scrubbed = store_events.scrub_lead_events(conn, lead_id, PERSONAL_FIELDS)
        store_leads.record_erasure(conn, lead_id, now, scrubbed, reason)
    return Erasure(lead_id, scrubbed, now)
