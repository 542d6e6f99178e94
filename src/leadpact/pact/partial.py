"""What can be known of a file that is partly invalid, so that one `check` run reports every problem.

Each top-level key is validated on its own; a key that fails is then taken apart — its fields, entries
and items validated one by one — and what validates is kept. The checks across keys (a reason code
named in ``touches.exempt_reasons``, a team named by a rep) read that :class:`Known`: each asks
:meth:`Known.ok` for the paths it reads and runs only when none of them failed, so it never judges a
value that was not given as written. A problem is reported once, and never caused by another one.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from leadpact.pact.base import FILE_CONTEXT
from leadpact.pact.errors import UNION_TAGS, allowed_keys, dotted, join

#: Nothing of a value validated.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


def _under(path: str, parent: str) -> bool:
    return parent == "" or path.startswith(parent + ".") or path.startswith(parent + "[")


@dataclasses.dataclass(frozen=True)
class Known:
    """The top-level values of a file (whole, or rebuilt from the parts that validated) and the paths that
    did not validate."""

    values: Mapping[str, Any]
    failed: frozenset[str] = frozenset()
    #: for each top-level mapping: the names it gives, its entries valid or not (a reason code whose
    #: action text is empty is still a reason code); absent when the names themselves are unknown
    names: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def ok(self, *paths: str) -> bool:
        """Whether every path is known as written: nothing failed at it, above it or below it."""
        return not any(
            failed == path or _under(failed, path) or _under(path, failed)
            for path in paths
            for failed in self.failed
        )

    def present(self, path: str) -> bool:
        """Whether the value at ``path`` is there as written, though parts below it may have failed."""
        top = path.split(".", 1)[0].split("[", 1)[0]
        return top in self.values and not any(
            failed == path or _under(path, failed) for failed in self.failed
        )

    def keys(self, key: str) -> tuple[str, ...] | None:
        """The names given under the top-level mapping ``key`` (None when they cannot be known)."""
        if key in self.failed:  # the mapping as a whole is wrong (not a mapping, empty): no names
            return None
        if key in self.names:
            return self.names[key]
        if self.ok(key) and isinstance(self.values.get(key), Mapping):
            return tuple(str(name) for name in self.values[key])
        return None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


# --- taking a value apart ---------------------------------------------------------------------


@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def _validates(tp: Any, raw: Any) -> tuple[bool, Any]:
    try:
        adapter = _adapter(tp)
    except TypeError:  # an unhashable annotation: build it each time
        adapter = TypeAdapter(tp)
    try:
        return True, adapter.validate_python(raw, context=FILE_CONTEXT)
    except ValidationError:
        return False, None


def field_type(info: Any) -> Any:
    """A model field's annotation with its constraints (what validating the field alone checks)."""
    tp: Any = info.annotation
    if info.metadata:
        tp = typing.Annotated[(tp, *info.metadata)]
    return tp


def _bare(tp: Any) -> Any:
    """``tp`` without ``Annotated`` and, when it is ``X | None``, without the None."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        members = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if len(members) == 1:
            return _bare(members[0])
    return tp


def recover(tp: Any, raw: Any, path: str) -> tuple[Any, set[str]]:
    """``raw`` validated as ``tp``, else rebuilt from its parts that validate: (value, failed paths).

    A model is rebuilt without validation (``model_construct``) from the fields that validate; a mapping
    keeps the entries that validate; a list keeps its length, with None for an item of which nothing
    validates. The value is :data:`MISSING` when nothing validates.
    """
    good, value = _validates(tp, raw)
    if good:
        return value, set()
    bare = _bare(tp)
    origin = typing.get_origin(bare)
    failed: set[str] = set()
    if isinstance(bare, type) and issubclass(bare, BaseModel) and isinstance(raw, Mapping):
        fields: dict[str, Any] = {}
        for name, info in bare.model_fields.items():
            key = info.alias or name
            if key not in raw:
                if info.is_required():
                    failed.add(join(path, key))
                continue
            part, bad = recover(field_type(info), raw[key], join(path, key))
            failed |= bad
            if part is not MISSING:
                fields[name] = part
        return bare.model_construct(**fields), failed
    if origin in (dict, Mapping) and isinstance(raw, Mapping):
        key_type, value_type = typing.get_args(bare)
        entries: dict[Any, Any] = {}
        for key, item in raw.items():
            here = join(path, str(key))
            key_ok, name = _validates(key_type, key)
            if not key_ok:
                failed.add(here)
                continue
            part, bad = recover(value_type, item, here)
            failed |= bad
            if part is not MISSING:
                entries[name] = part
        return entries, failed
    if origin is list and isinstance(raw, list):
        (item_type,) = typing.get_args(bare)
        items: list[Any] = []
        for i, item in enumerate(raw):
            part, bad = recover(item_type, item, f"{path}[{i}]")
            failed |= bad
            items.append(None if part is MISSING else part)
        return items, failed
    return MISSING, {path}


def names_of(tp: Any, raw: Any) -> tuple[str, ...] | None:
    """The keys of ``raw`` that are valid names for the mapping type ``tp`` (None when it is no mapping)."""
    bare = _bare(tp)
    if typing.get_origin(bare) not in (dict, Mapping) or not isinstance(raw, Mapping):
        return None
    key_type = typing.get_args(bare)[0]
    return tuple(str(key) for key in raw if _validates(key_type, key)[0])


def shadowed(error: ValidationError, root: type[BaseModel], prefix: tuple[int | str, ...]) -> set[str]:
    """The keys that misspelled keys stand for: ``scoring.half_lfe_days`` hides what was meant for
    ``scoring.half_life_days``, so that key (left at its default) is not known as written."""
    out: set[str] = set()
    for err in error.errors():
        if err["type"] != "extra_forbidden" or not err["loc"]:
            continue
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in UNION_TAGS))
        parent, word = (*prefix, *loc[:-1]), str(loc[-1])
        meant = close_key(word, allowed_keys(root, parent))
        if meant is not None:
            out.add(join(dotted(parent), meant))
    return out


def close_key(word: str, choices: typing.Iterable[str]) -> str | None:
    """The key a misspelled ``word`` most likely stands for (the did-you-mean of an unknown key)."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return close[0] if close else None
