"""Pact and roster errors: every problem at once, each naming its key path, value and expectation.

Pydantic's own error texts never reach the user: :func:`issues_from_validation` maps each error
to a :class:`PactIssue` whose ``str`` reads like
``response.high.business_hours: "5 minutes" is not a duration like 5m, 1h, 2bd``.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

if typing.TYPE_CHECKING:
    from leadpact.pact.partial import Known

#: Marks "no value to show" (a missing key); distinct from a value that is null.
NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "NO_VALUE"})()

#: Tags of tagged unions; pydantic puts them in error locations, the user never wrote them.
UNION_TAGS: dict[str, type[BaseModel]] = {}

Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class PactIssue:
    """One problem in a pact or roster file."""

    path: str  # dotted key path: ``response.high.business_hours``, ``scoring.fit[2].op``; "" for the file
    message: str  # what is wrong, with the value: ``"5 minutes" is not a duration like 5m, 1h, 2bd``
    value: Any = NO_VALUE  # the offending value as read, or NO_VALUE
    source: str = "pact.yaml"  # the file (or label) the issue is about
    line: int | None = None  # 1-based line in the file, when known
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def located(self) -> str:
        """``pact.yaml:42: response.high.business_hours: ...`` — the file, the line when known, the issue."""
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self}"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "line": self.line,
            "path": self.path,
            "value": None if self.value is NO_VALUE else _jsonable(self.value),
            "message": self.message,
            "severity": self.severity,
        }


class PactError(Exception):
    """A pact or roster that is not valid; ``issues`` holds every problem found.

    Deliberately not a ``ValueError``: raised inside a pydantic validator it propagates as is.
    """

    def __init__(self, errors: Sequence[PactIssue], *, known: Known | None = None) -> None:
        self.issues: list[PactIssue] = list(errors)
        #: what is known of the file despite its problems (the roster's checks read the pact's calendars)
        self.known = known
        super().__init__(self._text())

    @property
    def errors(self) -> list[PactIssue]:
        return self.issues

    def _text(self) -> str:
        if len(self.issues) == 1:
            return self.issues[0].located()
        head = f"{len(self.issues)} problems:"
        return "\n".join([head, *(f"  {issue.located()}" for issue in self.issues)])


def custom(
    message: str, *, at: str | tuple[int | str, ...] | None = None, value: Any = NO_VALUE
) -> PydanticCustomError:
    """An error raised in a validator whose message is shown as is.

    ``at`` names a key below the validated object (``value`` of a condition), or a path of keys and
    list positions, so the issue points where the user must look; ``value`` is the value to show there.
    """
    context: dict[str, Any] = {"message": message}
    if at:
        context["at"] = at
    if value is not NO_VALUE:
        context["value"] = value
    return PydanticCustomError("pact", "{message}", context)


# --- showing values and paths ------------------------------------------------------------------


def show(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it in YAML/JSON: ``"5 minutes"``, ``12``, ``null``, ``[1, 2]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        try:
            text = json.dumps(_jsonable(value), ensure_ascii=False, separators=(", ", ": "))
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return show(value)  # JSON has no NaN or Infinity: the value as written, as text
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def dotted(loc: Iterable[int | str]) -> str:
    """``("scoring", "fit", 2, "op")`` -> ``scoring.fit[2].op``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean half_life_days?)`` or `` (expected one of a, b, c)``."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]}?)"
    if options and len(options) <= 12:
        return f" (expected one of {', '.join(options)})"
    return ""


def list_words(words: Iterable[str], limit: int = 12) -> str:
    items = list(words)
    text = ", ".join(items[:limit])
    return text + (", …" if len(items) > limit else "")


# --- the allowed keys at a location (for did-you-mean) ----------------------------------------


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        out: list[Any] = []
        for arg in typing.get_args(tp):
            if arg is not type(None):
                out.extend(_members(arg))
        return out
    return [tp]


def _step(tp: Any, part: int | str) -> Any:
    """The type found below ``tp`` at one location step, or None."""
    if isinstance(part, str) and part in UNION_TAGS:
        return UNION_TAGS[part]
    for member in _members(tp):
        origin = typing.get_origin(member)
        if isinstance(member, type) and issubclass(member, BaseModel) and isinstance(part, str):
            for name, info in member.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
        elif origin in (dict, typing.Mapping) or (origin is not None and _is_mapping(origin)):
            args = typing.get_args(member)
            if len(args) == 2:
                return args[1]
        elif origin in (list, tuple, frozenset, set) and isinstance(part, int):
            args = typing.get_args(member)
            if args:
                return args[0]
    return None


def _is_mapping(origin: Any) -> bool:
    try:
        import collections.abc as abc

        return isinstance(origin, type) and issubclass(origin, abc.Mapping)
    except TypeError:  # pragma: no cover
        return False


def allowed_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a model at ``loc`` below ``root`` accepts (aliases as written in YAML)."""
    tp: Any = root
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return []
    keys: list[str] = []
    for member in _members(tp):
        if isinstance(member, type) and issubclass(member, BaseModel):
            keys.extend(info.alias or name for name, info in member.model_fields.items())
    return keys


# --- pydantic errors -> issues ----------------------------------------------------------------

_WORDS = re.compile(r"'([^']*)'")


def _expected_literals(value: Any, ctx: dict[str, Any]) -> str:
    found = _WORDS.findall(str(ctx.get("expected", "")))
    if not found:
        return str(ctx.get("expected", ""))
    close = difflib.get_close_matches(str(value), found, n=1, cutoff=0.6) if isinstance(value, str) else []
    hint = f" (did you mean {close[0]}?)" if close else ""
    return ", ".join(found) + hint


def _bound(ctx: dict[str, Any]) -> str:
    for key, word in (("gt", "greater than"), ("ge", "at least"), ("lt", "less than"), ("le", "at most")):
        if key in ctx:
            return f"{word} {show(ctx[key])}"
    return "in range"


_MESSAGES: dict[str, Callable[[Any, dict[str, Any]], str]] = {
    "missing": lambda v, c: "is required",
    "string_type": lambda v, c: f"{show(v)} is not a text",
    "string_too_short": lambda v, c: f"{show(v)} is empty",
    "string_pattern_mismatch": lambda v, c: f"{show(v)} is not a name (letters, digits, _ . - and no spaces)",
    "float_type": lambda v, c: f"{show(v)} is not a number",
    "float_parsing": lambda v, c: f"{show(v)} is not a number",
    "finite_number": lambda v, c: f"{show(v)} is not a finite number",
    "int_type": lambda v, c: f"{show(v)} is not a whole number",
    "int_parsing": lambda v, c: f"{show(v)} is not a whole number",
    "int_from_float": lambda v, c: f"{show(v)} is not a whole number",
    "bool_type": lambda v, c: f"{show(v)} is not true or false",
    "bool_parsing": lambda v, c: f"{show(v)} is not true or false",
    "dict_type": lambda v, c: f"{show(v)} is not a mapping (key: value)",
    "model_type": lambda v, c: f"{show(v)} is not a mapping (key: value)",
    "model_attributes_type": lambda v, c: f"{show(v)} is not a mapping (key: value)",
    "dataclass_type": lambda v, c: f"{show(v)} is not a mapping (key: value)",
    "list_type": lambda v, c: f"{show(v)} is not a list",
    "tuple_type": lambda v, c: f"{show(v)} is not a list",
    "set_type": lambda v, c: f"{show(v)} is not a list",
    "too_short": lambda v, c: (
        ("is empty" if not c.get("actual_length") else f"has {c.get('actual_length')} entries")
        + f"; at least {c.get('min_length')} needed"
    ),
    "too_long": lambda v, c: f"has {c.get('actual_length')} items; at most {c.get('max_length')} allowed",
    "literal_error": lambda v, c: f"{show(v)} is not one of {_expected_literals(v, c)}",
    "enum": lambda v, c: f"{show(v)} is not one of {_expected_literals(v, c)}",
    "greater_than": lambda v, c: f"{show(v)} must be {_bound(c)}",
    "greater_than_equal": lambda v, c: f"{show(v)} must be {_bound(c)}",
    "less_than": lambda v, c: f"{show(v)} must be {_bound(c)}",
    "less_than_equal": lambda v, c: f"{show(v)} must be {_bound(c)}",
    "date_type": lambda v, c: f"{show(v)} is not a date like 2026-12-24",
    "date_parsing": lambda v, c: f"{show(v)} is not a date like 2026-12-24",
    "date_from_datetime_parsing": lambda v, c: f"{show(v)} is not a date like 2026-12-24",
    "date_from_datetime_inexact": lambda v, c: f"{show(v)} is not a date like 2026-12-24",
    "datetime_type": lambda v, c: f"{show(v)} is not a date or time like 2026-03-02T14:05:09-05:00",
    "datetime_parsing": lambda v, c: f"{show(v)} is not a date or time like 2026-03-02T14:05:09-05:00",
    "datetime_from_date_parsing": lambda v, c: f"{show(v)} is not a date or time like 2026-03-02",
    "time_type": lambda v, c: f'{show(v)} is not a time like "13:00"',
    "time_parsing": lambda v, c: f'{show(v)} is not a time like "13:00"',
    "union_tag_invalid": lambda v, c: f"{show(v)} does not have a known form",
}


def issues_from_validation(
    error: ValidationError,
    *,
    root: type[BaseModel] | None = None,
    prefix: Loc = (),
    source: str = "pact.yaml",
) -> list[PactIssue]:
    """Map each pydantic error to a readable :class:`PactIssue` (one per error, in order)."""
    out: list[PactIssue] = []
    seen: set[tuple[str, str]] = set()
    for err in error.errors():
        loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in UNION_TAGS))
        # a dict key error is reported as (key, "[key]"); the key alone names it
        loc = tuple(p for p in loc if not (isinstance(p, str) and p == "[key]"))
        ctx: dict[str, Any] = dict(err.get("ctx") or {})
        value: Any = err.get("input", NO_VALUE)
        kind = err["type"]
        if kind == "pact":
            message = str(ctx.get("message", err["msg"]))
            if "at" in ctx:
                at = ctx["at"]
                loc = (*loc, *at) if isinstance(at, tuple | list) else (*loc, str(at))
            value = ctx.get("value", value)
        elif kind == "extra_forbidden":
            choices = allowed_keys(root, (*prefix, *loc[:-1])) if root is not None else []
            message = "unknown key" + did_you_mean(str(loc[-1]), choices) if loc else "unknown key"
        elif kind == "missing":
            message, value = "is required", NO_VALUE
        elif kind in _MESSAGES:
            message = _MESSAGES[kind](value, ctx)
        elif kind in ("value_error", "assertion_error"):
            message = str(ctx.get("error", err["msg"]))
        else:
            text = str(err["msg"])
            message = f"{show(value)}: {text[:1].lower()}{text[1:]}"
        path = dotted((*prefix, *loc))
        if (path, message) in seen:
            continue
        seen.add((path, message))
        out.append(PactIssue(path=path, message=message, value=value, source=source))
    return out
