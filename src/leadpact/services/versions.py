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
from sqlalchemy import Engine, RowMapping

from leadpact.domain.rules import Rules, Versions
from leadpact.pact import Pact, PactError
from leadpact.pact.calendars import Signature, Signoff
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


SIDES = ("marketing", "sales")


def with_signatures(pact: Pact, signed: dict[str, RowMapping]) -> Pact:
    """The pact with the signatures `leadpact sign` recorded for its version laid over the file's `signoff`
    (a side the store has no signature for keeps the file's, which counts only if it covers this version)."""
    if not signed:
        return pact
    sides = {
        side: Signature(name=signed[side]["name"], at=signed[side]["at"], version=pact.version_full)
        if side in signed
        else getattr(pact.signoff, side)
        for side in SIDES
    }
    return pact.model_copy(update={"signoff": Signoff(**sides)})


def read_versions(engine: Engine) -> list[PactVersion]:
    with engine.connect() as conn:
        rows = store_versions.all_versions(conn)
        signatures: dict[str, dict[str, RowMapping]] = {}
        for sig in store_versions.all_signatures(conn):
            signatures.setdefault(sig["version"], {})[sig["side"]] = sig
    cache: dict[str, Pact] = {}
    out = []
    for row in rows:
        if row["pact"] not in cache:
            stored = _stored_pact(row["version"], row["pact"])
            cache[row["pact"]] = with_signatures(stored, signatures.get(stored.version_full, {}))
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


class NothingToSign(ValueError):
    pass


def sign_in_force(engine: Engine, *, side: str, name: str, now: datetime) -> PactVersion:
    """A head of function signs the version in force (its hash); the version read again, signed. ValueError
    names a bad side or name."""
    if side not in SIDES:
        raise ValueError(f"--as: {side!r} is not marketing or sales")
    name = name.strip()
    if not name or len(name) > 200:
        raise ValueError("--name: a name of 1 to 200 characters")
    found = read_versions(engine)
    if not found:
        raise NothingToSign("no pact version is in force yet")
    with engine.begin() as conn:
        store_versions.sign(conn, version=found[-1].pact.version_full, side=side, name=name, at=now)
    return read_versions(engine)[-1]


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


def versions_head(engine: Engine) -> tuple[int, datetime | None, int] | None:
    """The newest version's seq and applied_at, and the number of signatures: whether a long-running process
    must read them again."""
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
