"""Dating (DESIGN.md §5): which rows a period reads, and into which of its lists each row goes.

Each metric is counted over the rows its "dated by" instants name. A row is in a list when one of the
list's instants falls inside the period, [start, end) with the bounds in the pact's zone; a metric counts
it as of `as_of` when that instant is also at or before `as_of`. The table below is the whole rule: the
per-row split (`lists`), the per-column split (`lists_vec`), the SQL that reads a period's rows
(`sql_inside`) and the change detection of the month packs all derive from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
R = TypeVar("R")

#: the handoff lists of a period: list -> (its dating instants, MQL cycles only)
HANDOFF_LISTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "cohort": (("mql_at",), True),
    "disposed": (("disposition_at",), True),
    "closed": (("disqualified_at", "recycled_at"), False),
    "flagged": (("rejected_at", "disqualified_at"), False),
    "sqls": (("sql_at",), False),
    "opportunities": (("opportunity_at",), False),
    "won": (("customer_at",), False),
    "lost": (("closed_lost_at",), False),
}

#: the clock lists: list -> the clock kind; clocks are dated by their due time
CLOCK_LISTS: dict[str, str] = {"first_contact": "first_contact", "disposition_clocks": "disposition"}
CLOCK_DATED = "due_at"

#: every handoff instant that dates a row into some list: a handoff belongs to a period when one is inside
DATED: tuple[str, ...] = tuple(dict.fromkeys(name for names, _ in HANDOFF_LISTS.values() for name in names))


def by(at: datetime | None, as_of: datetime) -> bool:
    """The fact happened at or before ``as_of`` (a missing instant never did)."""
    return at is not None and at <= as_of


def inside(at: datetime | None, start: datetime, end: datetime) -> bool:
    return at is not None and start <= at < end


def counted(at: datetime | None, start: datetime, end: datetime, as_of: datetime) -> bool:
    """Inside the period and already happened as of `as_of`."""
    return at is not None and start <= at < end and at <= as_of


def inside_vec(at: I64, start: int, end: int) -> B:
    out: B = (at >= start) & (at < end)
    return out


def counted_vec(at: I64, start: int, end: int, as_of: int) -> B:
    out: B = (at >= start) & (at < end) & (at <= as_of)
    return out


def lists(
    rows: Sequence[R],
    start: datetime,
    end: datetime,
    instant: Callable[[R, str], datetime | None],
    is_mql: Callable[[R], bool],
) -> dict[str, list[R]]:
    """Each handoff list of the period over these rows (`instant(row, name)` reads a dating instant)."""

    def dated_in(row: R, dated: tuple[str, ...]) -> bool:
        return any(inside(instant(row, column), start, end) for column in dated)

    return {
        name: [r for r in rows if (not mql_only or is_mql(r)) and dated_in(r, dated)]
        for name, (dated, mql_only) in HANDOFF_LISTS.items()
    }


def lists_vec(columns: Any, start: int, end: int) -> dict[str, B]:
    """`lists` over columns (`columns.<instant>` arrays of µs and `columns.mql`): a mask per list."""
    out: dict[str, B] = {}
    for name, (dated, mql_only) in HANDOFF_LISTS.items():
        mask = np.zeros(len(columns), dtype=bool)
        for column in dated:
            mask |= inside_vec(getattr(columns, column), start, end)
        out[name] = mask & columns.mql if mql_only else mask
    return out


def dated_inside_vec(columns: Any, start: int, end: int) -> B:
    """Per handoff: some dating instant is inside [start, end) — the handoffs a period reads."""
    mask = np.zeros(len(columns), dtype=bool)
    for column in DATED:
        mask |= inside_vec(getattr(columns, column), start, end)
    return mask


def sql_inside(columns: Sequence[str], mark: str) -> str:
    """The SQL condition "one of these instants is inside [start, end)"; binds start, end per column."""
    return " OR ".join(f"({c} >= {mark} AND {c} < {mark})" for c in columns)
