"""Leads as columns: a batch of leads' fields, one array per field, factorised once into codes and distinct
values, so every vectorised rule (conditions, fit, the gate's segments) computes each view of a field --
missing, casefolded, numeric, text, e-mail domain -- once per distinct value with the scalar module's own
helpers, and gathers the answers back to the leads. CRM fields repeat (a few hundred titles for a million
leads), so the Python work is per distinct value and the per-lead work is numpy.

``None`` or a blank string is a missing field, exactly as in ``conditions.evaluate_condition``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from leadpact.domain.conditions import as_number, email_domain, field_value, folded, is_missing

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Column = npt.NDArray[Any] | Sequence[Any]


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


def factorise(column: Column, n: int, what: str) -> tuple[I64, list[Any]]:
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


class FieldView:
    """One lead field of a batch: codes per lead, and views per distinct value (computed on first use)."""

    def __init__(self, codes: I64, uniques: list[Any]) -> None:
        self.codes = codes
        self.uniques = uniques

    @classmethod
    def absent(cls, n: int) -> FieldView:
        return cls(np.zeros(n, np.int64), [None])

    @cached_property
    def missing(self) -> Bools:
        return np.fromiter((is_missing(u) for u in self.uniques), np.bool_, len(self.uniques))

    @cached_property
    def is_str(self) -> Bools:
        return np.fromiter((isinstance(u, str) for u in self.uniques), np.bool_, len(self.uniques))

    @cached_property
    def norm(self) -> list[Any]:
        return [folded(u) for u in self.uniques]

    @cached_property
    def numbers(self) -> tuple[Bools, F64]:
        found = [as_number(u) for u in self.uniques]
        has = np.fromiter((x is not None for x in found), np.bool_, len(found))
        num = np.fromiter((np.nan if x is None else x for x in found), np.float64, len(found))
        return has, num

    @cached_property
    def text(self) -> list[str]:
        return [str(u) for u in self.uniques]

    @cached_property
    def domain(self) -> list[str | None]:
        return [email_domain(u) for u in self.uniques]


class LeadBatch:
    """Columns of ``n`` leads, with their per-batch views cached across rules and calls.

    ``email`` is the leads' own ``email`` field (what ``fit_score`` passes to ``email_domain_in`` for a
    field that holds no address); by default ``columns["email"]``.
    """

    def __init__(self, columns: Mapping[str, Column], n: int, *, email: Column | None = None) -> None:
        self.columns = columns
        self.n = n
        self._email = email if email is not None else columns.get("email")
        self._views: dict[str, FieldView] = {}
        self._email_view: FieldView | None = None

    def view(self, name: str) -> FieldView:
        found = self._views.get(name)
        if found is None:
            column = self.columns.get(name)
            found = (
                FieldView.absent(self.n) if column is None else FieldView(*factorise(column, self.n, name))
            )
            self._views[name] = found
        return found

    def email_view(self) -> FieldView:
        if self._email_view is None:
            if self._email is None:
                self._email_view = FieldView.absent(self.n)
            else:
                self._email_view = FieldView(*factorise(self._email, self.n, "email"))
        return self._email_view


def as_batch(columns: Mapping[str, Column] | LeadBatch, n: int | None, email: Column | None) -> LeadBatch:
    """The batch itself, or plain columns of ``n`` leads made one."""
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
