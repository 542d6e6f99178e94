"""JSON Lines and CSV into raw event objects, streamed, with the line each came from.

The lines come decoded by `importers.text.lines_of`. A line that cannot be read (bytes that are not text, a
line past MAX_LINE_BYTES, bad JSON, nesting too deep, a number too long to read) yields an `Unreadable` in
place of the object, so the caller refuses that line with its line number, field and reason and goes on with
the rest. A file that is not text at all raises `NotText` before anything is read from it.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from leadpact.importers.text import MAX_LINE_BYTES, TOO_LONG, Unreadable, bad_bytes, column_name, lines_of

# --- JSON Lines ---------------------------------------------------------------------------------------


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return Unreadable("(line)", f"bad JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return Unreadable("(line)", "bad JSON: nested too deep")
    except ValueError as exc:  # an integer of more digits than Python reads
        digits = re.search(r"value has (\d+) digits", str(exc))
        size = f" ({digits.group(1)} digits)" if digits else ""
        return Unreadable("(line)", f"bad JSON: a number too long to read{size}")


def read_jsonl(lines: Iterable[str | None], encoding: str | None = None) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(lines, start=1):
        if line is None:
            yield number, TOO_LONG
            continue
        if not line.strip():
            continue
        if (reason := bad_bytes(line, encoding)) is not None:
            yield number, Unreadable("(line)", reason)
            continue
        yield number, _json(line)


# --- CSV ----------------------------------------------------------------------------------------------


class _Feed:
    """Physical lines to the csv module (with their newline, so quoted newlines survive), remembering which
    were too long and the text of the record being read."""

    def __init__(self, lines: Iterable[str | None]) -> None:
        self._lines = iter(lines)
        self.number = 0
        self.too_long: list[int] = []
        self.record: list[str] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        if line is None:
            self.too_long.append(self.number)
            line = ""
        self.record.append(line)
        return line + "\n"


class CsvRecords:
    """A CSV file's header (read at once) and then its records, each with its line, or an `Unreadable` for a
    record that cannot be read (bad CSV, bytes that are not text, a line too long); blank records are skipped.
    `header` is None for an empty file; `header_problem` says why the header cannot be read."""

    def __init__(self, lines: Iterable[str | None], encoding: str | None = None) -> None:
        self.encoding = encoding
        self._feed = _Feed(lines)
        self._reader = csv.reader(self._feed)
        self.header: list[str] | None = None
        self.header_problem: str | None = None
        self.header_unreadable = False  # the header row itself is not CSV: nothing after it is read
        try:
            header = next(self._reader)
        except StopIteration:
            return
        except csv.Error as exc:
            self.header, self.header_problem, self.header_unreadable = [], f"bad CSV: {exc}", True
            return
        self.header_problem = bad_bytes("".join(self._feed.record), encoding)
        if self._feed.too_long:
            self.header_problem = f"longer than {MAX_LINE_BYTES:,} bytes"
        self.header = [h.strip() for h in header]

    def records(self) -> Iterator[tuple[int, list[str] | Unreadable]]:
        if self.header is None or self.header_unreadable:
            return
        feed, reader = self._feed, self._reader
        while True:
            feed.record = []
            before = feed.number
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield before + 1, Unreadable("(line)", f"bad CSV: {exc}")
                continue
            line = reader.line_num
            for number in feed.too_long:
                yield number, TOO_LONG
            if feed.too_long:
                feed.too_long.clear()
                continue
            if not any(cell.strip() for cell in row):
                continue
            if (problem := _record_bad_bytes(feed.record, before, self.encoding)) is not None:
                yield line, Unreadable("(line)", problem)
                continue
            yield line, row


EVENT_COLUMNS = ("id", "type", "lead_id", "at", "history")


def read_csv(lines: Iterable[str | None], encoding: str | None = None) -> Iterator[tuple[int, Any]]:
    """A header of `id,type,lead_id,at` (and `history`) and `data.*` columns (`data.attributes.x` for custom
    attributes)."""
    table = CsvRecords(lines, encoding)
    if table.header is None:
        return
    if table.header_unreadable:
        yield 1, Unreadable("(header)", str(table.header_problem))
        return
    header = table.header
    unknown = [h for h in header if h not in EVENT_COLUMNS and not h.startswith("data.")]
    if unknown:  # not an events CSV: said once for the file, not once a row
        more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
        yield (
            1,
            Unreadable(
                column_name(unknown[0]),
                f"unknown CSV column{more} (expected id, type, lead_id, at, history or data.*): no row of "
                "this file was read; a CRM export comes in through `leadpact import hubspot|salesforce|csv "
                "FILE`",
            ),
        )
        return
    for line, row in table.records():
        if isinstance(row, Unreadable):
            yield line, row
            continue
        if table.header_problem is not None:
            yield line, Unreadable("(header)", table.header_problem)
            continue
        if len(row) != len(header):
            yield line, Unreadable("(line)", f"{len(row)} cells for {len(header)} columns")
            continue
        yield line, _event(header, row)


def _record_bad_bytes(record: list[str], before: int, encoding: str | None) -> str | None:
    for offset, text in enumerate(record):
        reason = bad_bytes(text, encoding)
        if reason is not None:
            return reason if len(record) == 1 else f"{reason} of line {before + offset + 1}"
    return None


def _event(header: list[str], row: list[str]) -> dict[str, Any]:
    event: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=True):
        if cell == "":
            continue
        if name.startswith("data.attributes."):
            data.setdefault("attributes", {})[name.removeprefix("data.attributes.")] = cell
        elif name.startswith("data."):
            data[name.removeprefix("data.")] = cell
        elif name == "history":  # true or false; anything else is refused by its field when parsed
            word = cell.strip().lower()
            event[name] = True if word == "true" else False if word == "false" else cell
        else:
            event[name] = cell
    event["data"] = data
    return event


# --- either -------------------------------------------------------------------------------------------


def sniff_format(head: str, name: str | None) -> str:
    if name and name.lower().endswith(".csv"):
        return "csv"
    if name and name.lower().endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    return "jsonl" if head.lstrip().startswith(("{", "[")) else "csv"


def read_events(stream: IO[bytes] | IO[str], name: str | None = None) -> Iterator[tuple[int, Any]]:
    """Pick the reader by the file name, else by the first line; streams, never reads the whole input.

    Raises NotText at once (before returning) for a stream that is not text.
    """
    lines, encoding = lines_of(stream)
    ahead: list[str | None] = []  # up to the first line with something in it
    for line in lines:
        ahead.append(line)
        if line is not None and line.strip():
            break
    first = next((line for line in ahead if line is not None and line.strip()), "")
    lines = itertools.chain(ahead, lines)
    if sniff_format(first, name) == "csv":
        return read_csv(lines, encoding)
    return read_jsonl(lines, encoding)
