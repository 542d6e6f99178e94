"""Conditions compiled once: ``compile_condition`` turns a pact condition into a closure that answers exactly
what :func:`~leadpact.domain.conditions.evaluate_condition` says (the one meaning of every operator), with
the rule's value normalised once, so routing tests each lead against its rules at full speed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from leadpact.domain.conditions import (
    ORDERINGS,
    ConditionLike,
    as_number,
    compiled,
    email_domain,
    evaluate_condition,
    field_value,
    folded,
    is_missing,
)

#: ``test(fields, email)``: whether a lead's fields (and its e-mail) meet the condition
Test = Callable[[Mapping[str, Any], str | None], bool]

_ABSENT: Any = object()
_PLAIN = (str, int, float, bool)
_TEXT_NUMBERS: dict[str, float | None] = {}  # memo of conditions.as_number on text (bounded)


def _text_number(text: str) -> float | None:
    n = _TEXT_NUMBERS.get(text, _ABSENT)
    if n is _ABSENT:
        if len(_TEXT_NUMBERS) >= 65_536:
            _TEXT_NUMBERS.clear()
        n = _TEXT_NUMBERS[text] = as_number(text)
    return n  # type: ignore[no-any-return]


def _membership(name: str, op: str, value: Any) -> Test | None:
    """eq / ne / in / not_in as set lookups of the normalised value and of its number."""
    values = (value,) if op in ("eq", "ne") else tuple(value or ())
    if not all(x is None or type(x) in _PLAIN for x in values):
        return None
    norms = frozenset(n for n in (folded(x) for x in values) if n == n)  # NaN equals nothing
    nums = frozenset(n for n in (as_number(x) for x in values) if n is not None and n == n)
    negate = op in ("ne", "not_in")

    def member(fields: Mapping[str, Any], email: str | None) -> bool:
        v = fields.get(name, _ABSENT)
        if v is _ABSENT:
            v = field_value(fields, name)
        t = type(v)
        if t is str:
            s = v.strip()
            if not s:
                return negate
            if s.casefold() in norms:
                return not negate
            return (bool(nums) and _text_number(v) in nums) != negate
        if v is None:
            return negate
        if t is int or t is float:
            return (v in norms or float(v) in nums) != negate
        if t is bool:
            return (v in norms) != negate
        return evaluate_condition(op, v, value, email=email)

    return member


def _ordering(name: str, op: str, value: Any) -> Test:
    """>= <= > <: numbers against a number, else text against text; a number never meets text."""
    cmp = ORDERINGS[op]
    b = as_number(value)
    text = folded(value) if b is None and isinstance(value, str) else None

    def compare(fields: Mapping[str, Any], email: str | None) -> bool:
        v = fields.get(name, _ABSENT)
        if v is _ABSENT:
            v = field_value(fields, name)
        t = type(v)
        if t is str:
            if not v.strip():
                return False
            a = _text_number(v)
            if b is not None:
                return a is not None and cmp(a, b)
            return a is None and text is not None and cmp(v.strip().casefold(), text)
        if t is int or t is float:
            return b is not None and cmp(float(v), b)
        if v is None or t is bool:
            return False
        return evaluate_condition(op, v, value, email=email)

    return compare


def _between(name: str, value: Any) -> Test:
    low, high = value
    lo, hi = as_number(low), as_number(high)

    def between(fields: Mapping[str, Any], email: str | None) -> bool:
        if lo is None or hi is None:
            return False
        v = fields.get(name, _ABSENT)
        if v is _ABSENT:
            v = field_value(fields, name)
        t = type(v)
        if t is str:
            x = _text_number(v)
            return x is not None and lo <= x <= hi
        if t is int or t is float:
            return lo <= float(v) <= hi
        if v is None or t is bool:
            return False
        return evaluate_condition("between", v, value, email=email)

    return between


def _matches(name: str, value: Any) -> Test:
    search = compiled(str(value)).search

    def matches(fields: Mapping[str, Any], email: str | None) -> bool:
        v = fields.get(name, _ABSENT)
        if v is _ABSENT:
            v = field_value(fields, name)
        if v is None or (type(v) is str and not v.strip()):
            return False
        return search(str(v)) is not None

    return matches


def _exists(name: str) -> Test:
    def exists(fields: Mapping[str, Any], email: str | None) -> bool:
        v = fields.get(name, _ABSENT)
        if v is _ABSENT:
            v = field_value(fields, name)
        return not is_missing(v)

    return exists


def _email_domain_in(name: str, value: Any) -> Test:
    domains = frozenset(folded(v) for v in (value or []))

    def email_domain_in(fields: Mapping[str, Any], email: str | None) -> bool:
        v = fields.get(name, _ABSENT)
        if v is _ABSENT:
            v = field_value(fields, name)
        domain = email_domain(v) or email_domain(email)
        return domain is not None and domain in domains

    return email_domain_in


def compile_condition(cond: ConditionLike) -> Test:
    """``test(fields, email)``, always equal to ``evaluate_condition(op, field_value(fields, field), value,
    email=email)`` (the one meaning of every operator), with the rule's value normalised once: one
    closure per operator; a field value other than str/int/float/bool, or a rule value the fast forms do
    not cover, goes to evaluate_condition itself."""
    name, op, value = cond.field, cond.op, cond.value

    def generic(fields: Mapping[str, Any], email: str | None) -> bool:
        return evaluate_condition(op, field_value(fields, name), value, email=email)

    try:
        if op in ("eq", "ne", "in", "not_in"):
            return _membership(name, op, value) or generic
        if op in ORDERINGS:
            return _ordering(name, op, value)
        if op == "between":
            return _between(name, value)
        if op == "matches":
            return _matches(name, value)
        if op == "exists":
            return _exists(name)
        if op == "email_domain_in":
            return _email_domain_in(name, value)
    except (TypeError, ValueError, re.error):  # a malformed value: evaluate_condition says what it says
        pass
    return generic
