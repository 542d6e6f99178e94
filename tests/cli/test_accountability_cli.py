"""Accountability on the command line (DESIGN.md §10): escalations and resolving them, marketing's
violations beside sales's."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from accountability_support import ENV, ROSTER, day_of_leads, local, pact_with
from leadpact.cli import app, load_commands
from leadpact.domain.rules import rules_from_pact
from leadpact.services.escalations import evaluate
from leadpact.store.db import open_store
from tests_support import init_sla

load_commands()
runner = CliRunner()
MONDAY = local(date(2026, 3, 16), 12)


@pytest.fixture
def sla(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return init_sla(tmp_path, monkeypatch)


@pytest.fixture
def store(sla: Path) -> Engine:
    """The store beside the pact, with W10 and W11 below target (a week's target of 10 under the test pact)
    and the worker's evaluation on Monday 16 March."""
    engine = open_store(f"sqlite:///{(sla / 'leadpact.db').resolve()}")
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=2, touched=True)
    evaluate(engine, pact=pact, rules=rules_from_pact(pact), now=MONDAY, roster=ROSTER, env=ENV)
    return engine


def test_escalations_lists_what_the_worker_opened_and_resolve_closes_one(store: Engine) -> None:
    as_of = ["--as-of", MONDAY.isoformat()]
    listed = runner.invoke(app, ["escalations", "--json", *as_of])
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.stdout)["escalations"]
    assert [(e["rule"], e["period"], e["state"]) for e in items] == [
        ("marketing_volume", "2026-W10", "open"),
        ("marketing_volume", "2026-W11", "open"),
        ("sustained", "2026-W11", "open"),
    ]
    assert set(items[0]) >= {
        "id", "rule", "team", "period", "opened_at", "due_at", "state", "owner", "evidence", "plan",
        "resolved_at", "resolved_by",
    }  # fmt: skip
    text = runner.invoke(app, ["escalations", *as_of])
    assert text.exit_code == 0 and "recovery_plan: 2 MQLs of 10.0" in text.stdout, text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 80

    done = runner.invoke(
        app, ["escalations", "resolve", str(items[0]["id"]), "--plan", "two webinars", "--by", "Dana", *as_of]
    )
    assert done.exit_code == 0 and "resolved" in done.stdout
    again = runner.invoke(app, ["escalations", "resolve", str(items[0]["id"]), "--plan", "again"])
    assert again.exit_code == 1 and "resolved already" in again.output
    missing = runner.invoke(app, ["escalations", "resolve", "999", "--plan", "x"])
    assert missing.exit_code == 1 and "no escalation 999" in missing.output
    still = runner.invoke(app, ["escalations", "--open", "--json", *as_of])
    assert [e["id"] for e in json.loads(still.stdout)["escalations"]] == [items[1]["id"], items[2]["id"]]
    overdue = runner.invoke(
        app, ["escalations", "--json", "--as-of", (MONDAY + timedelta(days=3)).isoformat()]
    )
    states = {e["id"]: e["state"] for e in json.loads(overdue.stdout)["escalations"]}
    assert states == {items[0]["id"]: "resolved", items[1]["id"]: "overdue", items[2]["id"]: "open"}


def test_marketings_violations_are_listed_beside_sales(store: Engine) -> None:
    result = runner.invoke(app, ["violations", "--json", "--as-of", MONDAY.isoformat()])
    assert result.exit_code == 0
    marketing = [v for v in json.loads(result.stdout)["violations"] if v["owed_by"] == "marketing"]
    assert [(v["kind"], v["owner"]) for v in marketing] == [
        ("marketing_volume", "dana@acme.example"),
        ("marketing_volume", "dana@acme.example"),
    ]


def test_commitments_judge_each_period_with_the_numbers_metrics_prints(store: Engine) -> None:
    as_of = ["--as-of", MONDAY.isoformat()]
    result = runner.invoke(app, ["commitments", "--json", "--periods", "3", *as_of])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["commitments"]
    volume = doc["mql_volume"]
    assert [p["period"] for p in volume["periods"]] == ["2026-W09", "2026-W10", "2026-W11"]
    assert [p["actual"] for p in volume["periods"]] == [0, 2, 0]
    assert [p["met"] for p in volume["periods"]] == [False, False, False]
    assert (volume["team"], volume["current_run"], volume["longest_run"]) == ("marketing", 3, 3)
    for period in volume["periods"]:
        metrics = json.loads(
            runner.invoke(app, ["metrics", "--period", period["period"], "--json", *as_of]).stdout
        )
        assert (period["actual"], period["target"]) == (metrics["mql_count"], metrics["mql_target"])
    february = json.loads(runner.invoke(app, ["metrics", "--period", "2026-02", "--json", *as_of]).stdout)
    assert doc["acceptance"]["periods"][-1] == {
        "period": "2026-02", "actual": february["acceptance_rate"], "target": 0.7, "met": None
    }  # fmt: skip
    assert set(doc) == {
        "mql_volume", "acceptance", "feedback", "response_high", "response_medium", "response_low", "touches",
        "disposition", "hygiene",
    }  # fmt: skip
    text = runner.invoke(app, ["commitments", "--periods", "3", *as_of])
    assert text.exit_code == 0 and "✗✗✗" in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 80
    bad = runner.invoke(app, ["commitments", "--periods", "0"])
    assert bad.exit_code == 2 and "--periods" in bad.output


def test_decide_lists_and_marks_decisions_done(sla: Path) -> None:
    at = ["--as-of", MONDAY.isoformat()]
    made = runner.invoke(
        app, ["decide", "Two extra webinars", "--owner", "dana@acme.example", "--due", "2026-03-20",
              "--team", "marketing", "--json", *at],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    decision = json.loads(made.stdout)
    assert (decision["state"], decision["due"], decision["team"]) == ("open", "2026-03-20", "marketing")
    bad = runner.invoke(app, ["decide", "x", "--owner", "dana", "--due", "2026-03-20"])
    assert bad.exit_code == 2 and "owner: 'dana' is not an email address" in bad.output
    late = runner.invoke(app, ["decisions", "--json", "--as-of", "2026-03-23T12:00:00Z"])
    assert [d["state"] for d in json.loads(late.stdout)["decisions"]] == ["overdue"]
    text = runner.invoke(app, ["decisions", *at])
    assert text.exit_code == 0 and "Two extra webinars" in text.stdout
    done = runner.invoke(app, ["decisions", "done", str(decision["id"]), "--by", "Dana", *at])
    assert done.exit_code == 0 and f"decision {decision['id']} done" in done.stdout
    assert json.loads(runner.invoke(app, ["decisions", "--open", "--json", *at]).stdout) == {"decisions": []}
    twice = runner.invoke(app, ["decisions", "done", str(decision["id"])])
    assert twice.exit_code == 1 and "done already" in twice.output


def _versions() -> list[dict[str, object]]:
    result = runner.invoke(app, ["pact", "versions", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["versions"]  # type: ignore[no-any-return]


def test_both_heads_sign_the_version_in_force_and_a_changed_pact_needs_both_again(sla: Path) -> None:
    from leadpact.services.workspace import open_workspace

    pact_file = sla / "pact.yaml"
    pact_file.write_text(pact_file.read_text().replace("mode: monitoring", "mode: enforcing", 1))
    check = runner.invoke(app, ["check"])
    assert check.exit_code == 0, check.output  # an unsigned enforcing pact is valid ...
    assert "monitors until both heads sign" in " ".join(check.output.split())  # ... and says it monitors
    (first,) = _versions()
    assert first["signatures"] == {"marketing": None, "sales": None} and first["in_force_from"] is None
    assert first["mode_in_effect"] == "monitoring"

    at = ["--as-of", "2026-03-02T15:00:00Z"]
    half = runner.invoke(app, ["sign", "--as", "marketing", "--name", "Dana Cho", *at])
    assert half.exit_code == 0 and "still to sign: sales" in half.stdout
    both = runner.invoke(app, ["sign", "--as", "sales", "--name", "Sam Ortiz", "--json", *at])
    assert json.loads(both.stdout)["mode_in_effect"] == "enforcing"
    (signed,) = _versions()
    assert signed["signatures"] == {
        "marketing": {"name": "Dana Cho", "at": "2026-03-02T15:00:00Z"},
        "sales": {"name": "Sam Ortiz", "at": "2026-03-02T15:00:00Z"},
    }
    url = f"sqlite:///{(sla / 'leadpact.db').resolve()}"
    ws = open_workspace(pact_file, url, now=MONDAY)
    assert ws.pact.mode_in_effect == "enforcing" and ws.rules.enforcing  # disqualifications are guarded now
    wrong = runner.invoke(app, ["sign", "--as", "finance", "--name", "X"])
    assert wrong.exit_code == 2 and "'finance' is not marketing or sales" in wrong.output

    pact_file.write_text(pact_file.read_text().replace("min: 8", "min: 9", 1))
    diff = runner.invoke(app, ["pact", "diff", "--json"])
    assert json.loads(diff.stdout)["changes"] == [
        {"key": "touches.min", "change": "changed", "from": 8, "to": 9}
    ]
    assert runner.invoke(app, ["pact", "apply"]).exit_code == 0
    old, new = _versions()
    assert old["signatures"]["sales"] is not None  # the old version keeps its signatures
    assert new["signatures"] == {"marketing": None, "sales": None} and new["in_force_from"] is not None
    ws = open_workspace(pact_file, url, now=MONDAY)
    assert ws.pact.mode_in_effect == "monitoring" and not ws.rules.enforcing  # until both sign again
    back = runner.invoke(app, ["pact", "diff", old["version"], "--json"])  # A against the version in force
    assert [c["key"] for c in json.loads(back.stdout)["changes"]] == ["touches.min"]
    text = runner.invoke(app, ["pact", "diff", old["version"], new["version"]])
    assert text.exit_code == 0 and "touches.min" in text.stdout and "1 change(s)" in text.stdout
    unknown = runner.invoke(app, ["pact", "diff", "zzzz"])
    assert unknown.exit_code == 2 and "no pact version 'zzzz'" in unknown.output
    listed = runner.invoke(app, ["pact", "versions"])
    assert listed.exit_code == 0 and "Dana Cho" in listed.stdout
    assert max(len(line) for line in listed.stdout.splitlines()) <= 80


def test_the_worker_loop_records_and_opens_what_closed_periods_call_for(sla: Path) -> None:
    from leadpact.services.worker_loop import Pass, run_worker
    from leadpact.services.workspace import open_workspace

    url = f"sqlite:///{(sla / 'leadpact.db').resolve()}"
    engine = open_store(url)
    day_of_leads(engine, pact_with(), date(2026, 3, 2), leads=2, touched=True)
    ws = open_workspace(sla / "pact.yaml", url, now=MONDAY)
    passes: list[Pass] = []
    run_worker(ws, clock=lambda: MONDAY, once=True, on_pass=passes.append)
    (done,) = passes
    assert (done.escalations, done.violations) == (3, 2)  # W10, W11 and the joint one; W10 and W11 owed
    listed = runner.invoke(app, ["escalations", "--json", "--as-of", MONDAY.isoformat()])
    assert [e["period"] for e in json.loads(listed.stdout)["escalations"]] == [
        "2026-W10",
        "2026-W11",
        "2026-W11",
    ]
