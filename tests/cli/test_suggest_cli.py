"""`leadpact calibrate suggest` on the demo company: it beats today's score on held-out handoffs, or says
so."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadpact.cli import app, load_commands
from leadpact.demo.company import DEMO_ROSTER_YAML
from leadpact.demo.generator import generate

load_commands()
runner = CliRunner()
AS_OF = "2026-08-10T12:00:00Z"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    assert runner.invoke(app, ["init", str(home)]).exit_code == 0
    (home / "team.yaml").write_text(DEMO_ROSTER_YAML)
    events = home / "events.jsonl"
    events.write_text(
        "".join(json.dumps(e) + "\n" for e in generate(2500, 7, start=date(2026, 1, 5), months=7))
    )
    done = runner.invoke(app, ["ingest", str(events), "--pact", str(home / "pact.yaml")])
    assert done.exit_code == 0, done.output
    return home


def test_suggest_on_the_demo_company_beats_todays_score_on_held_out_data_or_says_it_does_not(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPACT_PACT", str(demo / "pact.yaml"))
    monkeypatch.delenv("LEADPACT_DB", raising=False)
    args = ["calibrate", "suggest", "--period", "2026-01-05..2026-06-30", "--as-of", AS_OF]
    out = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert out["fitted"] and out["held_out"] >= 100
    auc = out["auc"]
    assert out["beats_today"] == (auc["suggested"] > auc["today"])
    assert len(out["rules"]) == 15 and {r["kind"] for r in out["rules"]} == {"fit", "engagement"}
    assert out["predicted"]["today"]["mql_volume"] > 0
    text = runner.invoke(app, args, terminal_width=80).stdout
    said = "ranks held-out leads better" if out["beats_today"] else "does NOT rank held-out leads better"
    flat = " ".join(text.split())
    assert said in flat and "job_function in [marketing" in flat
    assert max(len(line) for line in text.splitlines()) <= 80
