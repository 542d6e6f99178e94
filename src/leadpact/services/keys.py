"""API keys (DESIGN.md §9): made, listed, revoked, and looked up on every request.

A key is ``lpk_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored: a key that random
needs no slow hash, and the lookup is one indexed read, done for every request so a revocation holds at once
in every running server. The key is shown once, when made.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadpact.domain.access import ROLES
from leadpact.domain.timeutil import iso_utc, iso_utc_or_none
from leadpact.store import keys as store_keys

PREFIX = "lpk_"
SESSION_SECRET = "session"


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: the key's id, name and role."""

    key_id: str
    name: str
    role: str


@dataclass(frozen=True)
class NewKey:
    id: str
    name: str
    role: str
    key: str  # shown once

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "key": self.key}


class KeyProblem(ValueError):
    """A bad role or name, said for people."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(engine: Engine, *, role: str, name: str, now: datetime) -> NewKey:
    if role not in ROLES:
        raise KeyProblem(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    name = name.strip()
    if not name or len(name) > 200:
        raise KeyProblem("a key needs a name of 1 to 200 characters")
    key = PREFIX + secrets.token_urlsafe(32)
    key_id = "k" + secrets.token_hex(5)
    with engine.begin() as conn:
        store_keys.insert_key(conn, key_id=key_id, name=name, role=role, digest=_digest(key), now=now)
    return NewKey(key_id, name, role, key)


def list_keys(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = store_keys.all_keys(conn)
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "role": r["role"],
            "created_at": iso_utc(r["created_at"]),
            "revoked_at": iso_utc_or_none(r["revoked_at"]),
        }
        for r in rows
    ]


def revoke_key(engine: Engine, key_id: str, *, now: datetime) -> str | None:
    """'revoked', 'already' (it was), or None (no such key)."""
    with engine.begin() as conn:
        return store_keys.revoke(conn, key_id.strip(), now)


def caller_for_key(engine: Engine, key: str) -> Caller | None:
    """The caller a presented key stands for; None when it is unknown or revoked."""
    if not key.startswith(PREFIX) or len(key) > 200:
        return None
    with engine.connect() as conn:
        row = store_keys.live_key_by_hash(conn, _digest(key))
    return None if row is None else Caller(row["id"], row["name"], row["role"])


def caller_for_id(engine: Engine, key_id: str) -> Caller | None:
    """The caller of a signed-in session (which holds the key's id): None once the key is revoked."""
    with engine.connect() as conn:
        row = store_keys.live_key_by_id(conn, key_id)
    return None if row is None else Caller(row["id"], row["name"], row["role"])


def shared_secret(engine: Engine, *, now: datetime, name: str = SESSION_SECRET) -> str:
    """The secret every serve process on this store signs sessions with (made by the first to ask)."""
    with engine.begin() as conn:
        return store_keys.secret(conn, name, secrets.token_urlsafe(48), now)
