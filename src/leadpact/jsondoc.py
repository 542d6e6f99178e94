"""JSON documents as the CLI prints them and the API answers them: one encoding (times ISO 8601 UTC), strict
JSON (NaN and Infinity are not JSON, so no document holds them: a script's parser would fail)."""

from __future__ import annotations

import json
import logging
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

log = logging.getLogger("leadpact.json")


def default(value: Any) -> Any:
    if isinstance(value, datetime):
        from leadpact.domain.timeutil import iso_utc

        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> str:
    try:
        return json.dumps(data, default=default, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        if "not JSON compliant" not in str(exc):
            raise
    # The last line of defence: the inputs are kept finite where they come in (event and pact limits), so
    # reaching here is a bug to report; the document stays valid JSON meanwhile, and the log says where.
    spots: list[str] = []
    clean = finite(data, "", spots)
    log.warning("not a finite number, written as null: %s", ", ".join(spots[:5]))
    return json.dumps(clean, default=default, ensure_ascii=False, allow_nan=False)


def finite(value: Any, where: str, spots: list[str]) -> Any:
    """`value` with every NaN or infinite number replaced by None; `spots` collects where they were."""
    if isinstance(value, Decimal):
        value = float(value) if value.is_finite() else float("nan")
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        spots.append(where or "(top)")
        return None
    if isinstance(value, dict):
        return {k: finite(v, f"{where}.{k}" if where else str(k), spots) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v, f"{where}[{i}]", spots) for i, v in enumerate(value)]
    return value
