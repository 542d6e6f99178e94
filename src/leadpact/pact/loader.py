"""Reading ``pact.yaml`` (and, for the roster, any YAML file) into validated models, every error at once.

YAML is read with YAML 1.2 scalars: only ``true``/``false`` are booleans (the country code ``NO``
stays Norway), ``13:00`` stays a time of day (YAML 1.1 reads it as the number 780), ``017`` is
17 and dates stay text until the schema reads them. Duplicate keys are errors. Every issue
carries the line of its key when the file has one.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from leadpact.pact.base import FILE_CONTEXT
from leadpact.pact.errors import PactError, PactIssue, did_you_mean, dotted, issues_from_validation, show
from leadpact.pact.partial import MISSING, Known, close_key, field_type, names_of, recover, shadowed

# --- YAML with 1.2 scalars, lines and duplicate keys -----------------------------------------


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {}
for _tag, _regex, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_regex), list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        if text.startswith("0x"):
            return int(text, 16)
        if text.startswith("0o"):
            return int(text[2:], 8)
        return int(text, 10)
    except ValueError:  # more digits than Python reads into a number
        raise yaml.constructor.ConstructorError(
            None, None, f"the number {text[:12]}… is far too long ({len(text):,} digits)", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


@dataclasses.dataclass
class YamlDocument:
    """A parsed YAML file: its data, the line of each key path, and structural problems."""

    data: Any
    lines: dict[str, int]
    problems: list[PactIssue]

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, else of its nearest parent present in the file."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = _parent(path)


_LAST = re.compile(r"(\[\d+\]|\.[^.\[]*|^[^.\[]*)$")


def _parent(path: str) -> str:
    return _LAST.sub("", path, count=1)


def _walk(node: yaml.Node, loc: tuple[int | str, ...], doc: YamlDocument, source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            here = (*loc, key)
            if key in seen and key != "<<":
                doc.problems.append(
                    PactIssue(
                        path=dotted(here),
                        message=f"duplicate key (also on line {seen[key]}); give each key once",
                        source=source,
                        line=line,
                    )
                )
            seen[key] = line
            doc.lines.setdefault(dotted(here), line)
            _walk(value_node, here, doc, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            here = (*loc, i)
            doc.lines.setdefault(dotted(here), item.start_mark.line + 1)
            _walk(item, here, doc, source)


def read_yaml(text: str, source: str) -> YamlDocument:
    """Parse one YAML document; a syntax error raises :class:`PactError` naming the line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        where = f"line {line}, column {mark.column + 1}" if mark is not None else "the file"
        problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        kind = "YAML value" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error"
        raise PactError(
            [PactIssue(path="", message=f"{kind} at {where}: {problem}", source=source, line=line)]
        ) from None
    except yaml.YAMLError as exc:
        raise PactError([PactIssue(path="", message=f"YAML error: {exc}", source=source)]) from None
    except RecursionError:
        raise PactError([PactIssue(path="", message="is nested too deep", source=source)]) from None
    except ValueError as exc:  # what a constructor could not turn into a value
        raise PactError([PactIssue(path="", message=f"cannot be read: {exc}", source=source)]) from None
    finally:
        loader.dispose()
    doc = YamlDocument(data=data, lines={}, problems=[])
    if node is not None:
        _walk(node, (), doc, source)
    return doc


def read_file(path: Path, what: str, hint: str) -> YamlDocument:
    """Read a YAML file, or raise :class:`PactError` saying in one line why it cannot be read."""
    source = str(path)

    def refuse(message: str, line: int | None = None) -> PactError:
        return PactError([PactIssue(path="", message=message, source=source, line=line)])

    try:
        if not path.exists():
            raise refuse(f"no {what} at {path} ({hint})")
        if path.is_dir():
            raise refuse(f"{path} is a directory, not a {what}")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise refuse(f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise refuse(f"is larger than {MAX_FILE_BYTES // (1 << 20)} MiB: not a {what}")
    doc = read_yaml(decode_text(raw, source, what), source)
    if doc.data is None:
        raise refuse(f"is empty ({hint})", line=1)
    return doc


MAX_FILE_BYTES = 4 << 20  # a pact or roster is a few kilobytes; anything this large is not one


def decode_text(raw: bytes, source: str, what: str) -> str:
    """UTF-8 (a byte-order mark is dropped), or UTF-16 with its byte-order mark; anything else is refused
    naming the first byte that is not text, and where it is. A Windows-1252 file is refused rather than
    guessed: the pact is signed, and a guess could change the words both sides signed."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise PactError(
                [PactIssue(path="", message="is not UTF-16 text past its byte-order mark", source=source)]
            ) from None
    if b"\x00" in raw:
        message = f"is not a text file (it holds NUL bytes): not a {what}"
        raise PactError([PactIssue(path="", message=message, source=source)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = raw.count(b"\n", 0, start) + 1
        column = len(raw[raw.rfind(b"\n", 0, start) + 1 : start].decode("utf-8", "replace")) + 1
        guess = " (it looks like Windows-1252)" if _is_cp1252(raw) else ""
        message = (
            f"is not UTF-8 text: byte 0x{raw[start]:02x} at line {line}, column {column}{guess}; "
            "save the file as UTF-8"
        )
        raise PactError([PactIssue(path="", message=message, source=source, line=line)]) from None


def _is_cp1252(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def locate(issues: list[PactIssue], doc: YamlDocument | None, source: str) -> list[PactIssue]:
    """The issues with their file and line, ordered by line (issues without one last)."""
    out = [
        dataclasses.replace(
            issue,
            source=source,
            line=issue.line if issue.line is not None or doc is None else doc.line_of(issue.path),
        )
        for issue in issues
    ]
    return sorted(out, key=lambda i: (i.line is None, i.line or 0))


# --- validating top-level keys one by one -----------------------------------------------------


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    return TypeAdapter(field_type(model.model_fields[name]))


def validate_keys(
    model: type[BaseModel], data: Mapping[Any, Any], source: str
) -> tuple[Known, list[PactIssue]]:
    """Validate each top-level key of ``data`` on its own, so that one bad key does not hide the rest.

    Returns what is known (the validated values, defaults for keys left out, and of a key that failed
    the parts that validate; the paths that failed) and the issues.
    """
    fields = model.model_fields
    by_alias = {(info.alias or name): name for name, info in fields.items()}
    values: dict[str, Any] = {}
    failed: set[str] = set()
    names: dict[str, tuple[str, ...]] = {}
    issues: list[PactIssue] = []
    for key, raw in data.items():
        name = by_alias.get(str(key))
        if name is None:
            issues.append(
                PactIssue(
                    path=str(key), message="unknown key" + did_you_mean(str(key), by_alias), source=source
                )
            )
            meant = close_key(str(key), by_alias)
            if meant is not None and meant not in data:
                failed.add(meant)  # what was meant for it is not known
            continue
        tp = field_type(fields[name])
        given = names_of(tp, raw)
        if given is not None:
            names[name] = given
        try:
            values[name] = _adapter(model, name).validate_python(raw, context=FILE_CONTEXT)
        except ValidationError as exc:
            found = issues_from_validation(exc, root=model, prefix=(str(key),), source=source)
            issues.extend(found)
            part, bad = recover(tp, raw, str(key))
            failed |= bad | {issue.path for issue in found} | shadowed(exc, model, (str(key),))
            if part is not MISSING:
                values[name] = part
    for name, info in fields.items():
        if name in values or (info.alias or name) in failed:
            continue
        if info.is_required():
            failed.add(info.alias or name)
            issues.append(PactIssue(path=info.alias or name, message="is required", source=source))
        else:
            values[name] = info.get_default(call_default_factory=True)
    return Known(values=values, failed=frozenset(failed), names=names), issues


def not_a_mapping(data: Any, what: str, source: str) -> PactError:
    return PactError(
        [PactIssue(path="", message=f"{show(data)} is not a mapping of {what} keys", source=source)]
    )
