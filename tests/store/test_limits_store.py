"""Events at every limit of DESIGN.md §2 are stored the same on SQLite and PostgreSQL, and every read of them
works: the year's metrics, a lead's JSON, the clocks and the violations (strict JSON, no NaN or Infinity)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from builders import BANT, GOOD_FIT, activity, created, disposition, stage, touch
from leadpact.cli import app, load_commands
from leadpact.domain.event_limits import MAX_EMAIL, MAX_NUMBER, MAX_SHORT, MAX_TEXT
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import Pact
from leadpact.services.ingest import IngestReport, ingest, vocabulary
from leadpact.store.tables import events

load_commands()
runner = CliRunner()

NOW = datetime(2026, 6, 1, tzinfo=UTC)
EDGE_NOW = datetime(2199, 12, 31, 23, 50, tzinfo=UTC)  # the clock near the end of the range
UNICODE = "Zoë Ångström 北京 🚀 ﷽ "  # accents, CJK, an astral emoji, a wide Arabic ligature
NOTE = (UNICODE * (MAX_TEXT // len(UNICODE)))[:-1] + "!"  # exactly MAX_TEXT characters


def long_id(prefix: str) -> str:
    return (prefix + "-" + "é" * MAX_SHORT)[:MAX_SHORT]


def nested(depth: int) -> dict[str, Any]:
    """Attributes nested `depth` levels deep (attributes itself is the first)."""
    value: Any = "deep"
    for _ in range(depth - 1):
        value = {"k": value}
    return value if isinstance(value, dict) else {"k": value}


def deal(lead: str, day: int) -> list[dict[str, Any]]:
    """A won deal of 10^15 in 2026 (three of them add up to 3 × 10^15)."""
    t = datetime(2026, 3, day, 15, 0, tzinfo=UTC)

    def at(minutes: int) -> str:
        return (t + timedelta(minutes=minutes)).isoformat()

    return [
        created(lead, at(0), id=long_id(f"{lead}-c"), **GOOD_FIT),
        activity(lead, at(1), "demo_request", id=f"{lead}-a"),
        touch(lead, at(3), id=f"{lead}-t", note=NOTE),
        disposition(lead, at(60), "accepted", id=f"{lead}-d"),
        stage(lead, at(120), "sql", id=f"{lead}-s", **{k: v * (MAX_TEXT // len(v)) for k, v in BANT.items()}),
        stage(lead, at(180), "opportunity", id=f"{lead}-o", amount=MAX_NUMBER, close_date="2199-12-31"),
        stage(lead, at(240), "customer", id=f"{lead}-w", amount=MAX_NUMBER),
    ]


def edge_lead() -> list[dict[str, Any]]:
    """A lead born at the first instant of 1900, with every field at its longest."""
    lead = "Ł" * MAX_SHORT
    local = "u" * (MAX_EMAIL - 1 - MAX_SHORT)
    domain = ("d" * (MAX_SHORT - 8)) + ".example"
    attributes: dict[str, Any] = {f"a{i:03d}": UNICODE for i in range(193)}
    attributes["low"], attributes["high"] = -MAX_NUMBER, float(MAX_NUMBER)
    attributes["deep"] = nested(5)  # attributes > deep > k > k > k: five objects, one in the other
    assert len(f"{local}@{domain}") == MAX_EMAIL
    return [
        created(
            lead,
            "1900-01-01T00:00:00Z",
            id=long_id("E-c"),
            email=f"{local}@{domain}",
            company=UNICODE * (MAX_SHORT // len(UNICODE)),
            title="ß" * MAX_SHORT,
            annual_revenue=MAX_NUMBER,
            attributes=attributes,
            **GOOD_FIT,
        ),
        activity(lead, "1900-01-02T15:05:00+00:00", "demo_request", id=long_id("E-a"), asset="/" * MAX_TEXT),
        touch(lead, "1900-01-02T15:06:00Z", rep="r" * MAX_SHORT, id=long_id("E-t")),
    ]


def late_lead() -> list[dict[str, Any]]:
    """A lead at the end of the range: its last event at 2200-01-01T00:00Z, 10 minutes ahead of the clock."""
    return [
        created("Z", "2199-12-31T23:40:00Z", id="Z-c", **GOOD_FIT),
        activity("Z", "2199-12-31T23:45:00Z", "demo_request", id="Z-a"),
        touch("Z", "2200-01-01T00:00:00Z", id="Z-t"),
    ]


def load(engine: Engine, pact: Any, rows: list[dict[str, Any]], now: datetime) -> IngestReport:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    stream = io.BytesIO(text.encode("utf-8", "backslashreplace"))  # a lone surrogate as its JSON escape
    rules = rules_from_pact(pact)
    return ingest(engine, rules, vocabulary(pact), read_events(stream, "x.jsonl"), now=now)


def cli(tmp_path: Path, engine: Engine, *args: str) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, [*args, "--json", "--pact", str(tmp_path / "pact.yaml"), "--db", url])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    return json.loads(result.stdout)


def test_events_at_every_limit_are_stored_and_read_back_on_both_stores(
    engine: Engine, pact: Any, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    (tmp_path / "team.yaml").unlink()  # no routing: the reps of these events are nobody's
    # three calls, each with a pact of its own: a business calendar spans every year it is asked about, and
    # 1900 to 2200 in one would take seconds to build
    rows = [*deal("A", 2), *deal("B", 3), *deal("C", 4), *edge_lead()]
    for part, now in ((rows[:-3], NOW), (rows[-3:], NOW), (late_lead(), EDGE_NOW)):
        report = load(engine, Pact(), part, now)
        assert report.summary == {"stored": len(part), "duplicate": 0, "waiting": 0, "refused": 0}, report
    with engine.connect() as conn:
        stored = {r.id: r for r in conn.execute(select(events.c.id, events.c.data))}
    assert {r["id"] for r in [*rows, *late_lead()]} <= set(stored)
    assert json.loads(stored["A-t"].data)["note"] == NOTE  # not cut, not mangled
    edge = json.loads(stored[long_id("E-c")].data)
    assert edge["attributes"]["deep"] == nested(5) and len(edge["email"]) == MAX_EMAIL

    year = cli(tmp_path, engine, "metrics", "--period", "2026", "--as-of", "2026-06-01T00:00:00Z")
    assert year["pipeline"]["total"] == 3 * MAX_NUMBER
    assert year["revenue"]["total"] == 3 * MAX_NUMBER
    for period, as_of in (("1900", "1900-06-01T00:00:00Z"), ("2199", "2200-01-01T00:10:00Z")):
        edge_year = cli(tmp_path, engine, "metrics", "--period", period, "--as-of", as_of)
        assert edge_year["mql_count"] == 1  # the lead of that year reached MQL
    lead = cli(tmp_path, engine, "lead", "A", "--as-of", "2026-06-01T00:00:00Z")
    assert lead["stage"] == "customer" and lead["timeline"][0]["id"] == long_id("A-c")
    first = cli(tmp_path, engine, "lead", "Ł" * MAX_SHORT, "--as-of", "1900-02-01T00:00:00Z")
    assert first["stage"] == "mql" and first["fit"] > 0
    clocks = cli(tmp_path, engine, "clocks", "--as-of", "2026-06-01T00:00:00Z")
    assert {c["lead_id"] for c in clocks["clocks"]} >= {"A", "B", "C", "Ł" * MAX_SHORT, "Z"}
    for period in ("2026", "1900", "2199"):
        cli(tmp_path, engine, "violations", "--period", period, "--as-of", "2200-01-01T00:10:00Z")


PAST_EACH_LIMIT = {
    "a long id": ("id", "x" * (MAX_SHORT + 1), "at most 200"),
    "before 1900": ("at", "1899-12-31T23:59:59Z", "before 1900"),
    "after 2200": ("at", "2200-01-01T00:00:01Z", "after 2200"),
    "in the future": ("at", "2026-06-01T00:15:01Z", "in the future"),
    "a long note": ("data.note", "n" * (MAX_TEXT + 1), "at most 10,000"),
    "a NUL": ("data.note", "a\x00b", "NUL"),
    "a lone surrogate": ("data.rep", "an\udc80a", "lone surrogate"),
    "a huge amount": ("data.amount", MAX_NUMBER + 1, "±10^15"),
}


@pytest.mark.parametrize(("field", "value", "reason"), PAST_EACH_LIMIT.values(), ids=PAST_EACH_LIMIT.keys())
def test_one_past_each_limit_is_refused_the_same_on_both_stores(
    engine: Engine, pact: Any, field: str, value: Any, reason: str
) -> None:
    t = "2026-03-02T1{}:00:00Z".format
    if field == "data.amount":
        good = stage("A", t(8), "opportunity", id="A-o", amount=MAX_NUMBER, close_date="2026-06-30")
    else:
        good = touch("A", t(8), id="A-t2", note="ok")
    bad = json.loads(json.dumps(good))
    bad["id"] = "A-bad"
    if field.startswith("data."):
        bad["data"][field.removeprefix("data.")] = value
    else:
        bad[field] = value
    rows = [
        created("A", t(5), **GOOD_FIT),
        activity("A", t(5), "demo_request", id="A-a"),
        touch("A", t(6), id="A-t"),
        disposition("A", t(6), "accepted", id="A-d"),
        stage("A", t(7), "sql", id="A-s", **BANT),
        bad,  # line 6
        good,
    ]
    report = load(engine, pact, rows, NOW)
    refused = [r for r in report.results if r.status == "refused"]
    assert [(r.line, r.field) for r in refused] == [(6, field)]
    assert reason in str(refused[0].reason)
    assert report.summary == {"stored": 6, "duplicate": 0, "waiting": 0, "refused": 1}
