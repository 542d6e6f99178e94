"""The pact's history (DESIGN.md §10): every version with since when it was in force and who signed it
(`pact versions`), what changed between two versions key by key (`pact diff`), and signing the version in
force (`sign`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from leadpact.domain.timeutil import iso_utc, iso_utc_or_none
from leadpact.pact import Pact
from leadpact.services.versions import SIDES, PactVersion, sign_in_force
from leadpact.services.workspace import Workspace

FILE = "file"


def signature_view(signature: Any) -> dict[str, Any] | None:
    """A signature as the JSON shows it: `{"name", "at"}` (`at` ISO UTC, a date, or None)."""
    if signature is None:
        return None
    at = signature.at
    return {
        "name": signature.name,
        "at": None if at is None else (iso_utc(at) if hasattr(at, "hour") and at.tzinfo else at.isoformat()),
    }


def signatures_of(pact: Pact) -> dict[str, dict[str, Any] | None]:
    """Each side's signature that covers this version (a stale one, for another version, is None)."""
    signed = pact.signed_by()
    return {side: signature_view(getattr(pact.signoff, side)) if signed[side] else None for side in SIDES}


def version_view(v: PactVersion) -> dict[str, Any]:
    return {
        "version": v.version,
        "in_force_from": iso_utc_or_none(v.effective_at),
        "signatures": signatures_of(v.pact),
        "mode": v.pact.mode,
        "mode_in_effect": v.pact.mode_in_effect,
    }


def versions_document(ws: Workspace) -> dict[str, Any]:
    """`pact versions --json`: `{"versions": [{"version", "in_force_from", "signatures": {"marketing":
    {"name", "at"} | null, "sales": ...}}]}`, oldest first; the last is in force."""
    return {"versions": [version_view(v) for v in ws.recorded]}


def sign(ws: Workspace, *, side: str, name: str, now: datetime) -> dict[str, Any]:
    """Sign the version in force as a head of function; its `version_view` after signing."""
    return version_view(sign_in_force(ws.engine, side=side, name=name, now=now))


def _flat(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flat(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        for i, item in enumerate(value):
            _flat(item, f"{prefix}[{i}]", out)
    else:
        out[prefix] = value


def flatten(pact: Pact) -> dict[str, Any]:
    """Every leaf of the pact (signoff aside) by its key path: `escalation.marketing_volume.below`,
    `scoring.fit[0].points`; the order of `segments` as the key `segments (order)`."""
    data = json.loads(json.dumps(pact.canonical()))
    segments = data.pop("segments")
    out: dict[str, Any] = {}
    _flat(data, "", out)
    _flat({name: seg for name, seg in segments}, "segments", out)
    out["segments (order)"] = [name for name, _ in segments]
    return out


def key_diff(a: Pact, b: Pact) -> list[dict[str, Any]]:
    """What changed from `a` to `b`, key by key, in key order: `{"key", "change": changed|added|removed,
    "from", "to"}`."""
    fa, fb = flatten(a), flatten(b)
    out = []
    for key in sorted(set(fa) | set(fb)):
        if key in fa and key in fb and fa[key] == fb[key]:
            continue
        change = "changed" if key in fa and key in fb else "added" if key in fb else "removed"
        out.append({"key": key, "change": change, "from": fa.get(key), "to": fb.get(key)})
    return out


class UnknownVersion(LookupError):
    pass


def _find(ws: Workspace, ref: str) -> tuple[str, Pact]:
    if ref == FILE:
        return FILE, ws.file_pact
    ref = ref.strip().lower()
    found = [v for v in ws.recorded if len(ref) >= 4 and v.pact.version_full.startswith(ref)]
    if not found:
        known = ", ".join(v.version for v in ws.recorded)
        raise UnknownVersion(f"no pact version {ref!r} (versions: {known}; or `file`)")
    return found[-1].version, found[-1].pact


def pact_diff(ws: Workspace, a: str | None = None, b: str | None = None) -> dict[str, Any]:
    """`pact diff [A] [B]`: A and B are version hashes (a prefix of 4 or more) or `file`. Without them: the
    version in force against the file when the file differs, else the previous version against the one in
    force; with only A, A against the version in force."""
    if a is None and b is None:
        if ws.file_differs:
            a, b = ws.in_force.version, FILE
        elif len(ws.recorded) > 1:
            a, b = ws.recorded[-2].version, ws.in_force.version
        else:
            a = b = ws.in_force.version
    elif b is None:
        b = ws.in_force.version
    assert a is not None and b is not None
    (label_a, pact_a), (label_b, pact_b) = _find(ws, a), _find(ws, b)
    version_a = pact_a.version if label_a == FILE else label_a
    version_b = pact_b.version if label_b == FILE else label_b
    return {
        "from": {"version": version_a, "file": label_a == FILE},
        "to": {"version": version_b, "file": label_b == FILE},
        "changes": key_diff(pact_a, pact_b),
    }
