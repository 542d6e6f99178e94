"""`replay`: a period under a proposed pact, computed in a scratch store, equals a fresh store that ingested
the same events under that pact; replaying the pact in force changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from typer.testing import CliRunner

from leadpact.demo.company import DEMO_ROSTER_YAML
from leadpact.demo.generator import generate
from leadpact.pact import Pact
from leadpact.roster import load_roster
from leadpact.services.erase import erase_lead
from leadpact.services.ingest import ingest
from leadpact.services.metrics import metrics
from leadpact.services.versions import versions_in_force
from leadpact.services.whatif import replay
from leadpact.services.workspace import Workspace
from leadpact.store.db import open_store

AS_OF = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PERIOD = "2026-02"


def _events() -> list[dict[str, Any]]:
    return list(generate(120, 11, start=date(2026, 1, 5), months=2))


def _lines(events: list[dict[str, Any]]) -> list[tuple[int, Any]]:
    return list(enumerate(events, start=1))


def _stricter() -> Pact:
    data = Pact().model_dump(mode="json")
    data["scoring"]["mql"] = {"fit": 40, "engagement": 45}
    data["response"]["high"] = {"business_hours": "10m", "after_hours": "2h"}
    return Pact.model_validate(data)


def _store_with(engine: Engine, directory: Path, file_pact: Pact) -> Workspace:
    """The demo company's events ingested under the default pact (in force); `file_pact` is the proposed."""
    (directory / "team.yaml").write_text(DEMO_ROSTER_YAML)
    current = Pact()
    recorded = versions_in_force(engine, current, AS_OF)
    roster = load_roster(directory / "team.yaml", current)
    url = engine.url.render_as_string(hide_password=False)
    ws = Workspace(engine, url, directory / "pact.yaml", file_pact, roster, recorded)
    report = ingest(
        engine, ws.versions, ws.vocab, _lines(_events()), now=AS_OF, routing=ws.routing, roster=roster
    )
    assert report.refused == 0
    return ws


def _fresh(directory: Path, pact: Pact) -> dict[str, Any]:
    """A fresh store that ingested the same events under `pact` alone: its period's metrics."""
    engine = open_store(f"sqlite:///{directory / 'fresh.db'}")
    roster = load_roster(directory / "team.yaml", pact)
    ws = Workspace(engine, "", directory / "pact.yaml", pact, roster, versions_in_force(engine, pact, AS_OF))
    ingest(engine, ws.versions, ws.vocab, _lines(_events()), now=AS_OF, routing=ws.routing, roster=roster)
    try:
        return metrics(engine, pact, ws.rules, PERIOD, as_of=AS_OF, cache=False)
    finally:
        engine.dispose()


def test_the_proposed_numbers_equal_a_fresh_store_that_ingested_the_events_under_that_pact(
    engine: Engine, tmp_path: Path
) -> None:
    proposed = _stricter()
    ws = _store_with(engine, tmp_path, proposed)
    result = replay(ws, PERIOD, as_of=AS_OF)
    assert result["proposed"] == _fresh(tmp_path, proposed)
    assert result["current"] == metrics(engine, ws.pact, ws.rules, PERIOD, as_of=AS_OF)
    # the stricter gate hands off fewer leads, and the difference says so in its own numbers
    assert result["proposed"]["mql_count"] < result["current"]["mql_count"]
    assert (
        result["difference"]["mql_count"] == result["proposed"]["mql_count"] - result["current"]["mql_count"]
    )
    assert result["versions"] == {"current": Pact().version, "proposed": proposed.version}
    summary = result["replayed"]["proposed"]["summary"]
    assert summary["refused"] == sum(result["replayed"]["proposed"]["refused_by_field"].values())


def test_replaying_the_pact_in_force_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    ws = _store_with(engine, tmp_path, Pact())
    assert erase_lead(engine, "L-000003", now=AS_OF) is not None  # its facts stay, and count in the replay
    result = replay(ws, PERIOD, as_of=AS_OF)
    assert result["replayed"]["current"]["summary"]["refused"] == 0
    assert result["current"] == result["proposed"]
    diff = result["difference"]
    assert diff["mql_count"] == 0 and diff["breaches"] == {"first_contact": 0, "disposition": 0}
    assert all(g["mql_count"] == 0 for g in diff["by_rep"].values())
    assert result["breaches"]["current"]["first_contact"] > 0  # the demo's reps miss some clocks


def test_replay_command_prints_both_sides_in_80_columns_and_json(tmp_path: Path, monkeypatch: Any) -> None:
    from leadpact.cli import app, load_commands

    load_commands()
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    (tmp_path / "team.yaml").write_text(DEMO_ROSTER_YAML)
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in _events()))
    monkeypatch.delenv("LEADPACT_DB", raising=False)
    pact = str(tmp_path / "pact.yaml")
    loaded = runner.invoke(app, ["ingest", str(events), "--pact", pact])
    assert loaded.exit_code == 0, loaded.output
    proposed = tmp_path / "proposed" / "pact.yaml"
    proposed.parent.mkdir()
    text = (
        (tmp_path / "pact.yaml")
        .read_text()
        .replace("mql: {fit: 40, engagement: 30}", "mql: {fit: 40, engagement: 45}")
    )
    proposed.write_text(text)
    (proposed.parent / "team.yaml").write_text(DEMO_ROSTER_YAML)
    db = ["--db", f"sqlite:///{tmp_path / 'leadpact.db'}"]
    args = ["replay", "--pact", str(proposed), *db, "--period", PERIOD, "--as-of", AS_OF.isoformat()]
    shown = runner.invoke(app, args, terminal_width=80)
    assert shown.exit_code == 0, shown.output
    assert "MQLs" in shown.stdout and "in force" in shown.stdout and "proposed" in shown.stdout
    assert max(len(line) for line in shown.stdout.splitlines()) <= 80
    out = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert set(out) >= {"period", "current", "proposed", "difference"}
    assert out["difference"]["mql_count"] < 0
    bad = runner.invoke(app, ["replay", "--pact", str(proposed), *db, "--period", "2026-13"])
    assert bad.exit_code == 2 and "--period" in bad.output and "Traceback" not in bad.output
