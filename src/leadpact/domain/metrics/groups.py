"""The arithmetic of the breakdowns over columns: counts and sums per group code (``bincount``), and the
median, mean and p90 of each group's values by one sort and index arithmetic (numpy's own interpolation,
so they equal :func:`leadpact.domain.metrics.reference.summary` of each group).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from leadpact.domain.metrics.columns import F64, I64, B


def count_by(g: I64, mask: B, size: int) -> I64:
    out: I64 = np.bincount(g[mask], minlength=size)[:size]
    return out


def sum_by(g: I64, mask: B, weights: F64 | I64, size: int) -> F64:
    out: F64 = np.bincount(g[mask], weights=weights[mask], minlength=size)[:size].astype(np.float64)
    return out


@dataclass(frozen=True)
class Values:
    """Values to summarise per group, sorted once (each grouping then only sorts group ids)."""

    values: F64
    order: I64  # argsort of the values
    ordered: F64

    @staticmethod
    def of(values: F64) -> Values:
        order = np.argsort(values, kind="stable").astype(np.int64)
        return Values(values, order, values[order])


def _group_sort(g: I64, size: int) -> I64:
    """A stable argsort of group ids (a radix sort on small integer types)."""
    small = g.astype(np.int16) if size < 32_000 else g
    out: I64 = np.argsort(small, kind="stable").astype(np.int64)
    return out


def summaries(g: I64, v: Values, size: int) -> list[dict[str, float | None]]:
    """``reference.summary`` of each group's values (``g``: the group of each value): median, mean, p90
    (numpy's linear interpolation, with numpy's own arithmetic)."""
    empty: dict[str, float | None] = {"median": None, "mean": None, "p90": None}
    if not v.values.size:
        return [dict(empty) for _ in range(size)]
    counts = np.bincount(g, minlength=size)[:size]
    grouped = v.ordered[_group_sort(g[v.order], size)]  # by group, then by value
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sums = np.bincount(g, weights=v.values, minlength=size)[:size]
    has = counts > 0
    n = np.where(has, counts, 1)
    last = grouped.size - 1

    def at(i: I64) -> F64:
        out: F64 = grouped[np.minimum(starts + i, last)]
        return out

    lo, hi = at((n - 1) // 2), at(n // 2)
    median = np.where(n % 2 == 1, lo, (lo + hi) / 2)
    virtual = (n - 1) * (np.asarray(90) / 100)
    prev = np.floor(virtual)
    above = virtual >= n - 1
    a = at(np.where(above, n - 1, prev).astype(np.int64))
    b = at(np.where(above, n - 1, prev + 1).astype(np.int64))
    gamma = virtual - prev
    diff = b - a
    p90 = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    mean = sums / n
    out: list[dict[str, float | None]] = []
    for k, (m, avg, p) in enumerate(zip(median.tolist(), mean.tolist(), p90.tolist(), strict=True)):
        out.append({"median": m, "mean": avg, "p90": p} if has[k] else dict(empty))
    return out


def medians_by(g: I64, values: F64, size: int) -> list[float | None]:
    return [s["median"] for s in summaries(g, Values.of(values), size)]


@dataclass(frozen=True)
class Patterns:
    """Boolean masks over the same rows, counted per group at once: each row's combination of masks is a
    pattern; a grouping counts (group, pattern) pairs once and multiplies by the patterns' masks."""

    names: tuple[str, ...]
    pattern: I64  # per row
    table: I64  # patterns x masks, 0/1

    @staticmethod
    def of(masks: Mapping[str, B], rows: int) -> Patterns:
        names = tuple(masks)
        bits = np.zeros(rows, dtype=np.int64)
        for k, name in enumerate(names):
            bits |= masks[name].astype(np.int64) << k
        if len(names) <= 20:  # few masks: the patterns by a lookup table, no sort
            unique = np.flatnonzero(np.bincount(bits, minlength=1 << len(names))).astype(np.int64)
            lookup = np.zeros(1 << len(names), dtype=np.int64)
            lookup[unique] = np.arange(unique.size)
            pattern = lookup[bits]
        else:
            unique, pattern = np.unique(bits, return_inverse=True)
        table = ((unique[:, None] >> np.arange(len(names))) & 1).astype(np.int64)
        return Patterns(names, pattern.reshape(-1).astype(np.int64), table)

    def counts(self, g: I64, size: int) -> dict[str, list[int]]:
        p = self.table.shape[0]
        pairs = np.bincount(g * p + self.pattern, minlength=size * p)[: size * p].reshape(size, p)
        totals = pairs @ self.table  # size x masks
        return {name: totals[:, k].tolist() for k, name in enumerate(self.names)}


@dataclass(frozen=True)
class Groups:
    """One breakdown: each handoff row's and clock's group (0..size-1; ``size`` itself: in no group)."""

    size: int
    handoff: I64
    clock: I64
