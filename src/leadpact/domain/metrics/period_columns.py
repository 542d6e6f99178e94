"""The rows a period's metrics read, as columns, in one canonical order; and how the columns of whole months
make those of any period.

A period's rows (DESIGN.md §5, each metric by its "dated by" column) are

- the **handoffs** with at least one dating column (``domain.dating.DATED``) inside the period,
- the first-contact and disposition **clocks** due inside the period (with their handoff's source and
  campaign),
- the **activities** attribution reads: those of the leads with an opportunity or customer instant inside
  the period, at or before the latest such instant of the lead (attribution never looks further).

Each is sorted one canonical way (handoffs by lead and cycle, clocks by lead, cycle and kind, activities by
event sequence), so the same rows always give the same columns and the same document, bit for bit.

``restrict`` keeps what a narrower period reads and ``combine`` joins the columns of several periods (a row
in two of them once), so that for any period P and the months M₁..Mₖ it touches::

    restrict(combine([read(M₁), ..., read(Mₖ)]), P) == read(P)

which is what lets a store keep a month's columns (``services.packs``) and answer any period from them.
Pure: numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, fields
from operator import itemgetter
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from leadpact.domain import dating
from leadpact.domain.metrics.columns import ActivityColumns, ClockColumns, Codes, HandoffColumns

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class PeriodColumns:
    """A period's handoffs, clocks and attribution activities (``seq``: each activity's event sequence)."""

    handoffs: HandoffColumns
    clocks: ClockColumns
    activities: ActivityColumns
    activity_seq: I64


T = TypeVar("T", HandoffColumns, ClockColumns, ActivityColumns)


def concat_codes(parts: Sequence[Codes]) -> Codes:
    """One string column from several, names in order of first appearance across the parts."""
    names: dict[str, int] = {}
    out: list[I64] = []
    for part in parts:
        table = np.asarray([names.setdefault(n, len(names)) for n in part.names] + [-1], dtype=np.int64)
        out.append(table[part.codes])
    codes = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
    return Codes(codes.astype(np.int64), tuple(names))


def take(columns: T, index: I64) -> T:
    """The rows ``index`` (positions, in that order) of a column set (itself when that is all of them, in
    order)."""
    size = int(getattr(columns, "at" if isinstance(columns, ActivityColumns) else "n").size)
    if index.size == size and (size == 0 or bool((index == np.arange(size)).all())):
        return columns
    values: dict[str, Any] = {}
    positions = index.tolist()
    for f in fields(columns):
        v = getattr(columns, f.name)
        if isinstance(v, Codes):
            values[f.name] = Codes(v.codes[index], v.names)
        elif isinstance(v, np.ndarray):
            values[f.name] = v[index]
        else:
            values[f.name] = (
                list(itemgetter(*positions)(v)) if len(positions) > 1 else [v[i] for i in positions]
            )
    return type(columns)(**values)


def concat(parts: Sequence[T]) -> T:
    """The rows of several column sets of one kind, one after the other."""
    first = parts[0]
    values: dict[str, Any] = {}
    for f in fields(first):
        vs = [getattr(p, f.name) for p in parts]
        if isinstance(vs[0], Codes):
            values[f.name] = concat_codes(vs)
        elif isinstance(vs[0], np.ndarray):
            values[f.name] = np.concatenate(vs)
        else:
            values[f.name] = [x for v in vs for x in v]
    return type(first)(**values)


def _strings(values: Sequence[str]) -> npt.NDArray[np.str_]:
    return np.asarray(values if len(values) else [""][:0], dtype=np.str_)


def _unique_sorted(keys: Sequence[npt.NDArray[Any]], size: int) -> I64:
    """Positions sorting the rows by ``keys`` (most significant first), each distinct key once (its first
    row)."""
    if not size:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(tuple(reversed(keys))).astype(np.int64)
    ordered = [k[order] for k in keys]
    new = np.ones(size, dtype=bool)
    same = np.ones(size - 1, dtype=bool)
    for k in ordered:
        same &= k[1:] == k[:-1]
    new[1:] = ~same
    out: I64 = order[new]
    return out


def canonical(pc: PeriodColumns) -> PeriodColumns:
    """The rows in canonical order, each once: handoffs by (lead, cycle), clocks by (lead, cycle, kind),
    activities by event sequence."""
    h, c = pc.handoffs, pc.clocks
    h_order = _unique_sorted([_strings(h.lead_id), h.n], len(h))
    c_order = _unique_sorted([_strings(c.lead_id), c.n, ~c.first_contact], len(c))
    a_order = _unique_sorted([pc.activity_seq], int(pc.activity_seq.size))
    return PeriodColumns(
        take(h, h_order), take(c, c_order), take(pc.activities, a_order), pc.activity_seq[a_order]
    )


def attribution_horizon(h: HandoffColumns, start: int, end: int) -> dict[str, int]:
    """Per lead with an opportunity or customer instant in [start, end): the latest such instant (µs)."""
    out: dict[str, int] = {}
    for at in (h.opportunity_at, h.customer_at):
        for i in np.flatnonzero((at >= start) & (at < end)).tolist():
            lead, value = h.lead_id[i], int(at[i])
            if value > out.get(lead, -1):
                out[lead] = value
    return out


def restrict(pc: PeriodColumns, start: int, end: int) -> PeriodColumns:
    """What the period [start, end) (µs) reads of these rows (see the module's doc)."""
    h, c, a = pc.handoffs, pc.clocks, pc.activities
    keep_h = np.flatnonzero(dating.dated_inside_vec(h, start, end)).astype(np.int64)
    keep_c = np.flatnonzero(dating.inside_vec(c.due_at, start, end)).astype(np.int64)
    horizon = attribution_horizon(h, start, end)
    limit = np.asarray([horizon.get(name, -1) for name in a.lead.names] + [-1], dtype=np.int64)
    keep_a = np.flatnonzero(a.at <= limit[a.lead.codes]).astype(np.int64)
    return PeriodColumns(take(h, keep_h), take(c, keep_c), take(a, keep_a), pc.activity_seq[keep_a])


def combine(parts: Sequence[PeriodColumns]) -> PeriodColumns:
    """The rows of several periods' columns, each once, in canonical order."""
    if len(parts) == 1:
        return parts[0]
    return canonical(
        PeriodColumns(
            concat([p.handoffs for p in parts]),
            concat([p.clocks for p in parts]),
            concat([p.activities for p in parts]),
            np.concatenate([p.activity_seq for p in parts]),
        )
    )


def patch(pc: PeriodColumns, leads: AbstractSet[str], fresh: PeriodColumns) -> PeriodColumns:
    """These columns with the rows of `leads` replaced by `fresh` (those leads' rows read again)."""
    h, c, a = pc.handoffs, pc.clocks, pc.activities
    keep_h = np.asarray([lead not in leads for lead in h.lead_id], dtype=bool)
    keep_c = np.asarray([lead not in leads for lead in c.lead_id], dtype=bool)
    names = np.asarray([name not in leads for name in a.lead.names] + [True], dtype=bool)
    keep_a = names[a.lead.codes]

    def at(mask: B) -> I64:
        out: I64 = np.flatnonzero(mask).astype(np.int64)
        return out

    kept = PeriodColumns(
        take(h, at(keep_h)), take(c, at(keep_c)), take(a, at(keep_a)), pc.activity_seq[keep_a]
    )
    return combine([kept, fresh])
