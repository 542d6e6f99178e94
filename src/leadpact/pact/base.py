"""Building blocks shared by the pact and the roster: the strict base model, names, durations,
time zones and the ``{field, op, value}`` condition."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Mapping
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from leadpact.domain.durations import Duration, parse_duration
from leadpact.pact.errors import custom, show

#: Every number in the pact and the roster is finite, within ±MAX_NUMBER (the limit events keep too) and,
#: unless it is 0, at least MIN_NUMBER in size: no sum, product or quotient of them (the waterfall divides by
#: rates) is ever infinite or NaN.
MAX_NUMBER = 10**15
MIN_NUMBER = 1e-6
#: Day counts that become wall time (touches.within_days, recycle.rehandoff.within_days): about a century.
MAX_DAYS = 36_600


class PactModel(BaseModel):
    """Strict and immutable: an unknown key is an error, a loaded pact never changes. Every number in it,
    wherever it sits (a threshold, a rate, a condition's value, a list), is finite, within ±10^15, and 0 or at
    least 10^-6 in size."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _numbers_in_range(cls, value: Any) -> Any:
        found = number_problem(value, ())
        if found is not None:
            where, bad, problem = found
            raise custom(f"{show(bad)} {problem}", at=where, value=bad)
        return value


def number_problem(value: Any, where: tuple[int | str, ...]) -> tuple[tuple[int | str, ...], Any, str] | None:
    """The first number in ``value`` (looking into lists and mappings) that is not finite or is out of
    range: where it sits below ``value``, the number, and what is wrong with it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return where, value, "is not a finite number"
    if isinstance(value, int | float):
        if not -MAX_NUMBER <= value <= MAX_NUMBER:
            return where, value, "is out of range (at most ±10^15)"
        if value and abs(value) < MIN_NUMBER:
            return where, value, "is too small (0, or at least 0.000001)"
        return None
    if isinstance(value, list | tuple):
        items: Any = enumerate(value)
    elif isinstance(value, Mapping):
        items = value.items()
    else:
        return None  # text, a nested model (checked on its own), a duration
    for key, item in items:
        found = number_problem(item, (*where, key))
        if found is not None:
            return found
    return None


# --- names ------------------------------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


MAX_NAME = 64  # the store keeps sources, segments, teams and reason codes in 64 characters
MAX_TOKEN = 200  # and rep and account ids in 200, as events carry them


def _check_name(value: str) -> str:
    if not _NAME.match(value):
        raise custom(f"{show(value)} is not a name (letters, digits, _ . - and no spaces)", value=value)
    if len(value) > MAX_NAME:
        raise custom(f"{show(value)} is longer than {MAX_NAME} characters", value=value)
    return value


def _check_token(value: str) -> str:
    if not value.strip() or any(ch.isspace() for ch in value):
        raise custom(f"{show(value)} must be one word, without spaces", value=value)
    if len(value) > MAX_TOKEN:
        raise custom(f"{show(value)} is longer than {MAX_TOKEN} characters", value=value)
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise custom(f"{show(value)} is empty", value=value)
    return value


#: A code or name the pact defines and events refer to: a segment, a reason, a source, a team.
Name = Annotated[str, AfterValidator(_check_name)]
#: An identifier from another system (a rep id, an account id): one word.
Token = Annotated[str, AfterValidator(_check_token)]
#: Free text that must not be empty.
Text = Annotated[str, AfterValidator(_check_text)]


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise custom(f"{show(value)} is not a time zone like America/New_York", value=value) from None
    return value


#: An IANA time zone name, checked against the zone database.
TimeZoneName = Annotated[
    str,
    AfterValidator(_check_zone),
    WithJsonSchema({"type": "string", "examples": ["America/New_York", "Europe/Berlin"]}),
]


# --- durations --------------------------------------------------------------------------------


def _to_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    try:
        return parse_duration(value)
    except ValueError as exc:
        text = str(exc)
        written = repr(value)
        if text.startswith(written):
            text = show(value) + text[len(written) :]
        raise custom(text, value=value) from None


#: ``5m``, ``1h`` (wall time, or business time under ``clock: business``), ``2bd`` (business days).
PactDuration = Annotated[
    Duration,
    PlainValidator(_to_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*\d+(\.\d+)?\s*(m|h|bd)\s*$",
            "examples": ["5m", "1h", "4h", "2bd"],
        }
    ),
]


# --- conditions -------------------------------------------------------------------------------

Op = Literal[
    "eq", "ne", "in", "not_in", "between", ">=", "<=", ">", "<", "exists", "email_domain_in", "matches"
]
COMPARISONS = frozenset({">=", "<=", ">", "<"})
LIST_OPS = frozenset({"in", "not_in", "email_domain_in"})


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


#: Where a lead's custom attributes are read: ``attributes.plan``.
ATTRIBUTES = "attributes."


def lead_field_problem(name: str, also: Collection[str] = ()) -> str | None:
    """Why ``name`` is not a lead field of DESIGN.md §2 (or ``attributes.<key>``, or one of ``also``)."""
    from leadpact.domain.events import LEAD_FIELDS

    if name in LEAD_FIELDS or name in also:
        return None
    if name.startswith(ATTRIBUTES):
        key = name.removeprefix(ATTRIBUTES)
        return None if key.strip() else f"{show(name)} names no attribute (write attributes.<key>)"
    close = difflib.get_close_matches(name, [*LEAD_FIELDS, *also], n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"a custom field is {ATTRIBUTES}{name}"
    return f"unknown lead field {show(name)} ({hint})"


#: The validation context of a file being read (`load_pact`, `load_roster`): its conditions must name lead
#: fields. Without it (a version already in force, read back from the store) a name is taken as it was
#: accepted then, so a stricter check never makes a store unreadable.
FILE_CONTEXT: dict[str, bool] = {"file": True}


def checks_names(info: ValidationInfo) -> bool:
    """Whether names are judged: when reading a file (:data:`FILE_CONTEXT`)."""
    return isinstance(info.context, dict) and bool(info.context.get("file"))


def _check_lead_field(value: str, info: ValidationInfo) -> str:
    problem = lead_field_problem(value) if checks_names(info) else None
    if problem is not None:
        raise custom(problem, value=value)
    return value


#: The field a condition of the pact tests: a lead field of DESIGN.md §2, or ``attributes.<key>``.
LeadField = Annotated[Text, AfterValidator(_check_lead_field)]


class Condition(PactModel):
    """A test on one lead field: ``{field: employees, op: between, value: [200, 5000]}``."""

    field: LeadField = Field(
        description="The lead field tested: a field of lead.created (employees, title, country, email, ...) "
        "or a custom attribute as `attributes.<key>` (`attributes.plan`); any other name is an error."
    )
    op: Op = Field(
        description="eq ne in not_in between >= <= > < exists email_domain_in matches. Strings compare "
        "case-insensitively; `matches` is an unanchored regex search (`(?i)intern` matches "
        "'Marketing Intern'); `exists` needs no value; a missing field matches only ne and not_in."
    )
    value: Any = Field(
        default=None,
        validate_default=True,
        description="What the field is tested against: a number or text (eq ne >= <= > <), a list "
        "(in not_in email_domain_in), [low, high] (between, inclusive), a regex (matches), nothing (exists).",
    )

    @model_validator(mode="before")
    @classmethod
    def _exists_true(cls, data: Any) -> Any:
        # `{op: exists, value: true}` reads naturally; it means the same as no value
        if isinstance(data, dict) and data.get("op") == "exists" and data.get("value") is True:
            data = {k: v for k, v in data.items() if k != "value"}
        return data

    @field_validator("value")
    @classmethod
    def _value_fits_op(cls, value: Any, info: ValidationInfo) -> Any:
        # a field validator, not a model one: a wrong `field` does not hide a wrong value
        op = info.data.get("op")
        problem = None if op is None else condition_value_problem(op, value)
        if problem is not None:
            raise custom(problem, value=value)
        return value


def condition_value_problem(op: str, value: Any) -> str | None:
    """Why ``value`` does not suit ``op``, or None."""
    shown = show(value)
    if op == "exists":
        return None if value is None else f"{shown}: exists takes no value"
    if op == "between":
        if not (isinstance(value, list | tuple) and len(value) == 2 and all(_number(v) for v in value)):
            return f"{shown} is not two numbers [low, high] for between"
        if value[0] > value[1]:
            return f"{shown}: low is above high"
        return None
    if op in LIST_OPS:
        if not isinstance(value, list | tuple):
            return f"{shown} is not a list for {op}"
        if not value:
            return f"an empty list for {op} never decides anything"
        if op == "email_domain_in":
            for item in value:
                if not isinstance(item, str) or not item.strip() or "@" in item:
                    return f"{show(item)} is not an email domain like acme.example (no @)"
            return None
        for item in value:
            if not _scalar(item):
                return f"{show(item)} in the list is not a number or text"
        return None
    if op == "matches":
        if not isinstance(value, str):
            return f"{shown} is not a regular expression"
        try:
            re.compile(value)
        except re.error as exc:
            return f"{shown} is not a valid regular expression: {exc}"
        return None
    if op in COMPARISONS:
        if _number(value) or isinstance(value, str):
            return None
        return f"{shown} is not a number or text to compare with {op}"
    # eq, ne
    return None if _scalar(value) else f"{shown} is not a number, text or true/false for {op}"


def condition_text(cond: Condition) -> str:
    """A condition as a person reads it: ``employees between 200..5000``."""
    try:
        from leadpact.domain.conditions import describe_condition
    except ImportError:  # pragma: no cover - the domain module ships with the package
        return f"{cond.field} {cond.op} {cond.value}"
    return describe_condition(cond.field, cond.op, cond.value)
