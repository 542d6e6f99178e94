"""The commands a user meets first after `init`: ingest, lead, clocks, violations, metrics, erase, worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import GOOD_FIT, activity, created, disposition, touch
from leadpact.cli import app, load_commands
from tests_support import init_sla

load_commands()
runner = CliRunner()


@pytest.fixture
def sla(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return init_sla(tmp_path, monkeypatch)


def write(path: Path, *rows: dict | str) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


GOOD = [
    created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
    activity("L1", "2026-03-02T10:00:00-05:00", "demo_request", id="L1-a"),
    touch("L1", "2026-03-02T10:03:00-05:00", id="L1-t"),
    disposition("L1", "2026-03-02T11:00:00-05:00", "accepted", id="L1-d"),
]


def test_ingest_reports_every_event_that_was_not_simply_stored(sla: Path) -> None:
    file = write(
        sla / "events.jsonl",
        *GOOD,
        GOOD[1],
        "{not json",
        activity("L2", "2026-03-02T10:00:00Z", "demo_request", id="L2-a"),
    )
    result = runner.invoke(app, ["ingest", str(file), "--json"])
    assert result.exit_code == 1  # something was refused
    out = json.loads(result.stdout)
    assert out["summary"] == {"stored": 4, "duplicate": 1, "waiting": 1, "refused": 1}
    assert [(r["line"], r["status"]) for r in out["results"]] == [
        (5, "duplicate"),
        (6, "refused"),
        (7, "waiting"),
    ]
    assert out["results"][1]["field"] == "(line)" and "bad JSON" in out["results"][1]["reason"]
    assert (sla / "leadpact.db").exists()  # SQLite beside the pact by default
    again = runner.invoke(app, ["ingest", str(write(sla / "ok.jsonl", *GOOD)), "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["summary"]["duplicate"] == 4


def test_ingest_from_stdin_and_atomic(sla: Path) -> None:
    text = "".join(json.dumps(r) + "\n" for r in GOOD) + '{"id": "x"}\n'
    result = runner.invoke(app, ["ingest", "-", "--atomic", "--json"], input=text)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["rolled_back"] is True
    result = runner.invoke(app, ["ingest", "-", "--json"], input=text)
    assert json.loads(result.stdout)["summary"]["stored"] == 4


def test_lead_shows_the_shape_of_design_section_7(sla: Path) -> None:
    runner.invoke(app, ["ingest", str(write(sla / "e.jsonl", *GOOD))])
    result = runner.invoke(app, ["lead", "L1", "--json", "--as-of", "2026-03-03T00:00:00Z"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    for key in (
        "lead_id",
        "stage",
        "source",
        "segment",
        "tier",
        "owner",
        "fit",
        "engagement",
        "score_reasons",
        "stage_times",
        "handoffs",
        "clocks",
        "timeline",
        "waiting",
        "flags",
    ):
        assert key in view
    assert view["stage"] == "sal" and view["tier"] == "high" and view["fit"] == 65
    assert view["handoffs"][0]["mql_at"] == "2026-03-02T15:00:00Z"
    first = next(c for c in view["clocks"] if c["kind"] == "first_contact")
    assert first["status"] == "met" and first["due_at"] == "2026-03-02T15:05:00Z"
    assert {"rule": "employees between 200..5000", "points": 20, "count": 1, "kind": "fit"} in view[
        "score_reasons"
    ]
    earlier = json.loads(
        runner.invoke(app, ["lead", "L1", "--json", "--as-of", "2026-03-02T14:30:00Z"]).stdout
    )
    assert earlier["stage"] == "raw" and "engagement 0.0/30" in earlier["gate"]["missing"][0]
    human = runner.invoke(app, ["lead", "L1"])
    assert human.exit_code == 0 and "L1" in human.output


def test_a_lead_that_does_not_exist_says_so_and_exits_1(sla: Path) -> None:
    result = runner.invoke(app, ["lead", "NOPE"])
    assert result.exit_code == 1 and "no lead 'NOPE'" in result.output
    assert runner.invoke(app, ["erase", "NOPE"]).exit_code == 1


def test_clocks_violations_metrics_and_worker_print_json(sla: Path) -> None:
    runner.invoke(app, ["ingest", str(write(sla / "e.jsonl", GOOD[0], GOOD[1]))])
    clocks = json.loads(
        runner.invoke(app, ["clocks", "--breached", "--json", "--as-of", "2026-03-02T16:00:00Z"]).stdout
    )
    assert [c["kind"] for c in clocks["clocks"]] == ["first_contact"]
    worker = runner.invoke(app, ["worker", "--once", "--json"])
    assert worker.exit_code == 0 and json.loads(worker.stdout)["breaches"] >= 1
    violations = json.loads(runner.invoke(app, ["violations", "--period", "2026-03", "--json"]).stdout)
    assert violations["violations"][0]["kind"] == "first_contact"
    assert violations["violations"][0]["recorded_at"] is not None
    metrics = json.loads(runner.invoke(app, ["metrics", "--period", "2026-03", "--json"]).stdout)
    assert metrics["mql_count"] == 1 and metrics["mql_target"] == pytest.approx(3200 / 9)
    read = ["metrics", "--period", "2026-03", "--as-of", "2026-04-02T00:00:00Z", "--json"]
    cached = json.loads(runner.invoke(app, read).stdout)
    assert json.loads(runner.invoke(app, [*read, "--no-cache"]).stdout) == cached  # tables = month pack
    assert runner.invoke(app, ["metrics", "--period", "March"]).exit_code == 2


def test_erase_keeps_the_fact_and_removes_the_person(sla: Path) -> None:
    runner.invoke(app, ["ingest", str(write(sla / "e.jsonl", *GOOD))])
    result = runner.invoke(app, ["erase", "L1", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["events"] == 4
    view = json.loads(runner.invoke(app, ["lead", "L1", "--json"]).stdout)
    assert view["erased"] is True and view["fields"] == {}
    assert json.loads(runner.invoke(app, ["erase", "L1", "--json"]).stdout)["already"] is True


def test_the_rep_who_works_a_handoff_owns_it_with_the_team_the_roster_gives(sla: Path) -> None:
    runner.invoke(app, ["ingest", str(write(sla / "e.jsonl", *GOOD))])
    view = json.loads(runner.invoke(app, ["lead", "L1", "--json"]).stdout)
    assert view["owner"] == "ana" and view["handoffs"][0]["owner"] == "ana"
    metrics = json.loads(runner.invoke(app, ["metrics", "--period", "2026-03", "--json"]).stdout)
    assert list(metrics["by_team"]) == ["sdr-smb"] and list(metrics["by_rep"]) == ["ana"]


def test_rescore_reports_then_applies_a_looser_gate(sla: Path) -> None:
    from datetime import UTC, datetime, timedelta

    recent = datetime.now(UTC) - timedelta(days=1)  # engagement decays: the rescore scores at now
    short = created("R1", recent.isoformat(), employees=500, job_function="marketing")  # fit 35
    runner.invoke(
        app,
        ["ingest", str(write(sla / "e.jsonl", short, activity("R1", recent.isoformat(), "demo_request")))],
    )
    pact_file = sla / "pact.yaml"
    pact_file.write_text(
        pact_file.read_text().replace("mql: {fit: 40, engagement: 30}", "mql: {fit: 30, engagement: 30}")
    )
    dry = json.loads(runner.invoke(app, ["rescore", "--json"]).stdout)
    assert (dry["newly_cross"], dry["applied"]) == (1, 0)
    assert json.loads(runner.invoke(app, ["lead", "R1", "--json"]).stdout)["handoffs"] == []
    done = json.loads(runner.invoke(app, ["rescore", "--apply", "--json"]).stdout)
    assert (done["newly_cross"], done["applied"]) == (1, 1)
    view = json.loads(runner.invoke(app, ["lead", "R1", "--json"]).stdout)
    assert view["stage"] == "mql" and view["handoffs"][0]["trigger_event"].startswith("pact:")
    again = json.loads(runner.invoke(app, ["rescore", "--json"]).stdout)
    assert again["newly_cross"] == 0
