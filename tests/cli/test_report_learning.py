"""The quarterly review's learning sections: the quarter's calibration session, the response curve and the
capacity model, each saying the numbers its own command prints with `--json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadpact.cli import load_commands
from leadpact.cli.app import app
from tests_support import EXAMPLE, init_worked_example

load_commands()
runner = CliRunner()
AS_OF = "2026-11-24T00:00:00Z"


@pytest.fixture(scope="module")
def sla(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("learning") / "sla"
    init_worked_example(folder)
    invoke(folder, "ingest", str(EXAMPLE / "events.jsonl"))
    return folder


def invoke(folder: Path, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--pact", str(folder / "pact.yaml")], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result


def test_the_quarterly_review_says_the_calibration_curve_and_capacity_of_their_commands(sla: Path) -> None:
    before = invoke(
        sla, "report", "quarterly", "--period", "2026-Q1", "--as-of", AS_OF, "--format", "md"
    ).stdout
    assert "No calibration session of the quarter" in before
    session = json.loads(
        invoke(
            sla, "calibrate", "sample", "--period", "2026-03", "--size", "6", "--as-of", AS_OF, "--json"
        ).stdout
    )
    leads = [row["lead_id"] for row in session["sheet"]]
    for lead, m, s in zip(leads, "yyynny", "ynynny", strict=False):
        for team, said in (("marketing", m), ("sales", s)):
            invoke(
                sla, "calibrate", "record", str(session["session"]), lead, "--team", team, "--verdict", said
            )
    calibration = json.loads(invoke(sla, "calibrate", "report", "--json").stdout)
    curve = json.loads(invoke(sla, "curve", "--period", "2026-Q1", "--as-of", AS_OF, "--json").stdout)
    text = invoke(
        sla, "report", "quarterly", "--period", "2026-Q1", "--as-of", AS_OF, "--format", "md"
    ).stdout
    flat = " ".join(text.split())
    assert f"Session {session['session']} (2026-03)" in flat
    assert (
        f"agreement {calibration['agreement'] * 100:.1f}%, Cohen's kappa {calibration['kappa']:.2f}" in flat
    )
    assert "## Response time and conversion" in text and "## Capacity for the high-intent clock" in text
    first = curve["buckets"][0]
    assert f"| ≤5m | {first['handoffs']} | {first['sql_rate'] * 100:.1f}% |" in text
    html = invoke(
        sla, "report", "quarterly", "--period", "2026-Q1", "--as-of", AS_OF, "--format", "html"
    ).stdout
    for title in ("Acceptance and SQL rate by score band", "Reached SQL by first-contact time"):
        assert title in html
