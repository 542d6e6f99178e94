"""Pact versions over time: recorded when a changed pact first runs, loaded to judge each event by the pact
in force at its instant."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from leadpact.domain.rules import Rules, Versions
from leadpact.store.tables import pact_versions


def _rows(conn: Any) -> list[Any]:
    return list(conn.execute(select(pact_versions).order_by(pact_versions.c.seq)).mappings())


def record_version(engine: Engine, pact: Any, now: datetime) -> bool:
    """Record the pact as the one in force from `now` if it is not the newest already; True when recorded.
    The first pact ever recorded judges all history."""
    with engine.begin() as conn:
        rows = _rows(conn)
        if rows and rows[-1]["version"] == pact.version:
            return False
        conn.execute(
            insert(pact_versions).values(
                version=pact.version,
                effective_at=now if rows else None,
                pact=json.dumps(pact.model_dump(mode="json")),
                recorded_at=now,
            )
        )
    return True


def load_versions(
    engine: Engine, pact: Any, rules_of: Callable[[Any], Rules], *, now: datetime, hypothetical: bool = True
) -> Versions:
    """The recorded versions, each with its rules; with `hypothetical`, the current pact (if not the newest
    recorded) as a version coming into force at `now` — what the engine will do once it runs with it."""
    from leadpact.pact import Pact

    with engine.connect() as conn:
        rows = _rows(conn)
    items: list[tuple[datetime | None, str, Rules]] = []
    cache: dict[str, Rules] = {pact.version: rules_of(pact)}
    for row in rows:
        version = row["version"]
        if version not in cache:
            cache[version] = rules_of(Pact.model_validate(json.loads(row["pact"])))
        items.append((row["effective_at"], version, cache[version]))
    if not items:
        return Versions.single(cache[pact.version], pact.version)
    if hypothetical and items[-1][1] != pact.version:
        items.append((now, pact.version, cache[pact.version]))
    return Versions(tuple(items))
