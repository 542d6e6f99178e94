"""Calibration sessions (`leadpact calibrate sample|record|report`, DESIGN.md §13): one service per step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Engine

from leadpact.domain.calibration import (
    TEAMS,
    Candidate,
    band_of,
    score_bands,
    session_report,
    stratified_sample,
    verdict,
)
from leadpact.domain.periods import Period
from leadpact.domain.timeutil import iso_utc
from leadpact.importers.readers import CsvRecords
from leadpact.importers.text import NotText, Unreadable, lines_of
from leadpact.store import calibration as store

SHEET_COLUMNS = (
    "session",
    "lead_id",
    "handoff",
    "band",
    "fit",
    "engagement",
    "source",
    "tier",
    "segment",
    *store.SHEET_FIELDS,
    "marketing",
    "sales",
)


class CalibrationError(ValueError):
    """A session, lead or sheet the command cannot use; the message says which and why."""


def _rate(k: int, n: int) -> float | None:
    return k / n if n else None


def _band_rows(rows: Sequence[dict[str, Any]], bands: Sequence[Any], now: datetime) -> list[dict[str, Any]]:
    """Each band of the period with its handoffs, acceptance rate and SQL rate (DESIGN.md §5's meanings)."""
    out = []
    for band in bands:
        mine = [r for r in rows if r["band"] == band.label]
        disposed = [r for r in mine if r["outcome"] != "pending"]
        accepted = sum(r["outcome"] == "accepted" for r in disposed)
        sqls = sum(r["sql_at"] is not None and r["sql_at"] <= now for r in mine)
        out.append(
            {
                "band": band.label,
                "low": band.low,
                "high": band.high,
                "handoffs": len(mine),
                "acceptance_rate": _rate(accepted, len(disposed)),
                "sql_rate": _rate(sqls, len(mine)),
            }
        )
    return out


def sample(engine: Engine, period: Period, *, now: datetime, size: int, seed: int) -> dict[str, Any]:
    """A new session: a seeded sample of the period's MQL cycles stratified by score band and outcome, and its
    sheet rows for both teams to fill in. CalibrationError when the period has no handoffs."""
    with engine.connect() as conn:
        rows = store.candidates(conn, period.start, min(period.end, now))
    if not rows:
        raise CalibrationError(f"no MQL was handed off in {period.label}: nothing to calibrate")
    bands = score_bands([r["fit"] + r["engagement"] for r in rows])
    for r in rows:
        r["band"] = band_of(r["fit"] + r["engagement"], bands)
    pool = [Candidate(r["lead_id"], r["n"], r["fit"] + r["engagement"], r["outcome"]) for r in rows]
    picked = {(c.lead_id, c.n) for c in stratified_sample(pool, bands, size, seed)}
    chosen = [r for r in rows if (r["lead_id"], r["n"]) in picked]
    items = [
        {
            k: r[k]
            for k in ("lead_id", "n", "band", "fit", "engagement", "source", "tier", "segment", "outcome")
        }
        | {"reached_sql": r["sql_at"] is not None and r["sql_at"] <= now}
        for r in chosen
    ]
    band_rows = _band_rows(rows, bands, now)
    with engine.begin() as conn:
        session = store.create_session(
            conn, now=now, period=period.label, seed=seed, bands=band_rows, items=items
        )
    sheet = [
        {
            "session": session,
            "lead_id": r["lead_id"],
            "handoff": r["n"],
            "band": r["band"],
            "fit": r["fit"],
            "engagement": round(r["engagement"], 1),
            "source": r["source"],
            "tier": r["tier"],
            "segment": r["segment"],
            **r["fields"],
            "marketing": "",
            "sales": "",
        }
        for r in chosen
    ]
    return {
        "session": session,
        "period": period.label,
        "seed": seed,
        "size": len(items),
        "handoffs": len(rows),
        "bands": band_rows,
        "sheet": sheet,
    }


def _session(conn: Any, session: int | None) -> int:
    chosen = store.latest_session(conn) if session is None else session
    if chosen is None:
        raise CalibrationError("no calibration session yet (`leadpact calibrate sample` starts one)")
    if store.get_session(conn, chosen) is None:
        raise CalibrationError(f"no calibration session {chosen}")
    return chosen


def record(
    engine: Engine, session: int, lead_id: str, *, team: str, said: str, now: datetime, n: int | None = None
) -> dict[str, Any]:
    """One team's verdict on one sampled lead of a session. CalibrationError names what is wrong."""
    if team not in TEAMS:
        raise CalibrationError(f"--team: {team!r} is not marketing or sales")
    try:
        word = verdict(said)
    except ValueError as exc:
        raise CalibrationError(f"--verdict: {exc}") from exc
    with engine.begin() as conn:
        _session(conn, session)
        if not store.set_verdict(conn, session, lead_id, n, team, word, now):
            raise CalibrationError(f"lead {lead_id} is not in calibration session {session}")
    return {"session": session, "lead_id": lead_id, "team": team, "verdict": word}


@dataclass
class SheetResult:
    session: int | None = None
    recorded: dict[str, int] = field(default_factory=lambda: {team: 0 for team in TEAMS})
    refused: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"session": self.session, "recorded": self.recorded, "refused": self.refused}


def record_sheet(engine: Engine, stream: IO[bytes], *, now: datetime) -> SheetResult:
    """A filled sheet (the CSV `sample` wrote): every verdict given, each refused row named by its line, field
    and reason. CalibrationError when the file is not such a sheet."""
    try:
        lines, encoding = lines_of(stream, spreadsheet=True)
    except NotText as exc:
        raise CalibrationError(f"not a calibration sheet: {exc}") from exc
    table = CsvRecords(lines, encoding)
    header = [h.lower() for h in table.header or []]
    missing = [c for c in ("session", "lead_id", "handoff", *TEAMS) if c not in header]
    if table.header_problem or missing:
        raise CalibrationError(
            f"not a calibration sheet: {table.header_problem or 'missing column(s) ' + ', '.join(missing)}"
        )
    out = SheetResult()
    known: dict[int, bool] = {}
    with engine.begin() as conn:
        for line, row in table.records():
            if isinstance(row, Unreadable):
                out.refused.append({"line": line, "field": row.field, "reason": row.reason})
                continue
            cells = dict(zip(header, (c.strip() for c in row), strict=False))
            try:
                session, n = int(cells["session"]), int(cells["handoff"])
            except ValueError:
                out.refused.append(
                    {"line": line, "field": "session", "reason": "session and handoff are numbers"}
                )
                continue
            if session not in known:
                known[session] = store.get_session(conn, session) is not None
            if not known[session]:
                out.refused.append(
                    {"line": line, "field": "session", "reason": f"no calibration session {session}"}
                )
                continue
            out.session = session if out.session is None else out.session
            for team in TEAMS:
                if not cells.get(team):
                    continue
                try:
                    word = verdict(cells[team])
                except ValueError as exc:
                    out.refused.append({"line": line, "field": team, "reason": str(exc)})
                    continue
                if store.set_verdict(conn, session, cells["lead_id"], n, team, word, now):
                    out.recorded[team] += 1
                else:
                    reason = f"lead {cells['lead_id']} handoff {n} is not in session {session}"
                    out.refused.append({"line": line, "field": "lead_id", "reason": reason})
    return out


def report(engine: Engine, session: int | None = None) -> dict[str, Any]:
    """Agreement, Cohen's kappa, disagreements and drift by score band of a session (default: the latest)."""
    with engine.connect() as conn:
        chosen = _session(conn, session)
        head = store.get_session(conn, chosen)
        items = store.session_items(conn, chosen)
    assert head is not None
    body = session_report(items, head["bands"])
    return {
        "session": chosen,
        "period": head["period"],
        "created_at": iso_utc(head["created_at"]),
        "seed": head["seed"],
        **body,
    }


def latest_report_of(engine: Engine, periods: Sequence[str]) -> dict[str, Any] | None:
    """The report of the newest session that sampled one of these periods; None when there is none."""
    with engine.connect() as conn:
        found = store.sessions_of(conn, periods)
    return report(engine, found[0]) if found else None
