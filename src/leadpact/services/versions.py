"""Pact versions over time (DESIGN.md §10): which pact is in force, and putting a new one in force.

Editing `pact.yaml` changes nothing by itself. The first command that opens a store with no version puts
the file's version in force for all history; after that a version comes into force only when `pact apply`
(or `rescore --apply`) records it, from that instant on. Each version judges the events from its instant
on, so a change never rewrites history.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import Engine

from leadpact.domain.rules import Rules, Versions
from leadpact.pact import Pact, PactError
from leadpact.store import versions as store_versions


@dataclass(frozen=True)
class PactVersion:
    seq: int
    version: str
    effective_at: datetime | None  # None: the first version, which judges all history
    pact: Pact
    recorded_at: datetime
    applied_at: datetime | None  # None: an apply still re-projecting (interrupted)


def _pact_json(pact: Pact) -> str:
    return json.dumps(pact.model_dump(mode="json"), ensure_ascii=False)


class StoredPactUnreadable(Exception):
    """A pact version the store holds no longer validates (it was recorded before a stricter check)."""


def _stored_pact(version: str, text: str) -> Pact:
    try:
        return Pact.model_validate(json.loads(text))
    except (PactError, ValidationError, ValueError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoredPactUnreadable(
            f"the pact version {version} this store holds no longer validates ({detail}); "
            "correct pact.yaml and put it in force with `leadpact pact apply`"
        ) from exc


def read_versions(engine: Engine) -> list[PactVersion]:
    with engine.connect() as conn:
        rows = store_versions.all_versions(conn)
    cache: dict[str, Pact] = {}
    out = []
    for row in rows:
        if row["pact"] not in cache:
            cache[row["pact"]] = _stored_pact(row["version"], row["pact"])
        out.append(
            PactVersion(
                int(row["seq"]),
                str(row["version"]),
                row["effective_at"],
                cache[row["pact"]],
                row["recorded_at"],
                row["applied_at"],
            )
        )
    return out


def versions_in_force(engine: Engine, file_pact: Pact, now: datetime) -> list[PactVersion]:
    """The recorded versions, oldest first; a store with none gets the file's as its first (for all history).
    Safe when several processes open a new store at once: one records, the others read it."""
    found = read_versions(engine)
    if found:
        return found
    with engine.begin() as conn:
        store_versions.insert_version(
            conn,
            seq=1,
            version=file_pact.version,
            effective_at=None,
            pact_json=_pact_json(file_pact),
            now=now,
            applied=True,
        )
    return read_versions(engine)


def record_next(engine: Engine, pact: Pact, now: datetime) -> PactVersion | None:
    """Record `pact` as in force from `now` (not yet applied); None when it already is the newest version.
    Two processes recording at once: one wins, the other finds it recorded."""
    while True:
        found = read_versions(engine)
        if found and found[-1].version == pact.version:
            return None
        seq = found[-1].seq + 1 if found else 1
        with engine.begin() as conn:
            taken = store_versions.insert_version(
                conn,
                seq=seq,
                version=pact.version,
                effective_at=now if found else None,
                pact_json=_pact_json(pact),
                now=now,
                applied=not found,
            )
        if taken:
            return read_versions(engine)[-1]


def versions_head(engine: Engine) -> tuple[int, datetime | None] | None:
    """The newest version's seq and applied_at: whether a long-running process must read them again."""
    with engine.connect() as conn:
        return store_versions.head(conn)


def mark_applied(engine: Engine, seq: int, now: datetime) -> None:
    with engine.begin() as conn:
        store_versions.mark_applied(conn, seq, now)


def versions_of(
    recorded: list[PactVersion],
    rules_of: Callable[[Pact], Rules],
    proposed: tuple[datetime, Pact] | None = None,
) -> Versions:
    """The engine's `Versions` of these recorded versions; with `proposed`, that pact as a version coming into
    force at that instant (what `rescore` shows before `pact apply`)."""
    cache: dict[str, Rules] = {}

    def rules(pact: Pact) -> Rules:
        if pact.version not in cache:
            cache[pact.version] = rules_of(pact)
        return cache[pact.version]

    items = [(v.effective_at, v.version, rules(v.pact)) for v in recorded]
    if proposed is not None and (not items or items[-1][1] != proposed[1].version):
        items.append((proposed[0] if items else None, proposed[1].version, rules(proposed[1])))
    return Versions(tuple(items))
