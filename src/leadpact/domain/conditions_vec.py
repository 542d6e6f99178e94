"""Conditions (:mod:`leadpact.domain.conditions`) over a batch of leads: ``evaluate_condition`` of one field,
operator and value for every lead, answered once per distinct value of the field and gathered back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from leadpact.domain.conditions import ORDERINGS, as_number, compiled, evaluate_condition, folded
from leadpact.domain.lead_columns import Bools, Column, FieldView, LeadBatch, as_batch


def _member(values: list[Any], targets: list[Any]) -> Bools:
    """``any(v == t for t in targets)`` per value (``in`` over a set, minus targets unequal to themselves)."""
    try:
        wanted = {t for t in targets if t == t}
        return np.fromiter((v in wanted for v in values), np.bool_, len(values))
    except TypeError:  # an unhashable value or target
        return np.fromiter((any(bool(v == t) for t in targets) for v in values), np.bool_, len(values))


def _numbers_in(col: FieldView, targets: Sequence[Any]) -> Bools:
    has, num = col.numbers
    wanted = [x for x in (as_number(t) for t in targets) if x is not None]
    if not wanted:
        return np.zeros(len(col.uniques), np.bool_)
    return has & np.isin(num, np.asarray(wanted, np.float64))


def _table(col: FieldView, op: str, value: Any) -> Bools:
    """``evaluate_condition(op, u, value)`` per distinct value ``u`` of the column (not email_domain_in)."""
    if op == "exists":
        return ~col.missing
    present = ~col.missing
    size = len(col.uniques)
    if not bool(present.any()):
        return np.full(size, op in ("ne", "not_in"))
    if op in ("eq", "ne"):
        found = _member(col.norm, [folded(value)]) | _numbers_in(col, [value])
        table = found if op == "eq" else ~found
    elif op in ("in", "not_in"):
        targets = list(value or [])
        found = _member(col.norm, [folded(v) for v in targets]) | _numbers_in(col, targets)
        table = found if op == "in" else ~found
    elif op == "between":
        low, high = value
        lo, hi = as_number(low), as_number(high)
        has, num = col.numbers
        table = np.zeros(size, np.bool_)
        if lo is not None and hi is not None:
            table = has & (lo <= num) & (num <= hi)
    elif op in ORDERINGS:
        compare = ORDERINGS[op]
        has, num = col.numbers
        right = as_number(value)
        numeric = has if right is not None else np.zeros(size, np.bool_)
        table = np.zeros(size, np.bool_)
        if right is not None:
            table[numeric] = compare(num[numeric], right)
        if isinstance(value, str) and right is None:
            y = folded(value)
            for k in np.flatnonzero(~has & col.is_str & present).tolist():
                table[k] = bool(compare(col.norm[k], y))
    elif op == "matches":
        search = compiled(str(value)).search
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
    batch = as_batch(columns, n, email)
    if batch.n == 0:
        return np.zeros(0, np.bool_)
    col = batch.view(field)
    if op == "email_domain_in":
        wanted = {folded(v) for v in (value or [])}
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
