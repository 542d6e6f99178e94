"""`leadpact replay` speed: the demo company's events (about 8.6 a lead) in an SQLite store, replayed
under the pact in force and under a stricter gate, as a meeting would ask.

    python bench/replay.py --events 100000      # issue 16: report seconds per 100k events

The source store is built by the ingest service (not timed); the replay (both scratch stores: copy, ingest,
metrics) is timed and reported as seconds per 100,000 events.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000, help="events in the store (at most 100,000)")
    parser.add_argument("--period", default="2026-Q2")
    args = parser.parse_args()
    from leadpact.demo.company import DEMO_ROSTER_YAML
    from leadpact.demo.generator import generate
    from leadpact.pact import Pact
    from leadpact.roster import load_roster
    from leadpact.services.ingest import ingest
    from leadpact.services.versions import versions_in_force
    from leadpact.services.whatif import replay
    from leadpact.services.workspace import Workspace
    from leadpact.store.db import open_store

    now = datetime(2027, 1, 10, tzinfo=UTC)
    events = list(
        itertools.islice(generate(20_000, 7, start=date(2026, 1, 5), months=12), min(args.events, 100_000))
    )
    data = Pact().model_dump(mode="json")
    data["scoring"]["mql"] = {"fit": 40, "engagement": 45}
    proposed = Pact.model_validate(data)
    with tempfile.TemporaryDirectory(prefix="leadpact-bench-replay-") as tmp:
        directory = Path(tmp)
        (directory / "team.yaml").write_text(DEMO_ROSTER_YAML)
        url = f"sqlite:///{directory / 'source.db'}"
        engine = open_store(url)
        roster = load_roster(directory / "team.yaml", Pact())
        ws = Workspace(
            engine, url, directory / "pact.yaml", proposed, roster, versions_in_force(engine, Pact(), now)
        )
        t0 = time.perf_counter()
        ingest(
            engine, ws.versions, ws.vocab, enumerate(events, 1), now=now, routing=ws.routing, roster=roster
        )
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = replay(ws, args.period, as_of=now)
        took = time.perf_counter() - t0
        engine.dispose()
    n = len(events)
    print(
        json.dumps(
            {
                "events": n,
                "source_ingest_s": round(built, 2),
                "replay_s": round(took, 2),
                "replay_s_per_100k_events": round(took / n * 100_000, 2),
                "period": result["period"],
                "mql_count": {
                    "current": result["current"]["mql_count"],
                    "proposed": result["proposed"]["mql_count"],
                },
            }
        )
    )


if __name__ == "__main__":
    main()
