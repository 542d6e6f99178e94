"""`leadpact import`: a CRM export (HubSpot contacts, Salesforce leads, any CSV with a mapping) ingested as
one call (DESIGN.md §12).

The header is judged once (`importers.crm.plan_columns`): a missing essential column stops the file with one
line, an unmapped column is reported once. Each row becomes its events (`importers.records`), ingested like
any other call, so a re-import stores nothing new (the ids derive from the record ids) and every refusal
names the row's line and the column. A dry run maps and checks every row and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadpact.domain.events import EventError, parse_event
from leadpact.importers.crm import DEFAULT_OBJECT, MAX_EVENTS_A_ROW, Columns, Row, plan_columns, rows
from leadpact.importers.mapping import EMPTY, ImportMapping
from leadpact.importers.readers import CsvRecords
from leadpact.importers.records import Refusal, Values
from leadpact.importers.text import Unreadable
from leadpact.services.ingest import REFUSED, IngestReport, Result, ingest
from leadpact.services.workspace import Workspace

SAMPLE_ROWS = 5


class ImportRefused(Exception):
    """The file as a whole cannot be imported (its header); the message is one line."""


@dataclass
class ImportReport:
    report: IngestReport
    unmapped_columns: list[str]
    ignored_columns: list[str]
    rows_read: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)  # said once for the file

    def to_json(self) -> dict[str, Any]:
        doc = self.report.to_json()
        if self.dry_run:
            doc = {"rows": self.sample, "stored": 0, **doc}
        doc["unmapped_columns"] = self.unmapped_columns
        if self.ignored_columns:
            doc["ignored_columns"] = self.ignored_columns
        doc["rows_read"] = self.rows_read
        if self.notes:
            doc["notes"] = self.notes
        return doc


def _reps(ws: Workspace) -> dict[str, str]:
    """Owner cells matched to rep ids: by id, then email, then name (DESIGN.md §12), case-insensitively."""
    if ws.roster is None:
        return {}
    out: dict[str, str] = {}
    for key in ("name", "email", "id"):  # later keys win: an id beats an email beats a name
        for rep in ws.roster.reps:
            value = getattr(rep, key, None)
            if value:
                out[str(value).strip().lower()] = rep.id
    return out


def _leads_of(ws: Workspace, opportunity_ids: list[str]) -> dict[str, str]:
    """The lead each opportunity was converted from, as the imported leads name them."""
    from leadpact.store.leads import leads_of_opportunities

    with ws.engine.connect() as conn:
        return leads_of_opportunities(conn, opportunity_ids)


def _column_of(columns: Columns, header: list[str]) -> dict[str, str]:
    return {f: header[i].strip() for i, f in enumerate(columns.fields) if f is not None}


def _where(name: str | None, column_of: dict[str, str]) -> str | None:
    """A field as the user knows it: the CSV column it came from."""
    if name is None:
        return None
    bare = name.removeprefix("data.")
    if bare in column_of:
        return column_of[bare]
    if bare == "rep" and "owner" in column_of:
        return column_of["owner"]
    return name


def import_table(
    ws: Workspace,
    table: CsvRecords,
    *,
    vendor: str,
    obj: str | None = None,
    mapping: ImportMapping = EMPTY,
    history: bool = False,
    touches_tracked: bool = True,
    dry_run: bool = False,
    now: datetime,
    progress: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Import one CSV (its header already read); raises ImportRefused when its header cannot be imported."""
    if table.header is None:
        raise ImportRefused("the file is empty: no header row")
    if table.header_problem is not None:
        raise ImportRefused(f"its header row cannot be read: {table.header_problem}")
    obj = obj or mapping.object or DEFAULT_OBJECT[vendor]
    columns = plan_columns(vendor, obj, table.header, mapping)
    if columns.problems:
        raise ImportRefused("; ".join(columns.problems))
    column_of = _column_of(columns, table.header)
    values = Values(mapping.values, _reps(ws))
    timezone = mapping.timezone or ws.pact.timezone
    out = ImportReport(IngestReport(), columns.unmapped, columns.ignored, dry_run=dry_run)
    if not history and "mql_at" in column_of:
        out.notes.append(
            f"{column_of['mql_at']}: the CRM's MQL dates are taken only with --history (without it, "
            "leadpact's gate makes the MQLs)"
        )
    mapped = rows(
        vendor,
        obj,
        columns,
        table.records(),
        values,
        timezone,
        history=history,
        touches_tracked=touches_tracked,
        lead_of=lambda ids: _leads_of(ws, ids),
    )

    def refuse(row: Row) -> None:
        problem = row.events
        assert isinstance(problem, Refusal | Unreadable)
        out.report.add(Result(row.line, None, REFUSED, _where(problem.field, column_of), problem.reason))

    def calls() -> Iterator[tuple[int, Any]]:
        """Each row's events, parsed once; a row whose lead.created cannot be read is refused whole (its other
        events would wait for it forever), any other bad event alone."""
        for row in mapped:
            out.rows_read += 1
            if not isinstance(row.events, list):
                refuse(row)
                continue
            if dry_run and len(out.sample) < SAMPLE_ROWS:
                out.sample.append({"line": row.line, "events": row.events})
            for k, event in enumerate(row.events):
                try:
                    parsed = parse_event(event, ws.vocab, now=now)
                except EventError as exc:
                    out.report.add(
                        Result(row.line, exc.event_id, REFUSED, _where(exc.field, column_of), exc.reason)
                    )
                    if event["type"] == "lead.created":
                        break
                    continue
                yield row.line * MAX_EVENTS_A_ROW + k, parsed

    if dry_run:
        for _ in calls():
            pass
        return out
    report = ingest(
        ws.engine,
        ws.versions,
        ws.vocab,
        calls(),
        now=now,
        progress=progress,
        routing=ws.routing,
        roster=ws.roster,
    )
    for result in report.results:
        result.line //= MAX_EVENTS_A_ROW
        if (
            not history
            and result.field in ("data.stage", "data.outcome")
            and "not allowed" in str(result.reason)
        ):
            result.reason = f"{result.reason}; a CRM's dated stages are its history: import with --history"
        result.field = _where(result.field, column_of)
    for result in out.report.results:
        report.add(result)
    out.report = report
    return out
