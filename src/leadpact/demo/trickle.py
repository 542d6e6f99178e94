"""The live demo's trickle: while `leadpact demo` serves, new leads cross the MQL gate, reps touch some of
them and disposition a few, and the ones nobody works breach — so a newcomer watching the dashboard sees
countdowns start, move and run out.

`Trickle.next_batch(now)` decides the next few events (pure but for its own random state and memory of the
leads it made); `run_trickle` posts each batch through the ingest service the API uses, on the wall clock,
until asked to stop. A new lead is stamped up to `BACKDATE_MAX` ago, so some of their first-contact clocks
are nearly due (or already past due) when they arrive.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from leadpact.demo.company import REPS
from leadpact.demo.names import FIRST_NAMES, LAST_NAMES

log = logging.getLogger("leadpact.demo")

EVERY = 4.0  # seconds between two batches
BACKDATE_MAX = timedelta(minutes=50)
HIGH_INTENT = ("demo_request", "pricing_inquiry", "trial_signup")
SOURCES = ("demo_request", "webinar", "content", "paid_search", "event")
CHANNELS = ("phone", "email", "linkedin", "video")
REASONS = ("wrong_company_size", "no_budget_or_timeline", "wrong_job_function", "invalid_contact")
GOOD_FITS: tuple[dict[str, Any], ...] = (
    {"employees": 450, "job_function": "marketing", "seniority": "director", "industry": "software"},
    {"employees": 1800, "job_function": "sales", "seniority": "vp", "industry": "saas"},
    {"employees": 320, "job_function": "revops", "seniority": "manager", "industry": "fintech"},
    {"employees": 2600, "job_function": "marketing", "seniority": "c_level", "industry": "ecommerce"},
)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Lead:
    lead_id: str
    mql_at: datetime
    touches: int = 0
    done: bool = False


@dataclass
class Trickle:
    """What comes next: `next_batch(now)` gives a few events stamped at or before `now`."""

    seed: int = 7
    run: str = "LIVE"
    leads: list[_Lead] = field(default_factory=list)
    made: int = 0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def _event(self, type_: str, lead: str, at: datetime, **data: Any) -> dict[str, Any]:
        self.made += 1
        return {"id": f"{lead}-{self.made}", "type": type_, "lead_id": lead, "at": _iso(at), "data": data}

    def new_lead(self, now: datetime) -> list[dict[str, Any]]:
        rng = self.rng
        lead = f"{self.run}-{len(self.leads) + 1:04d}"
        at = now - timedelta(seconds=rng.uniform(5, BACKDATE_MAX.total_seconds()))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        fields = {
            "email": f"{first}.{last}.{lead}@example.com".lower(),
            "first_name": first,
            "last_name": last,
            "company": f"{last} {rng.choice(('Labs', 'Systems', 'Cloud', 'Group'))}",
            "country": rng.choice(("US", "CA", "GB", "DE")),
            "source": rng.choice(SOURCES),
            **rng.choice(GOOD_FITS),
        }
        self.leads.append(_Lead(lead, at))
        return [
            self._event("lead.created", lead, at, **fields),
            self._event("activity", lead, at, kind=rng.choice(HIGH_INTENT)),
        ]

    def work(self, now: datetime) -> list[dict[str, Any]]:
        """A touch on a lead nobody finished with; after a few, its disposition. Some leads are left alone,
        so their clocks run out."""
        rng = self.rng
        open_leads = [lead for lead in self.leads if not lead.done and lead.lead_id[-1] not in "37"]
        if not open_leads:
            return []
        lead = rng.choice(open_leads)
        rep = rng.choice(REPS).id
        lead.touches += 1
        events = [
            self._event("touch", lead.lead_id, now, channel=CHANNELS[lead.touches % len(CHANNELS)], rep=rep,
                        outcome=rng.choice(("attempted", "attempted", "connected")))
        ]  # fmt: skip
        if lead.touches >= 2 and rng.random() < 0.5:
            lead.done = True
            if rng.random() < 0.75:
                events.append(self._event("disposition", lead.lead_id, now, outcome="accepted", by=rep))
            else:
                reason = rng.choice(REASONS)
                events.append(
                    self._event("disposition", lead.lead_id, now, outcome="rejected", reason=reason, by=rep)
                )
        return events

    def next_batch(self, now: datetime) -> list[dict[str, Any]]:
        batch: list[dict[str, Any]] = []
        if not self.leads or self.rng.random() < 0.6:
            batch += self.new_lead(now)
        if self.rng.random() < 0.7:
            batch += self.work(now)
        return batch


def run_trickle(
    post: Callable[[list[dict[str, Any]], datetime], Any],
    stop: threading.Event,
    *,
    trickle: Trickle | None = None,
    every: float = EVERY,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Post a batch every `every` seconds until `stop` is set; the number of events posted. A batch that
    fails is logged and the trickle goes on."""
    trickle = trickle or Trickle(run=f"LIVE{clock():%H%M%S}")
    posted = 0
    while not stop.wait(every):
        now = clock()
        batch = trickle.next_batch(now)
        if not batch:
            continue
        try:
            post(batch, now)
        except Exception:  # the store is busy or gone for a moment: the next batch tries again
            log.exception("demo: a batch of the trickle was not stored")
            continue
        posted += len(batch)
        log.info("demo: %s", "; ".join(describe(e) for e in batch if e["type"] != "lead.created"))
    return posted


def describe(event: dict[str, Any]) -> str:
    """One event of the trickle as a watcher reads it: "new MQL LIVE-0004 (demo_request)"."""
    data, lead = event["data"], event["lead_id"]
    if event["type"] == "activity":
        return f"new lead {lead} ({data['kind']})"
    if event["type"] == "touch":
        return f"{data['rep']} touched {lead} ({data['channel']})"
    if event["type"] == "disposition":
        reason = f", {data['reason']}" if data.get("reason") else ""
        return f"{data['by']} {data['outcome']} {lead}{reason}"
    return f"{event['type']} {lead}"
