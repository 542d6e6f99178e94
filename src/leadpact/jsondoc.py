"""JSON documents as the CLI prints them and the API answers them: one encoding (times ISO 8601 UTC)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


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
    return json.dumps(data, default=default, ensure_ascii=False)
