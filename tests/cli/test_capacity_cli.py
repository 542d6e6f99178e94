"""`leadpact capacity` on a store built by `ingest`: arrivals by hour of week, this week's roster, the
backtest against the compliance `metrics` measures, and the refusals."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import GOOD_FIT, activity, created, touch
from leadpact.cli import app, load_commands
from tests_support import ingest_rows, init_sla

load_commands()
runner = CliRunner()
AS_OF = "2026-03-25T16:00:00Z"  # Wednesday of 2026-W13; the closed weeks before it are W11 and W12
# Mondays and Tuesdays at 10:00 New York in W11 and W12: (minutes to the first touch) — 3 met, 1 late
SLOTS = [("2026-03-09", 3), ("2026-03-10", 2), ("2026-03-16", 4), ("2026-03-17", 40)]


@pytest.fixture
def sla(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    init_sla(tmp_path, monkeypatch)
    rows = []
    for i, (day, minutes) in enumerate(SLOTS):
        lead, at = f"K{i}", datetime.fromisoformat(f"{day}T10:00:00-04:00")
        rows += [created(lead, (at - timedelta(hours=1)).isoformat(), **GOOD_FIT)]
        rows += [activity(lead, at.isoformat(), "demo_request", id=f"{lead}-a")]
        first = at + timedelta(minutes=minutes)
        rows += [touch(lead, first.isoformat(), rep="ana", id=f"{lead}-t1")]
        rows += [
            touch(
                lead, (first + timedelta(minutes=12)).isoformat(), rep="ana", channel="email", id=f"{lead}-t2"
            )
        ]
    ingest_rows(tmp_path, rows)
    return tmp_path


def test_capacity_predicts_from_arrivals_by_hour_and_backtests_against_measured_compliance(sla: Path) -> None:
    out = runner.invoke(app, ["capacity", "--weeks", "2", "--as-of", AS_OF, "--json"])
    assert out.exit_code == 0, out.output
    c = json.loads(out.stdout)
    assert c["week"] == "2026-W13" and c["history"] == {"period": "2026-03-09..2026-03-22", "weeks": 2,
                                                        "high_handoffs": 4}  # fmt: skip
    monday_10, tuesday_10 = c["by_hour"][10], c["by_hour"][34]
    assert monday_10["arrivals"] == 1.0 and tuesday_10["arrivals"] == 1.0  # one a week in each slot
    assert monday_10["arrivals_by_tier"] == {"high": 1.0}
    assert monday_10["reps"] == 3 and c["by_hour"][3]["reps"] == 0  # the roster's three reps, 09:00-17:00
    assert monday_10["target_minutes"] == 5.0 and c["by_hour"][3]["target_minutes"] == 60.0
    assert 0 < c["predicted_compliance"] <= 1 and len(c["by_hour"]) == 168
    assert c["handle_from"] == "touches" and c["handle_minutes"] == pytest.approx(12.0)
    weeks = {w["week"]: w for w in c["backtest"]["by_week"]}
    metrics = json.loads(
        runner.invoke(app, ["metrics", "--period", "2026-W12", "--as-of", AS_OF, "--json"]).stdout
    )
    assert weeks["2026-W12"]["measured"] == metrics["by_tier"]["high"]["response_compliance"] == 0.5
    assert weeks["2026-W11"]["measured"] == 1.0 and weeks["2026-W11"]["high_handoffs"] == 2
    assert c["backtest"]["weeks"] == 2 and c["backtest"]["mean_absolute_error"] is not None


def test_capacity_text_fits_80_columns(sla: Path) -> None:
    out = runner.invoke(app, ["capacity", "--weeks", "2", "--as-of", AS_OF], terminal_width=80)
    assert out.exit_code == 0, out.output
    assert "Mon" in out.stdout and "2026-W12" in out.stdout and "predicted" in out.stdout
    assert max(len(line) for line in out.stdout.splitlines()) <= 80


def test_capacity_refuses_a_bad_target_and_a_missing_roster(sla: Path) -> None:
    bad = runner.invoke(app, ["capacity", "--target", "90", "--as-of", AS_OF])
    assert bad.exit_code == 2 and "--target" in bad.output and "Traceback" not in bad.output
    (sla / "team.yaml").unlink()
    none = runner.invoke(app, ["capacity", "--as-of", AS_OF])
    assert none.exit_code == 1 and "team.yaml" in none.output and "Traceback" not in none.output
