"""The pact in force, as `GET /api/pact` answers it: its version, since when, whether the file differs, and
the signatures (recorded by `leadpact sign`, else the file's `signoff`) and the mode in effect."""

from __future__ import annotations

from typing import Any

from leadpact.domain.timeutil import iso_utc
from leadpact.services.pact_history import signature_view
from leadpact.services.workspace import Workspace


def _signature(signature: Any) -> dict[str, Any] | None:
    view = signature_view(signature)
    return None if view is None else {**view, "version": signature.version}


def pact_view(ws: Workspace) -> dict[str, Any]:
    v = ws.in_force
    pact = ws.pact
    return {
        "name": pact.name,
        "version": v.version,
        "version_full": pact.version_full,
        "mode": pact.mode,
        "timezone": pact.timezone,
        "in_force_from": None if v.effective_at is None else iso_utc(v.effective_at),
        "recorded_at": iso_utc(v.recorded_at),
        "applied_at": None if v.applied_at is None else iso_utc(v.applied_at),
        "apply_pending": ws.apply_pending,
        "versions": len(ws.recorded),
        "file": {"version": ws.file_pact.version, "differs": ws.file_differs},
        "mode_in_effect": pact.mode_in_effect,
        "signatures": {
            "marketing": _signature(pact.signoff.marketing),
            "sales": _signature(pact.signoff.sales),
        },
        "signed": pact.signed_by(),
    }
