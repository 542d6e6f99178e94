"""`leadpact export`: the store's events, leads, handoffs, clocks and violations, or a period's metrics, out
as CSV, JSON Lines or Parquet (DESIGN.md §12), a page at a time.

Exported events carry every stored field, `history` included, in the ingest format: JSON Lines and CSV
exports of events ingest into a fresh store as they are and give the same metrics.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from leadpact.domain.event_limits import LATEST
from leadpact.domain.periods import Period, parse_period
from leadpact.exporters.writers import Column, write_csv, write_jsonl, write_parquet
from leadpact.services.metrics import metrics
from leadpact.services.whatif import stored_events
from leadpact.services.workspace import Workspace
from leadpact.store import export as store_export

KINDS = ("events", "leads", "handoffs", "clocks", "violations", "metrics")
PAGE = 5000


def _events(ws: Workspace, period: Period | None) -> Iterator[dict[str, Any]]:
    until = LATEST if period is None else period.end
    for _seq, raw in stored_events(ws.engine, until=until):
        if period is not None:
            at = datetime.fromisoformat(raw["at"].replace("Z", "+00:00"))
            if not period.start <= at < period.end:
                continue
        yield raw


def _flat_event(raw: dict[str, Any]) -> dict[str, Any]:
    """An event as a row of the ingest CSV: data.<field>, data.attributes.<key>."""
    row = {k: raw.get(k) for k in ("id", "type", "lead_id", "at")}
    row["history"] = bool(raw.get("history", False))
    for key, value in raw["data"].items():
        if key == "attributes" and isinstance(value, dict):
            for name, item in value.items():
                row[f"data.attributes.{name}"] = _scalar(item)
        else:
            row[f"data.{key}"] = _scalar(value)
    return row


def _scalar(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _export_events(ws: Workspace, fmt: str, period: Period | None, out: IO[bytes]) -> int:
    if fmt == "jsonl":
        return write_jsonl(_events(ws, period), out)
    base = [Column("id", "str"), Column("type", "str"), Column("lead_id", "str")]
    if fmt == "parquet":
        columns = [*base, Column("at", "time"), Column("history", "bool"), Column("data", "str")]

        def parquet_rows() -> Iterator[dict[str, Any]]:
            for raw in _events(ws, period):
                at = datetime.fromisoformat(raw["at"].replace("Z", "+00:00"))
                data = json.dumps(raw["data"], ensure_ascii=False, sort_keys=True)
                yield {**raw, "at": at, "history": bool(raw.get("history", False)), "data": data}

        return write_parquet(columns, parquet_rows(), out)
    keys: dict[str, None] = {}  # a first pass for the header: every data field the events have
    for raw in _events(ws, period):
        keys.update(dict.fromkeys(k for k in _flat_event(raw) if k.startswith("data.")))
    header = [*base, Column("at", "str"), Column("history", "bool"), *(Column(k, "str") for k in keys)]
    return write_csv(header, (_flat_event(raw) for raw in _events(ws, period)), out)


def _table_rows(ws: Workspace, name: str, period: Period | None) -> Iterator[dict[str, Any]]:
    after: tuple[Any, ...] | None = None
    while True:
        with ws.engine.connect() as conn:
            page = store_export.rows_page(
                conn,
                name,
                after=after,
                limit=PAGE,
                start=None if period is None else period.start,
                end=None if period is None else period.end,
            )
        if not page:
            return
        yield from (dict(row) for row in page)
        after = store_export.key_of(name, page[-1])


def _flatten(doc: Any, prefix: str = "") -> Iterator[dict[str, Any]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _flatten(value, f"{prefix}[{i}]")
    else:
        value = doc if isinstance(doc, str) or doc is None else json.dumps(doc)
        yield {"metric": prefix, "value": value}


def export(ws: Workspace, what: str, fmt: str, out: IO[bytes], *, period: str | None, now: datetime) -> int:
    """Write one export to `out`; how many rows (records) were written. Raises ValueError for a bad period
    (metrics default to the month of `now`)."""
    bounds = None if period is None else parse_period(period, ws.pact.timezone)
    if what == "events":
        return _export_events(ws, fmt, bounds, out)
    if what == "metrics":
        if period is None:
            from leadpact.domain.periods import period_containing

            period = period_containing("month", now, ws.pact.timezone).label
        doc = metrics(ws.engine, ws.pact, ws.rules, period, as_of=now)
        if fmt == "jsonl":
            return write_jsonl([doc], out)
        columns = [Column("metric", "str"), Column("value", "str")]
        writer = write_csv if fmt == "csv" else write_parquet
        return writer(columns, _flatten(doc), out)
    columns = [Column(name, kind) for name, kind in store_export.column_kinds(what)]
    rows = _table_rows(ws, what, bounds)
    if fmt == "jsonl":
        return write_jsonl(rows, out)
    return (write_csv if fmt == "csv" else write_parquet)(columns, rows, out)
