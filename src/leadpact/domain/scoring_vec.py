"""Fit, engagement and the MQL gate of :mod:`leadpact.domain.scoring` over batches of leads (same answers).

Leads come as columns, one array per lead field (``columns["employees"][i]`` is lead ``i``'s employees;
``None`` or a blank string is a missing field, exactly as in ``conditions.evaluate_condition``).
A column is factorised once per batch into codes and its distinct values; every view a condition needs
(missing, casefolded, numeric, text, e-mail domain) is computed once per distinct value with the scalar
module's own helpers and reused by every rule, and a rule's answer per distinct value is gathered back to
the leads. CRM fields repeat (a few hundred titles for a million leads), so the Python work is per
distinct value and the per-lead work is numpy.

Activities come as parallel arrays (``lead_index``, ``kind``, ``at_us`` in UTC microseconds, optional
``asset``/``campaign``/``channel``). A categorical array is either values (strings, ``None`` for none) or
a :class:`Coded` (integer codes into a list of names, a negative code for none), which is what a column
store hands out and the fastest input.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from leadpact.domain.conditions import (
    ConditionLike,
    _domain,
    _missing,
    _norm,
    _number,
    _regex,
    evaluate_condition,
    field_value,
)
from leadpact.domain.scoring import EngagementRuleLike, FitRuleLike

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Column = npt.NDArray[Any] | Sequence[Any]
Threshold = float | npt.NDArray[np.floating[Any]]

__all__ = [
    "Coded",
    "LeadBatch",
    "condition_vec",
    "engagement_vec",
    "fit_vec",
    "lead_columns",
    "segment_vec",
]

_DAY = 86400.0
_US = 1e6
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


# --- factorising ----------------------------------------------------------------------------------------


def _key(value: Any) -> Any:
    """A dict key under which two values are one only when every operator treats them alike.

    Plain ``==`` would merge True, 1 and 1.0 (``between`` tells True apart, ``matches`` reads "1.0") and
    0.0 with -0.0; a type-and-repr key keeps them apart. Other objects stand for themselves.
    """
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind in (int, float, bool):
        return (kind, repr(value))
    if isinstance(value, str):
        return (kind, str(value))
    return ("id", id(value))


_PLAIN_INT: frozenset[type] = frozenset({str, type(None), int})
_PLAIN_FLOAT: frozenset[type] = frozenset({str, type(None), float})


def _factorise(column: Column, n: int, what: str) -> tuple[I64, list[Any]]:
    """Codes (one per row) into the distinct values of the column, in first-seen order (or sorted)."""
    if isinstance(column, np.ndarray):
        if column.ndim != 1 or column.shape[0] != n:
            raise ValueError(f"{what}: expected {n} values in one dimension, got shape {column.shape}")
        if column.dtype.kind in "biuUS" or (
            column.dtype.kind == "f" and not bool(np.any(np.signbit(column) & (column == 0)))
        ):
            uniques, inverse = np.unique(column, return_inverse=True)
            return inverse.astype(np.int64).reshape(-1), uniques.tolist()
        values: list[Any] = column.tolist() if column.dtype == object else column.astype(object).tolist()
    else:
        values = list(column)
        if len(values) != n:
            raise ValueError(f"{what}: expected {n} values, got {len(values)}")
    try:
        types = set(map(type, values))  # of every value: a merged True hides behind the 1 seen first
        # text, None and ints never equal one another across types; floats only clash at 0.0 / -0.0
        if types <= _PLAIN_INT or (types <= _PLAIN_FLOAT and 0.0 not in values):
            seen = {v: i for i, v in enumerate(dict.fromkeys(values))}
            return np.fromiter(map(seen.__getitem__, values), np.int64, len(values)), list(seen)
    except TypeError:  # an unhashable value: key by identity below
        pass
    keyed: dict[Any, int] = {}
    uniques_list: list[Any] = []
    out = np.empty(len(values), np.int64)
    for i, v in enumerate(values):
        k = _key(v)
        code = keyed.get(k)
        if code is None:
            code = keyed[k] = len(uniques_list)
            uniques_list.append(v)
        out[i] = code
    return out, uniques_list


class _Column:
    """One lead field of a batch: codes per lead, and views per distinct value (computed on first use)."""

    def __init__(self, codes: I64, uniques: list[Any]) -> None:
        self.codes = codes
        self.uniques = uniques

    @classmethod
    def absent(cls, n: int) -> _Column:
        return cls(np.zeros(n, np.int64), [None])

    @cached_property
    def missing(self) -> Bools:
        return np.fromiter((_missing(u) for u in self.uniques), np.bool_, len(self.uniques))

    @cached_property
    def is_str(self) -> Bools:
        return np.fromiter((isinstance(u, str) for u in self.uniques), np.bool_, len(self.uniques))

    @cached_property
    def norm(self) -> list[Any]:
        return [_norm(u) for u in self.uniques]

    @cached_property
    def numbers(self) -> tuple[Bools, F64]:
        found = [_number(u) for u in self.uniques]
        has = np.fromiter((x is not None for x in found), np.bool_, len(found))
        num = np.fromiter((np.nan if x is None else x for x in found), np.float64, len(found))
        return has, num

    @cached_property
    def text(self) -> list[str]:
        return [str(u) for u in self.uniques]

    @cached_property
    def domain(self) -> list[str | None]:
        return [_domain(u) for u in self.uniques]


# --- leads ----------------------------------------------------------------------------------------------


class LeadBatch:
    """Columns of ``n`` leads, with their per-batch views cached across rules and calls.

    ``email`` is the leads' own ``email`` field (what ``fit_score`` passes to ``email_domain_in`` for a
    field that holds no address); by default ``columns["email"]``.
    """

    def __init__(self, columns: Mapping[str, Column], n: int, *, email: Column | None = None) -> None:
        self.columns = columns
        self.n = n
        self._email = email if email is not None else columns.get("email")
        self._views: dict[str, _Column] = {}
        self._email_view: _Column | None = None

    def view(self, name: str) -> _Column:
        found = self._views.get(name)
        if found is None:
            column = self.columns.get(name)
            found = _Column.absent(self.n) if column is None else _Column(*_factorise(column, self.n, name))
            self._views[name] = found
        return found

    def email_view(self) -> _Column:
        if self._email_view is None:
            if self._email is None:
                self._email_view = _Column.absent(self.n)
            else:
                self._email_view = _Column(*_factorise(self._email, self.n, "email"))
        return self._email_view


def _batch(columns: Mapping[str, Column] | LeadBatch, n: int | None, email: Column | None) -> LeadBatch:
    if isinstance(columns, LeadBatch):
        if n is not None and n != columns.n:
            raise ValueError(f"n={n} but the batch holds {columns.n} leads")
        return columns
    if n is None:
        raise ValueError("n (the number of leads) is required with plain columns")
    return LeadBatch(columns, n, email=email)


def lead_columns(leads: Sequence[Mapping[str, Any]], names: Iterable[str]) -> dict[str, npt.NDArray[Any]]:
    """Object columns of the named fields (read as ``field_value`` reads them), plus ``email`` as
    ``fit_score`` reads it for ``email_domain_in``, under the key ``email`` when no rule names it."""
    out: dict[str, npt.NDArray[Any]] = {}
    for name in dict.fromkeys(names):
        column = np.empty(len(leads), dtype=object)
        column[:] = [field_value(lead, name) for lead in leads]
        out[name] = column
    if "email" not in out:
        column = np.empty(len(leads), dtype=object)
        column[:] = [lead.get("email") for lead in leads]
        out["email"] = column
    return out


def _member(values: list[Any], targets: list[Any]) -> Bools:
    """``any(v == t for t in targets)`` per value (``in`` over a set, minus targets unequal to themselves)."""
    try:
        wanted = {t for t in targets if t == t}
        return np.fromiter((v in wanted for v in values), np.bool_, len(values))
    except TypeError:  # an unhashable value or target
        return np.fromiter((any(bool(v == t) for t in targets) for v in values), np.bool_, len(values))


def _numbers_in(col: _Column, targets: Sequence[Any]) -> Bools:
    has, num = col.numbers
    wanted = [x for x in (_number(t) for t in targets) if x is not None]
    if not wanted:
        return np.zeros(len(col.uniques), np.bool_)
    return has & np.isin(num, np.asarray(wanted, np.float64))


def _table(col: _Column, op: str, value: Any) -> Bools:
    """``evaluate_condition(op, u, value)`` per distinct value ``u`` of the column (not email_domain_in)."""
    if op == "exists":
        return ~col.missing
    present = ~col.missing
    size = len(col.uniques)
    if not bool(present.any()):
        return np.full(size, op in ("ne", "not_in"))
    if op in ("eq", "ne"):
        found = _member(col.norm, [_norm(value)]) | _numbers_in(col, [value])
        table = found if op == "eq" else ~found
    elif op in ("in", "not_in"):
        targets = list(value or [])
        found = _member(col.norm, [_norm(v) for v in targets]) | _numbers_in(col, targets)
        table = found if op == "in" else ~found
    elif op == "between":
        low, high = value
        lo, hi = _number(low), _number(high)
        has, num = col.numbers
        table = np.zeros(size, np.bool_)
        if lo is not None and hi is not None:
            table = has & (lo <= num) & (num <= hi)
    elif op in _COMPARE:
        compare = _COMPARE[op]
        has, num = col.numbers
        right = _number(value)
        numeric = has if right is not None else np.zeros(size, np.bool_)
        table = np.zeros(size, np.bool_)
        if right is not None:
            table[numeric] = compare(num[numeric], right)
        if isinstance(value, str) and right is None:
            y = _norm(value)
            for k in np.flatnonzero(~has & col.is_str & present).tolist():
                table[k] = bool(compare(col.norm[k], y))
    elif op == "matches":
        search = _regex(str(value)).search
        table = np.zeros(size, np.bool_)
        for k in np.flatnonzero(present).tolist():
            table[k] = search(col.text[k]) is not None
    else:  # an unknown operator: the scalar raises (ValueError) for the first lead with a value
        evaluate_condition(op, col.uniques[int(np.flatnonzero(present)[0])], value)
        raise ValueError(f"unknown operator {op!r}")
    result: Bools = np.where(col.missing, op in ("ne", "not_in"), table)
    return result


def condition_vec(
    field: str,
    op: str,
    value: Any,
    columns: Mapping[str, Column] | LeadBatch,
    n: int | None = None,
    *,
    email: Column | None = None,
) -> Bools:
    """``evaluate_condition(op, field_value(lead, field), value, email=lead's email)`` for every lead."""
    batch = _batch(columns, n, email)
    if batch.n == 0:
        return np.zeros(0, np.bool_)
    col = batch.view(field)
    if op == "email_domain_in":
        wanted = {_norm(v) for v in (value or [])}
        own = col.domain
        has_own = np.fromiter((bool(d) for d in own), np.bool_, len(own))
        own_in = np.fromiter((d in wanted for d in own), np.bool_, len(own))
        mail = batch.email_view()
        theirs = mail.domain
        mail_in = np.fromiter((d is not None and d in wanted for d in theirs), np.bool_, len(theirs))
        by_own: Bools = np.where(has_own[col.codes], own_in[col.codes], mail_in[mail.codes])
        return by_own
    gathered: Bools = _table(col, op, value)[col.codes]
    return gathered


def fit_vec(
    rules: Sequence[FitRuleLike],
    columns: Mapping[str, Column] | LeadBatch,
    n: int | None = None,
    *,
    email: Column | None = None,
) -> F64:
    """``fit_score(rules, lead)[0]`` for every lead: each matching rule adds its points once."""
    batch = _batch(columns, n, email)
    total = np.zeros(batch.n, np.float64)
    if batch.n == 0:
        return total
    for rule in rules:
        hit = condition_vec(rule.field, rule.op, rule.value, batch)
        np.add(total, rule.points, out=total, where=hit)
    return total


def segment_vec(
    segments: Sequence[tuple[str, ConditionLike | None]],
    columns: Mapping[str, Column] | LeadBatch,
    n: int | None = None,
    *,
    email: Column | None = None,
) -> I64:
    """Per lead, the index in ``segments`` of the first whose condition holds (None: every lead), else -1."""
    batch = _batch(columns, n, email)
    out = np.full(batch.n, -1, np.int64)
    for index, (_, when) in enumerate(segments):
        undecided = out < 0
        if not bool(undecided.any()):
            break
        hit = undecided if when is None else undecided & condition_vec(when.field, when.op, when.value, batch)
        out[hit] = index
    return out


# --- activities -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coded:
    """A categorical array: ``names[codes[i]]``; a negative code means no value (None)."""

    codes: npt.NDArray[np.integer[Any]]
    names: Sequence[str | None]

    def equals(self, name: str) -> Bools:
        """Where the value is ``name`` (exact, as ``matches_activity`` compares)."""
        hits = [i for i, candidate in enumerate(self.names) if candidate == name]
        if not hits:
            return np.zeros(self.codes.shape[0], np.bool_)
        if len(hits) == 1:
            one: Bools = self.codes == hits[0]
            return one
        many: Bools = np.isin(self.codes, hits)
        return many


Labels = Coded | npt.NDArray[Any] | Sequence[Any]


def _coded(labels: Labels | None, m: int, what: str) -> Coded | None:
    if labels is None:
        return None
    if isinstance(labels, Coded):
        if labels.codes.ndim != 1 or labels.codes.shape[0] != m:
            raise ValueError(f"{what}: expected {m} codes, got shape {labels.codes.shape}")
        return labels
    if isinstance(labels, np.ndarray) and labels.dtype.kind in "iu":
        raise TypeError(f"{what}: integer codes need their names; pass Coded(codes, names)")
    codes, uniques = _factorise(labels, m, what)
    return Coded(codes, uniques)


def _instants(values: npt.NDArray[Any] | Sequence[int], what: str) -> I64:
    array = np.asarray(values)
    if array.dtype.kind == "M":
        array = array.astype("datetime64[us]").view(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{what}: expected int64 microseconds or datetime64, got {array.dtype}")
    out: I64 = array.astype(np.int64, copy=False)
    return out


def engagement_vec(
    rules: Sequence[EngagementRuleLike],
    half_life_days: float,
    lead_index: npt.NDArray[np.integer[Any]] | Sequence[int],
    kind: Labels,
    at_us: npt.NDArray[Any] | Sequence[int],
    *,
    asset: Labels | None = None,
    campaign: Labels | None = None,
    channel: Labels | None = None,
    as_of_us: int | npt.NDArray[Any],
    n_leads: int,
) -> F64:
    """``engagement_score(rules, half_life_days, lead's activities, as_of)[0]`` for every lead.

    Activity ``j`` belongs to lead ``lead_index[j]`` (0 <= index < n_leads) and happened at ``at_us[j]``
    (UTC microseconds, or datetime64). ``as_of_us`` is one instant or one per lead. A rule's part of a lead's
    score is min(max, the sum over its matching activities at or before as_of, and no older than window_days,
    of points * 0.5 ** (age_days / half_life)); the score is the sum of the parts (DESIGN.md §3).
    Omitted asset/campaign/channel arrays mean no activity has one (a rule filtering on it matches none).
    """
    lead = np.asarray(lead_index)  # any integer type: only the selected rows are widened, by bincount
    if lead.dtype.kind not in "iu" and lead.size:
        raise TypeError(f"lead_index: expected integers, got {lead.dtype}")
    if lead.dtype == np.uint64:  # bincount will not take it
        lead = lead.astype(np.int64)
    at = _instants(at_us, "at_us")
    m = lead.shape[0]
    if lead.ndim != 1 or at.shape != (m,):
        raise ValueError(f"lead_index and at_us: one dimension, one length (got {lead.shape}, {at.shape})")
    if m and (int(lead.min()) < 0 or int(lead.max()) >= n_leads):
        raise ValueError(f"lead_index out of range [0, {n_leads})")
    as_of = _instants(np.asarray(as_of_us), "as_of_us")
    as_of_one = int(as_of) if as_of.ndim == 0 else None
    if as_of_one is None and as_of.shape != (n_leads,):
        raise ValueError(f"as_of_us: expected one instant or {n_leads}, got shape {as_of.shape}")
    kinds = _coded(kind, m, "kind")
    assert kinds is not None
    filters = {
        "asset": _coded(asset, m, "asset"),
        "campaign": _coded(campaign, m, "campaign"),
        "channel": _coded(channel, m, "channel"),
    }
    total = np.zeros(n_leads, np.float64)
    for rule in rules:
        selected = kinds.equals(rule.kind)
        for name, labels in filters.items():
            wanted = getattr(rule, name)
            if wanted is None:
                continue
            if labels is None:
                selected[:] = False
            else:
                selected &= labels.equals(wanted)
        idx = np.flatnonzero(selected)
        if idx.size == 0:
            continue
        who = lead[idx]
        age_us = (as_of[who] if as_of_one is None else as_of_one) - at[idx]
        keep = age_us >= 0
        if not bool(keep.all()):
            who, age_us = who[keep], age_us[keep]
        age_days = age_us / _US / _DAY
        if rule.window_days is not None:
            inside = age_days <= rule.window_days
            if not bool(inside.all()):
                who, age_days = who[inside], age_days[inside]
        if who.size == 0:
            continue
        half_life = rule.half_life_days if rule.half_life_days is not None else half_life_days
        points = rule.points * np.power(0.5, age_days / half_life)
        sums = np.bincount(who, weights=points, minlength=n_leads)
        if rule.max is not None:
            counts = np.bincount(who, minlength=n_leads)
            sums = np.where(counts > 0, np.minimum(rule.max, sums), 0.0)
        total += sums
    return total
