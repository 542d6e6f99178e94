"""The pact in force, as `GET /api/pact` answers it: its version, since when, whether the file differs, and
the signatures (recorded by `leadpact sign`, else the file's `signoff`) and the mode in effect."""

from __future__ import annotations

from typing import Any

from leadpact.domain.timeutil import iso_utc, iso_utc_or_none
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
        "in_force_from": iso_utc_or_none(v.effective_at),
        "recorded_at": iso_utc(v.recorded_at),
        "applied_at": iso_utc_or_none(v.applied_at),
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
