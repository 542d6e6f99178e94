"""`leadpact export`, run as a user would, on both stores: events out as JSON Lines and CSV ingest into a
fresh store and give the same `metrics --json`; Parquet reads back with pyarrow; tables and metrics export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from builders import GOOD_FIT, activity, created, touch
from leadpact.cli import app, load_commands

load_commands()
runner = CliRunner()
DATA = Path(__file__).parent.parent / "data" / "crm"
AS_OF = "2026-03-05T00:00:00Z"
SOURCES = "  organic_search: marketing\n  direct_traffic: marketing\n  referrals: marketing\n"


def run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def workspace(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    assert run("init", str(directory)).exit_code == 0
    pact = directory / "pact.yaml"
    body = pact.read_text(encoding="utf-8")
    pact.write_text(body.replace("  outbound: sales\n", "  outbound: sales\n" + SOURCES, 1), "utf-8")
    return pact


@pytest.fixture
def filled(tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store (SQLite or PostgreSQL) with a HubSpot history import, a lost deal and live leads."""
    monkeypatch.delenv("LEADPACT_DB", raising=False)
    pact = workspace(tmp_path / "source")
    monkeypatch.setenv("LEADPACT_PACT", str(pact))
    monkeypatch.setenv("LEADPACT_DB", engine.url.render_as_string(hide_password=False))
    shutil.copy(DATA / "hubspot-contacts.csv", tmp_path / "contacts.csv")
    assert run("import", "hubspot", str(tmp_path / "contacts.csv"), "--history").exit_code == 0
    live = [
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT, attributes={"plan": "pro", "seats": 12}),
        activity("L1", "2026-03-02T09:05:00-05:00", "demo_request", id="L1-a"),
        touch("L1", "2026-03-02T09:20:00-05:00", id="L1-t", note='said "call me, later"\nthanks'),
        {"id": "hs-55-lost", "type": "stage", "lead_id": "hs-55", "at": "2024-05-20T10:00:00-04:00",
         "data": {"stage": "closed_lost", "by": "ana", "product": "pro"}, "history": True},
    ]  # fmt: skip
    (tmp_path / "live.jsonl").write_text("".join(json.dumps(e) + "\n" for e in live), "utf-8")
    assert run("ingest", str(tmp_path / "live.jsonl")).exit_code == 0
    return tmp_path


def metrics_of(period: str, *store: str) -> dict[str, Any]:
    out = json.loads(run("metrics", "--period", period, "--as-of", AS_OF, "--json", *store).stdout)
    out.pop("as_of")
    return out


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_exported_events_ingest_into_a_fresh_store_with_the_same_metrics(
    filled: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = filled / f"events.{fmt}"
    result = run("export", "events", "--format", fmt, "--out", str(out), "--json")
    assert json.loads(result.stdout)["rows"] == 23
    before = {p: metrics_of(p) for p in ("2024", "2026-03")}
    fresh = workspace(filled / "fresh")
    monkeypatch.setenv("LEADPACT_PACT", str(fresh))
    monkeypatch.delenv("LEADPACT_DB")
    ingested = json.loads(run("ingest", str(out), "--json").stdout)
    assert ingested["summary"] == {"stored": 23, "duplicate": 0, "waiting": 0, "refused": 0}
    for period, expected in before.items():
        assert metrics_of(period) == expected
    assert before["2024"]["win_rate"] == 0.5 and before["2024"]["mql_count"] == 4
    lead = json.loads(run("lead", "L1", "--json").stdout)
    touch_note = next(e["data"]["note"] for e in lead["timeline"] if e["type"] == "touch")
    assert touch_note == 'said "call me, later"\nthanks'
    assert json.loads(run("lead", "hs-51", "--json").stdout)["timeline"][0]["history"] is True


def test_parquet_reads_back_with_its_types(filled: Path) -> None:
    import pyarrow.parquet as pq

    assert run("export", "events", "--format", "parquet", "--out", str(filled / "e.parquet")).exit_code == 0
    table = pq.read_table(filled / "e.parquet")
    assert table.num_rows == 23 and str(table.schema.field("at").type) == "timestamp[us, tz=UTC]"
    history = dict(zip(table.column("id").to_pylist(), table.column("history").to_pylist(), strict=True))
    assert history["hs-51-created"] is True and history["L1-c"] is False
    assert run("export", "handoffs", "--format", "parquet", "--out", str(filled / "h.parquet")).exit_code == 0
    handoffs = pq.read_table(filled / "h.parquet").to_pylist()
    assert {h["lead_id"] for h in handoffs} >= {"hs-51", "L1"}
    assert next(h for h in handoffs if h["lead_id"] == "hs-55")["closer"] == "ana"


def test_tables_periods_and_metrics_export(filled: Path) -> None:
    leads = run("export", "leads", "--format", "jsonl", "--period", "2024-03")
    ids = [json.loads(line)["lead_id"] for line in leads.stdout.splitlines()]
    assert ids == ["hs-51", "hs-52", "hs-53", "hs-54"]  # created in March 2024, by id
    metrics = run("export", "metrics", "--period", "2024", "--as-of", AS_OF, "--format", "csv").stdout
    assert "win_rate,0.5" in metrics.splitlines() and metrics.splitlines()[0] == "metric,value"
    assert "MQL→SAL" in metrics  # text as it is, not escaped
    import csv
    import io

    events = list(
        csv.reader(io.StringIO(run("export", "events", "--format", "csv", "--period", "2026-03").stdout))
    )
    assert [row[0] for row in events] == ["id", "L1-c", "L1-a", "L1-t"]  # March 2026's, in the order stored
    assert events[0][:5] == ["id", "type", "lead_id", "at", "history"]


def test_a_bad_request_is_one_clear_line(filled: Path) -> None:
    for args, expected in (
        (["export", "deals"], "expected events, leads"),
        (["export", "events", "--format", "xlsx"], "expected csv, jsonl, parquet"),
        (["export", "leads", "--period", "2024-13"], "--period"),
        (["export", "leads", "--out", str(filled / "nope" / "x.csv")], "cannot write"),
    ):
        result = run(*args)
        assert result.exit_code in (1, 2) and expected in result.stderr and "Traceback" not in result.output


def test_clocks_and_violations_export(filled: Path) -> None:
    clocks = run("export", "clocks", "--format", "jsonl", "--period", "2024-03")
    rows = [json.loads(line) for line in clocks.stdout.splitlines()]
    assert {r["kind"] for r in rows} >= {"first_contact"} and all(
        r["due_at"].startswith("2024-") for r in rows
    )
    violations = run("export", "violations", "--format", "csv", "--period", "2024")
    lines = violations.stdout.splitlines()
    assert lines[0].startswith("seq,") and any(",first_contact," in line for line in lines[1:])
