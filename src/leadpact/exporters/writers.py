"""Rows out as CSV, JSON Lines or Parquet, streamed: a batch at a time, memory flat whatever the store's size.

A table is its columns, each with a kind (`str`, `int`, `float`, `bool`, `time`), and rows as dicts. Times are
aware datetimes: ISO 8601 UTC in CSV and JSON Lines, timestamps (UTC, microseconds) in Parquet. Records (the
events, the metrics document) are written as they are to JSON Lines.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from leadpact.domain.timeutil import iso_utc

FORMATS = ("csv", "jsonl", "parquet")
BATCH = 20_000


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # str | int | float | bool | time


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    return value


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    n = 0
    for record in records:
        line = json.dumps({k: _text(v) for k, v in record.items()}, ensure_ascii=False, default=str)
        out.write(line.encode("utf-8") + b"\n")
        n += 1
    return n


def write_csv(columns: list[Column], rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    """UTF-8 with a header row, CRLF as RFC 4180 has it; a missing value is an empty cell."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([c.name for c in columns])
    n = 0
    for row in rows:
        writer.writerow(["" if row.get(c.name) is None else _cell(row[c.name]) for c in columns])
        n += 1
    text.flush()
    text.detach()
    return n


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value)


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def write_parquet(columns: list[Column], rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    """One row group a batch, with a schema from the columns' kinds (so an all-empty batch has types too)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "time": pa.timestamp("us", tz="UTC"),
    }
    schema = pa.schema([pa.field(c.name, kinds[c.kind]) for c in columns])
    n = 0
    with pq.ParquetWriter(out, schema) as writer:
        for batch in _batches(rows):
            arrays = [pa.array([row.get(c.name) for row in batch], type=kinds[c.kind]) for c in columns]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            n += len(batch)
        if n == 0:
            writer.write_table(schema.empty_table())
    return n
