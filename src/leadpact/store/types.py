"""Column types. Instants are stored as integer microseconds since the epoch, UTC: exact, portable between
SQLite and PostgreSQL, indexable, and read straight into numpy (datetime64[us]) for metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from leadpact.domain.timeutil import from_us, to_us


class Instant(TypeDecorator[datetime]):
    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return to_us(value)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return None if value is None else from_us(int(value))
