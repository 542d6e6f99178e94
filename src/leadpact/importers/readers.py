"""JSON Lines and CSV into raw event objects, streamed, with the line each came from.

A line that cannot be read yields a `Unreadable` in place of the object, so the caller refuses it with the
line, the field and the reason and goes on with the rest.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any


@dataclass(frozen=True)
class Unreadable:
    field: str
    reason: str


def read_jsonl(stream: Iterable[str]) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, Unreadable("(line)", f"bad JSON: {exc.msg} at column {exc.colno}")


def _cell(value: str) -> Any:
    return value


def read_csv(stream: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """A header of `id,type,lead_id,at` and `data.*` columns (`data.attributes.x` for custom attributes)."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in ("id", "type", "lead_id", "at") and not h.startswith("data.")]
    start = reader.line_num
    for row in reader:
        line = reader.line_num if reader.line_num > start else start + 1
        start = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if unknown:
            yield (
                line,
                Unreadable(unknown[0], "unknown CSV column (expected id, type, lead_id, at or data.*)"),
            )
            continue
        if len(row) != len(header):
            yield line, Unreadable("(line)", f"{len(row)} cells for {len(header)} columns")
            continue
        event: dict[str, Any] = {}
        data: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=True):
            if cell == "":
                continue
            if name.startswith("data.attributes."):
                data.setdefault("attributes", {})[name.removeprefix("data.attributes.")] = cell
            elif name.startswith("data."):
                data[name.removeprefix("data.")] = _cell(cell)
            else:
                event[name] = cell
        event["data"] = data
        yield line, event


def sniff_format(head: str, name: str | None) -> str:
    if name and name.lower().endswith(".csv"):
        return "csv"
    if name and name.lower().endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    return "jsonl" if head.lstrip().startswith(("{", "[")) else "csv"


def read_events(stream: IO[str], name: str | None = None) -> Iterator[tuple[int, Any]]:
    """Pick the reader by the file name, else by the first line; streams, never reads the whole input."""
    first = stream.readline()
    lines = itertools.chain([first], stream) if first else iter(())
    if sniff_format(first, name) == "csv":
        return read_csv(lines)
    return read_jsonl(lines)
