"""What people read: every text command on a small store at 80 columns, times in the pact's zone.

Each command runs as a user runs it (COLUMNS=80); no line may pass 80 characters, and the values a
person looks for — a lead id, a time in the pact's zone (America/New_York), a status — must be there
whole. JSON keeps UTC.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import GOOD_FIT, activity, created, disposition, touch
from leadpact.cli import app, load_commands

load_commands()
runner = CliRunner()

WIDTH = 80
AS_OF = "2026-03-20T12:00:00-04:00"  # after the clocks below are due (EDT since 2026-03-08)
LOCAL = re.compile(r"\b2026-\d\d-\d\d \d\d:\d\d\b")  # a time as listings show it
UTC_ISO = re.compile(r"\d\d:\d\d(:\d\d(\.\d+)?)?Z\b")  # as JSON writes it: never in text

EVENTS = [
    created("L-100001", "2026-03-02T09:00:00-05:00", company="Globex Corporation International", **GOOD_FIT),
    activity("L-100001", "2026-03-02T10:00:00-05:00", "demo_request", id="L1-a", asset="/demo/platform"),
    touch("L-100001", "2026-03-02T10:03:00-05:00", id="L1-t"),
    disposition("L-100001", "2026-03-02T11:00:00-05:00", "accepted", id="L1-d"),
    created("L-100002", "2026-03-03T09:00:00-05:00", **GOOD_FIT),
    activity("L-100002", "2026-03-03T10:00:00-05:00", "demo_request", id="L2-a"),
    touch("L-100002", "2026-03-04T10:03:00-05:00", id="L2-t", channel="email"),
    disposition("L-100002", "2026-03-05T11:00:00-05:00", "disqualified", "no_budget_or_timeline", id="L2-d"),
    created("L-100003", "2026-03-03T09:00:00-05:00", **{**GOOD_FIT, "employees": 2000}),
    activity("L-100003", "2026-03-03T22:00:00-05:00", "demo_request", id="L3-a"),
    activity("L-100009", "2026-03-03T10:00:00-05:00", "demo_request", id="L9-a"),
]
HOOK = "http://127.0.0.1:9/" + "a-long-path/" * 6 + "leadpact"  # nothing listens: delivery fails


def write(path: Path, rows: list[dict | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default pact and roster (eva inactive: the enterprise lead waits in the queue; a webhook that
    refuses), and the events above ingested."""
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    team = tmp_path / "team.yaml"
    text = team.read_text().replace(
        "team: sdr-enterprise, weight: 1}", "team: sdr-enterprise, weight: 1, active: false}"
    )
    team.write_text(text + f'notify:\n  webhooks: [{{url: "{HOOK}"}}]\n')
    monkeypatch.setenv("LEADPACT_PACT", str(tmp_path / "pact.yaml"))
    monkeypatch.delenv("LEADPACT_DB", raising=False)
    assert runner.invoke(app, ["ingest", str(write(tmp_path / "e.jsonl", EVENTS))]).exit_code == 0
    return tmp_path


def read(args: list[str], code: int = 0) -> str:
    """Run a command at 80 columns as a user would; its output (stdout and stderr), every line checked."""
    result = runner.invoke(app, args, env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == code, result.output
    text = result.output
    wide = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not wide, f"{args}: lines over {WIDTH} columns:\n" + "\n".join(wide)
    assert not UTC_ISO.search(text), f"{args}: a UTC time in text:\n{text}"
    return text


def test_lead_shows_its_times_in_the_pacts_zone(store: Path) -> None:
    text = read(["lead", "L-100002", "--as-of", AS_OF])
    assert "L-100002" in text and "disqualified" in text and "breached" in text
    assert "2026-03-03 10:00" in text  # MQL at, 15:00 UTC
    assert "2026-03-03 10:05" in text  # first contact due, 15:05 UTC
    assert "15:05" not in text and "as of 2026-03-20 12:00 EDT" in text
    assert "no_budget_or_timeline" in text and "L-100002#handoff1" in text  # whole, not folded
    assert "times in EST/EDT (America/New_York)" in text
    waiting = read(["lead", "L-100009"])
    assert "2026-03-03 10:00" in waiting and "L9-a" in waiting and "America/New_York" in waiting


def test_clocks_violations_and_queue_read_in_the_pacts_zone(store: Path) -> None:
    clocks = read(["clocks", "--as-of", AS_OF])
    row = next(line for line in clocks.splitlines() if line.startswith("2026-03-03 10:05"))
    assert "L-100002" in row and "first_contact" in row and "breached" in row
    assert "8 clock(s) as of 2026-03-20 12:00 EDT" in clocks
    violations = read(["violations", "--as-of", AS_OF])
    assert "L-100002" in violations and "first_contact" in violations and "min_touches" in violations
    assert "2026-03-03 10:05" in violations and "not yet" in violations
    queue = read(["queue"])
    row = next(line for line in queue.splitlines() if line.startswith("L-100003"))
    assert "sdr-smb" in row and "2026-03-03 22:00" in row and " d " in row  # waited days, not minutes
    assert "1 handoff(s) waiting; times in EST (America/New_York)" in queue


def test_routing_worker_and_outbox_at_80_columns(store: Path) -> None:
    explain = read(["routing", "explain", "L-100001"])
    assert "L-100001 ->" in explain and re.search(r"recorded: handoff 1 -> ana .* E[SD]T", explain)
    fairness = read(["routing", "fairness", "--period", "2026-03"])
    assert "Fairness 2026-03" in fairness and re.search(r"ana\s+sdr-smb", fairness)
    worker = read(["worker", "--once"])
    assert re.search(r"^2026-\d\d-\d\d \d\d:\d\d E[SD]T  warnings \d+, breaches \d+", worker, re.M)
    assert "connection refused" in worker and "breach(es) recorded" in worker
    outbox = read(["outbox"])
    assert "clock.breached" in outbox and "pending" in outbox and LOCAL.search(outbox)
    assert "America/New_York" in outbox and "a-long-path" in outbox
    assert "nothing to retry" in read(["outbox", "retry", "--failed"])
    purge = " ".join(read(["outbox", "purge", "--older-than", "0m"]).split())
    assert re.search(r"deleted 0 message\(s\) created before 2026-\d\d-\d\d \d\d:\d\d E[SD]T", purge)


def test_metrics_plan_rescore_and_check_at_80_columns(store: Path) -> None:
    metrics = read(["metrics", "--period", "2026-03", "--as-of", "2026-04-02T00:00:00Z"])
    assert "2026-03-01 00:00 EST .. 2026-04-01 00:00 EDT" in metrics
    assert "as of 2026-04-01 20:00 EDT" in " ".join(metrics.split())
    assert "no_budget_or_timeline" in metrics and "webinar" in metrics
    plan = read(["plan"])
    assert "1,067" in plan and "356" in plan and "elasticity" in plan
    check = read(["check"])
    assert "5m in business hours, 1h outside" in " ".join(check.split()) and "wrong_job_function" in check
    pact = store / "pact.yaml"
    pact.write_text(
        pact.read_text().replace("mql: {fit: 40, engagement: 30}", "mql: {fit: 30, engagement: 30}")
    )
    rescore = read(["rescore"])
    assert "open leads scored" in rescore and "dry run" in rescore
    applied = " ".join(read(["pact", "apply"]).split())
    assert re.search(r"applied: version \w+ in force from 2026-\d\d-\d\d \d\d:\d\d E[SD]T", applied)


def test_ingest_counts_duplicates_and_lists_what_needs_action(store: Path) -> None:
    again = write(
        store / "again.jsonl",
        [*EVENTS[:3], activity("L-100010", "2026-03-03T10:00:00Z", "demo_request", id="L10-a"), "{bad"],
    )
    text = read(["ingest", str(again)], code=1)
    assert "duplicate 3 (already stored; --verbose lists them)" in " ".join(text.split())
    assert "line 4 L10-a waiting" in text and "line 5" in text and "refused" in text
    assert "L1-t" not in text  # a duplicate is counted, not listed
    verbose = read(["ingest", str(again), "--verbose"], code=1)
    for line, event in ((1, "L-100001-c"), (2, "L1-a"), (3, "L1-t")):
        assert f"line {line} {event} duplicate (already stored)" in verbose
    assert "duplicate 4," in verbose  # the waiting event of the first run is a duplicate now
    out = json.loads(runner.invoke(app, ["ingest", str(again), "--json"]).stdout)
    assert [r["status"] for r in out["results"]] == ["duplicate"] * 4 + ["refused"]  # JSON unchanged


def test_erase_notify_init_and_demo_at_80_columns(store: Path, tmp_path: Path) -> None:
    assert "Next: put your people in team.yaml" in read(["init", str(tmp_path / "new")])
    assert "erased L-100002" in read(["erase", "L-100002"])
    assert re.search(r"already erased on 2026-\d\d-\d\d \d\d:\d\d E[SD]T", read(["erase", "L-100002"]))
    notify = read(["notify", "test"], code=1)
    assert "webhook" in notify and "failed" in notify and "a-long-path" in notify
    demo = read(["demo", "--no-serve", "--leads", "40", "--months", "1", "--dir", str(tmp_path / "demo")])
    assert "Scorecard, last full month" in demo and "first contact within SLA" in demo
    assert re.search(r"as of \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T", " ".join(demo.split()))


def test_json_keeps_utc(store: Path) -> None:
    view = json.loads(runner.invoke(app, ["lead", "L-100002", "--json", "--as-of", AS_OF]).stdout)
    assert view["handoffs"][0]["mql_at"] == "2026-03-03T15:00:00Z" and view["as_of"] == "2026-03-20T16:00:00Z"
    clocks = json.loads(runner.invoke(app, ["clocks", "--json", "--as-of", AS_OF]).stdout)
    assert clocks["as_of"] == "2026-03-20T16:00:00Z"
    assert all(c["due_at"].endswith("Z") for c in clocks["clocks"])


def test_version_prints_the_installed_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"leadpact {version('leadpact')}\n"
