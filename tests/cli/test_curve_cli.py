"""`leadpact curve` on a store built by `ingest`: buckets from hand-set response times, both outputs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import BANT, GOOD_FIT, activity, created, disposition, stage, touch
from leadpact.cli import app, load_commands
from tests_support import ingest_rows, init_sla

load_commands()
runner = CliRunner()
AS_OF = "2026-04-20T12:00:00Z"
# (response minutes, reaches SQL): 3 within 5 minutes (2 SQLs), 1 at 20, 2 after 30 (1 SQL), 1 never touched
LEADS = [(2, True), (4, True), (5, False), (20, True), (45, False), (180, True), (None, False)]


@pytest.fixture
def sla(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    init_sla(tmp_path, monkeypatch)
    rows = []
    for i, (minutes, sql) in enumerate(LEADS):
        lead = f"C{i}"
        day = datetime.fromisoformat("2026-03-03T10:00:00-05:00") + timedelta(days=i)
        rows += [created(lead, (day - timedelta(hours=1)).isoformat(), **GOOD_FIT)]
        rows += [activity(lead, day.isoformat(), "demo_request", id=f"{lead}-a")]
        if minutes is not None:
            first = day + timedelta(minutes=minutes)
            rows += [touch(lead, first.isoformat(), id=f"{lead}-t")]
            if sql:
                rows += [
                    disposition(lead, (first + timedelta(minutes=5)).isoformat(), "accepted", id=f"{lead}-d")
                ]
                rows += [stage(lead, (first + timedelta(days=2)).isoformat(), "sql", id=f"{lead}-s", **BANT)]
    ingest_rows(tmp_path, rows)
    return tmp_path


def test_curve_buckets_the_periods_handoffs_by_response_time(sla: Path) -> None:
    out = runner.invoke(app, ["curve", "--period", "2026-03", "--as-of", AS_OF, "--json"])
    assert out.exit_code == 0, out.output
    c = json.loads(out.stdout)
    assert c["handoffs"] == 7
    got = {b["label"]: (b["handoffs"], b["sqls"]) for b in c["buckets"]}
    assert got == {"≤5m": (3, 2), "5–30m": (1, 1), "30m–1h": (1, 0), "1–24h": (1, 1), ">24h": (0, 0),
                   "no touch": (1, 0)}  # fmt: skip
    first = c["buckets"][0]
    assert first["sql_rate"] == pytest.approx(2 / 3) and first["low"] < 2 / 3 < first["high"]
    ratio = c["ratio"]
    assert ratio["ratio"] == c["ratio_5m_vs_30m"] == pytest.approx((2 / 3) / (1 / 2))
    assert not ratio["enough"] and "too small" in ratio["note"]
    assert set(c["by_tier"]) == {"high"}


def test_curve_text_fits_80_columns_and_says_the_sample_is_small(sla: Path) -> None:
    out = runner.invoke(app, ["curve", "--from", "2026-03-01", "--to", "2026-03-31", "--as-of", AS_OF],
                        terminal_width=80)  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "≤5m" in out.stdout and "1.3×" in out.stdout and "too small" in out.stdout
    assert max(len(line) for line in out.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--period", "2026-13"], "--period"),
        (["--from", "March"], "--from"),
        (["--from", "2026-03-10", "--to", "2026-03-01"], "before"),
        (["--period", "2026-03", "--from", "2026-03-01"], "not both"),
    ],
)
def test_curve_refuses_a_bad_window_in_one_line(sla: Path, args: list[str], says: str) -> None:
    out = runner.invoke(app, ["curve", *args, "--as-of", AS_OF])
    assert out.exit_code == 2 and says in out.output and "Traceback" not in out.output
