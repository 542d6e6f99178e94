"""`leadpact calibrate sample|record|report` as a user runs them, on a store built by `ingest`."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from builders import activity, created, disposition, touch
from leadpact.cli import app, load_commands
from tests_support import ingest_rows, init_sla

load_commands()
runner = CliRunner()
AS_OF = "2026-04-10T12:00:00Z"
FITS = [  # different fit scores, so the period's handoffs spread over score bands
    {
        "employees": 500,
        "job_function": "marketing",
        "seniority": "director",
        "industry": "software",
        "country": "US",
    },
    {"employees": 500, "job_function": "sales", "seniority": "vp", "industry": "saas"},
    {"employees": 300, "job_function": "revops", "seniority": "manager"},
    {"employees": 800, "job_function": "marketing", "seniority": "c_level", "country": "CA"},
]


@pytest.fixture
def sla(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    init_sla(tmp_path, monkeypatch)
    rows = []
    for i in range(16):
        lead, at = f"Q{i:02d}", datetime.fromisoformat("2026-03-02T10:00:00-05:00") + timedelta(days=i)
        rows += [created(lead, (at - timedelta(hours=1)).isoformat(), company=f"Co {i}", **FITS[i % 4])]
        rows += [activity(lead, at.isoformat(), "demo_request", id=f"{lead}-a")]
        rows += [touch(lead, (at + timedelta(minutes=3)).isoformat(), id=f"{lead}-t")]
        outcome = "accepted" if i % 3 else "rejected"
        reason = None if outcome == "accepted" else "wrong_job_function"
        rows += [disposition(lead, (at + timedelta(hours=2)).isoformat(), outcome, reason, id=f"{lead}-d")]
    ingest_rows(tmp_path, rows)
    return tmp_path


def _sample(sla: Path, seed: int, name: str) -> tuple[dict, Path]:
    out = sla / name
    args = ["--period", "2026-03", "--size", "8", "--seed", str(seed), "--out", str(out), "--as-of", AS_OF]
    got = runner.invoke(app, ["calibrate", "sample", *args, "--json"])
    assert got.exit_code == 0, got.output
    return json.loads(got.stdout), out


def test_a_session_from_sample_to_report(sla: Path) -> None:
    first, sheet = _sample(sla, 7, "sheet.csv")
    again, _ = _sample(sla, 7, "again.csv")
    assert first["size"] == 8 and first["handoffs"] == 16 and again["session"] == first["session"] + 1
    assert [r["lead_id"] for r in first["sheet"]] == [r["lead_id"] for r in again["sheet"]]  # same seed
    assert sum(b["handoffs"] for b in first["bands"]) == 16 and len(first["bands"]) >= 2
    rows = list(csv.DictReader(sheet.open()))
    assert [r["lead_id"] for r in rows] == [r["lead_id"] for r in first["sheet"]] and rows[0]["company"]
    marketing = ["yes", "yes", "no", "yes", "no", "yes", "yes", "no"]
    sales = ["yes", "no", "no", "yes", "yes", "yes", "no", "no"]
    for row, m, s in zip(rows, marketing, sales, strict=True):
        row["marketing"], row["sales"] = m, s
    rows[-1]["sales"] = "perhaps"  # refused with its line; the rest is recorded
    with sheet.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    recorded = runner.invoke(app, ["calibrate", "record", str(sheet), "--json"])
    assert recorded.exit_code == 1  # something was refused
    result = json.loads(recorded.stdout)
    assert result["recorded"] == {"marketing": 8, "sales": 7}
    assert result["refused"] == [{"line": 9, "field": "sales", "reason": result["refused"][0]["reason"]}]
    one = runner.invoke(app, ["calibrate", "record", str(first["session"]), rows[-1]["lead_id"], "--team",
                              "sales", "--verdict", "bad"])  # fmt: skip
    assert one.exit_code == 0, one.output
    report = json.loads(runner.invoke(app, ["calibrate", "report", str(first["session"]), "--json"]).stdout)
    assert report["n"] == 8 and report["pending"] == {"marketing": 0, "sales": 0}
    assert report["agreement"] == pytest.approx(5 / 8)
    assert report["kappa"] == pytest.approx(cohen_kappa_score(marketing, sales))
    assert len(report["disagreements"]) == 3
    assert {b["band"] for b in report["drift"]["bands"]} == {b["band"] for b in first["bands"]}
    latest = json.loads(runner.invoke(app, ["calibrate", "report", "--json"]).stdout)
    assert latest["session"] == again["session"] and latest["n"] == 0 and latest["kappa"] is None
    text = runner.invoke(app, ["calibrate", "report", str(first["session"])], terminal_width=80)
    assert "kappa" in text.stdout and "Drift" in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["report"], "no calibration session yet"),
        (["record", "1", "Q01", "--team", "sales", "--verdict", "yes"], "no calibration session 1"),
        (["record", "nosuch.csv"], "no such sheet"),
        (["sample", "--period", "2025-01", "--as-of", AS_OF], "nothing to calibrate"),
        (["sample", "--period", "2025-13"], "--period"),
    ],
)
def test_calibrate_says_what_is_wrong_in_one_line(sla: Path, args: list[str], says: str) -> None:
    out = runner.invoke(app, ["calibrate", *args])
    assert out.exit_code in (1, 2) and says in out.output and "Traceback" not in out.output


def test_a_verdict_on_a_lead_outside_the_session_is_refused(sla: Path) -> None:
    first, _ = _sample(sla, 3, "s.csv")
    sampled = {r["lead_id"] for r in first["sheet"]}
    outside = next(f"Q{i:02d}" for i in range(16) if f"Q{i:02d}" not in sampled)
    args = ["calibrate", "record", str(first["session"]), outside, "--team", "marketing", "--verdict", "yes"]
    out = runner.invoke(app, args)
    assert out.exit_code == 1 and "not in calibration session" in out.output
    bad = runner.invoke(app, [*args[:3], sorted(sampled)[0], "--team", "finance", "--verdict", "yes"])
    assert bad.exit_code == 1 and "--team" in bad.output
