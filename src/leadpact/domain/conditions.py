"""One evaluator for every `{field, op, value}` condition: fit rules, segments, routing rules.

Strings compare case-insensitively (CRMs disagree on "Marketing" vs "marketing"); a missing field
matches only `ne` and `not_in` (it is not equal to anything) and never a comparison.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Protocol


class ConditionLike(Protocol):
    """A `{field, op, value}` condition as the pact's models hold it (fit rules add points)."""

    @property
    def field(self) -> str: ...
    @property
    def op(self) -> str: ...
    @property
    def value(self) -> Any: ...


OPS = ("eq", "ne", "in", "not_in", "between", ">=", "<=", ">", "<", "exists", "email_domain_in", "matches")


def field_value(fields: Mapping[str, Any], name: str) -> Any:
    """A lead field by name; `attributes.x` (or a bare `x` found only in attributes) reads an attribute."""
    if name in fields:
        return fields[name]
    attributes = fields.get("attributes")
    if isinstance(attributes, Mapping):
        key = name.removeprefix("attributes.")
        return attributes.get(key)
    return None


def is_missing(value: Any) -> bool:
    """None or blank text: a field the lead does not have."""
    return value is None or (isinstance(value, str) and value.strip() == "")


def folded(value: Any) -> Any:
    """Text stripped and casefolded (conditions compare text case-insensitively); any other value as is."""
    return value.strip().casefold() if isinstance(value, str) else value


def as_number(value: Any) -> float | None:
    """The value as a number: ints and floats, and text that reads as one ("1,200"); never a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _text_number(value)
    return None


@lru_cache(maxsize=65536)
def _text_number(value: str) -> float | None:
    try:
        return float(value.replace(",", "").strip())
    except ValueError:
        return None


def _choices(values: tuple[Any, ...]) -> tuple[frozenset[Any], frozenset[float]]:
    """A rule's list, normalised once: its casefolded values and the numbers among them. Cached by value
    and type, since (False, "x") == (0, "x") for a plain tuple key."""
    return _choices_typed(tuple((type(v), v) for v in values))


@lru_cache(maxsize=4096)
def _choices_typed(typed: tuple[tuple[type, Any], ...]) -> tuple[frozenset[Any], frozenset[float]]:
    values = tuple(v for _t, v in typed)
    numbers = frozenset(n for n in (as_number(v) for v in values) if n is not None and n == n)
    return frozenset(folded(v) for v in values), numbers


def _in(field_value: Any, values: Any) -> bool:
    if isinstance(field_value, float) and field_value != field_value:
        return False  # NaN equals nothing, not even itself
    try:
        normed, numbers = _choices(tuple(values or ()))
    except TypeError:  # unhashable members: compare one by one
        return any(folded(field_value) == folded(v) or _numbers_equal(field_value, v) for v in (values or []))
    key = folded(field_value)
    try:
        if key in normed:
            return True
    except TypeError:
        pass
    number = as_number(field_value)
    return number is not None and number in numbers


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> re.Pattern[str]:
    """The compiled regex of a `matches` condition (cached)."""
    return re.compile(pattern)


def email_domain(email: Any) -> str | None:
    """The casefolded domain of an e-mail address, or None when the value holds no address."""
    if isinstance(email, str) and "@" in email:
        return email.rsplit("@", 1)[1].strip().casefold()
    return None


#: the ordering operators of a condition, as functions (the vectorised and compiled forms use them)
ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def _compare(op: str, left: Any, right: Any) -> bool:
    a, b = as_number(left), as_number(right)
    if a is not None and b is not None:
        pair: tuple[Any, Any] = (a, b)
    elif a is None and b is None and isinstance(left, str) and isinstance(right, str):
        pair = (folded(left), folded(right))  # text against text (e.g. ISO dates); a number never meets text
    else:
        return False
    x, y = pair
    if op == ">=":
        return bool(x >= y)
    if op == "<=":
        return bool(x <= y)
    if op == ">":
        return bool(x > y)
    return bool(x < y)


def evaluate_condition(op: str, field_value: Any, value: Any, *, email: str | None = None) -> bool:
    """Whether `field_value op value` holds; `email` serves `email_domain_in` for a non-email field."""
    if op == "exists":
        return not is_missing(field_value)
    if op == "email_domain_in":
        domain = email_domain(field_value) or email_domain(email)
        return domain is not None and domain in _choices(tuple(value or ()))[0]
    if is_missing(field_value):
        return op in ("ne", "not_in")
    if op == "eq":
        return bool(folded(field_value) == folded(value)) or _numbers_equal(field_value, value)
    if op == "ne":
        return not (bool(folded(field_value) == folded(value)) or _numbers_equal(field_value, value))
    if op in ("in", "not_in"):
        found = _in(field_value, value)
        return found if op == "in" else not found
    if op == "between":
        low, high = value
        x = as_number(field_value)
        lo, hi = as_number(low), as_number(high)
        return x is not None and lo is not None and hi is not None and lo <= x <= hi
    if op in (">=", "<=", ">", "<"):
        return _compare(op, field_value, value)
    if op == "matches":
        return compiled(str(value)).search(str(field_value)) is not None
    raise ValueError(f"unknown operator {op!r} (expected one of {', '.join(OPS)})")


def _numbers_equal(left: Any, right: Any) -> bool:
    a, b = as_number(left), as_number(right)
    return a is not None and b is not None and a == b


def describe_condition(field: str, op: str, value: Any) -> str:
    """A rule as a person reads it: `employees between 200..5000`, `title matches (?i)intern`."""
    if op == "between":
        low, high = value
        return f"{field} between {_fmt(low)}..{_fmt(high)}"
    if op == "exists":
        return f"{field} exists"
    if isinstance(value, list | tuple):
        return f"{field} {op.replace('_', ' ')} [{', '.join(_fmt(v) for v in value)}]"
    return f"{field} {op} {_fmt(value)}"


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
