"""`leadpact replay`: what a proposed pact would have done to a period (DESIGN.md §13).

The store's events are copied, in their order, into a scratch SQLite store and ingested there by the same
ingest service as any call (`services.ingest`), with the clock set to `as_of`; the period's metrics are then
computed there by the same metrics service (`services.metrics`). Both sides are replayed the same way — the
versions in force as the store judges them, and the proposed pact alone for all history — so that the
difference is the pact's and nothing else's (the store's own numbers can differ where its events arrived out
of order: a disposition is judged against the timeline stored when it came). The proposed side's numbers are
those of a fresh store that ingested the same events under the proposed pact.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.events import Vocabulary
from leadpact.domain.periods import Period, parse_period, period_containing, previous
from leadpact.domain.routing import RoutingRules
from leadpact.domain.rules import Rules, Versions
from leadpact.domain.timeutil import from_us, iso_utc, to_us
from leadpact.domain.whatif import breach_counts, difference
from leadpact.pact import Pact
from leadpact.roster import Roster, load_roster
from leadpact.services import packs
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.metrics import metrics
from leadpact.services.workspace import Workspace, rules_for
from leadpact.store import events as store_events
from leadpact.store import leads as store_leads
from leadpact.store.db import open_store

PAGE = 5000
ERASED = "[erased]"

#: (side, events read so far of `total`): how far a replay is
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Side:
    """One pact to replay under: its name in the output, the pact whose targets the metrics use, the versions
    that judge the events, the vocabulary they are read with, and the roster that routes them."""

    name: str
    pact: Pact
    versions: Versions
    vocab: Vocabulary
    roster: Roster | None

    @property
    def rules(self) -> Rules:
        return self.versions.latest


def _raw(
    seq: int, event_id: str, kind: str, lead_id: str, at_us: int, data_text: str, history: bool = False
) -> dict[str, Any]:
    """A stored event as it came in. An erased lead's email is replaced by a placeholder unique to the lead,
    so that its facts count as they do in the store (the erasure kept them)."""
    data = json.loads(data_text)
    if data.get("email") == ERASED:
        tag = hashlib.blake2b(lead_id.encode(), digest_size=6).hexdigest()
        data["email"] = f"erased@{tag}.erased.invalid"
    raw = {"id": event_id, "type": kind, "lead_id": lead_id, "at": iso_utc(from_us(at_us)), "data": data}
    if history:
        raw["history"] = True  # a fact of the source system's past: it stays one (DESIGN.md §12)
    return raw


def stored_events(engine: Engine, *, until: datetime) -> Iterator[tuple[int, dict[str, Any]]]:
    """(sequence, raw event) of every stored event stamped at or before `until`, in the order stored."""
    after, until_us = 0, to_us(until)
    while True:
        with engine.connect() as conn:
            page = store_events.events_page(conn, after_seq=after, until_us=until_us, limit=PAGE)
        if not page:
            return
        for row in page:
            yield row[0], _raw(*row)
        after = page[-1][0]


def event_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return store_leads.counts(conn)["events"]


def replay_side(
    source: Engine,
    side: Side,
    period: Period,
    *,
    as_of: datetime,
    directory: Path,
    progress: Progress | None = None,
    total: int = 0,
) -> dict[str, Any]:
    """The source store's events ingested into a scratch store under one side's pact; the period's metrics
    document there, its breaches, and what the ingest refused."""
    engine = open_store(f"sqlite:///{directory / f'{side.name}.db'}")
    try:
        read = 0

        def advance(phase: str, n: int) -> None:
            nonlocal read
            if phase == "read" and progress is not None:
                read += n
                if read % 1000 == 0 or read == total:
                    progress(side.name, read, total)

        routing = None if side.roster is None else RoutingRules.from_roster(side.roster, side.rules.calendars)
        report = ingest(
            engine,
            side.versions,
            side.vocab,
            stored_events(source, until=as_of),
            now=as_of,
            routing=routing,
            roster=side.roster,
            progress=advance,
        )
        if progress is not None:
            progress(side.name, read, total)
        document = metrics(engine, side.pact, side.rules, period.label, as_of=as_of, cache=False)
        cols = packs.period_columns(engine, period, cache=False)
        breaches = breach_counts(cols.clocks, to_us(period.start), to_us(period.end), to_us(as_of))
        refused = [r.to_json() for r in report.results if r.status == "refused"]
        by_field: dict[str, int] = {}
        for r in refused:
            by_field[r["field"]] = by_field.get(r["field"], 0) + 1
        return {
            "document": document,
            "breaches": breaches,
            "summary": report.summary,
            "refused": refused,
            "refused_by_field": by_field,
        }
    finally:
        engine.dispose()


def sides(ws: Workspace) -> tuple[Side, Side]:
    """The versions in force (as the store judges its events), and the pact file proposed for all history.
    Raises `PactError` when the roster does not fit the proposed pact."""
    proposed = ws.file_pact
    team = ws.pact_file.parent / "team.yaml"
    roster = load_roster(team, proposed) if ws.roster is not None and team.exists() else None
    current = Side("current", ws.pact, ws.versions, ws.vocab, ws.roster)
    rules = rules_for(proposed, roster)
    return current, Side(
        "proposed", proposed, Versions.single(rules, proposed.version), vocabulary(proposed), roster
    )


def default_period(ws: Workspace, now: datetime) -> str:
    """The last full quarter in the pact's zone: what a replay shows unless asked for another period."""
    return previous(period_containing("quarter", now, ws.pact.timezone)).label


def replay(
    ws: Workspace,
    period_text: str,
    *,
    as_of: datetime,
    progress: Progress | None = None,
    scratch: Path | None = None,
) -> dict[str, Any]:
    """Both metrics documents of the period (the pact in force, the proposed one) and their difference, each
    computed in a scratch store. ValueError names a bad period."""
    period = parse_period(period_text, ws.pact.timezone)
    current, proposed = sides(ws)
    total = event_count(ws.engine)
    with tempfile.TemporaryDirectory(prefix="leadpact-replay-", dir=scratch) as tmp:
        runs = {
            side.name: replay_side(
                ws.engine, side, period, as_of=as_of, directory=Path(tmp), progress=progress, total=total
            )
            for side in (current, proposed)
        }
    breaches = {name: run["breaches"] for name, run in runs.items()}
    return {
        "period": period.label,
        "as_of": iso_utc(as_of),
        "versions": {"current": ws.pact.version, "proposed": proposed.pact.version},
        "current": runs["current"]["document"],
        "proposed": runs["proposed"]["document"],
        "breaches": breaches,
        "difference": difference(runs["current"]["document"], runs["proposed"]["document"], breaches),
        "replayed": {
            name: {
                "summary": run["summary"],
                "refused_by_field": run["refused_by_field"],
                "refused": run["refused"][:20],
            }
            for name, run in runs.items()
        },
    }
