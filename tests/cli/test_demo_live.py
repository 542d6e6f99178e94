"""`leadpact demo`: builds the demo company, then serves it live with a trickle of new events until Ctrl-C;
`--no-serve` builds only."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from leadpact.cli import app, load_commands
from leadpact.demo.trickle import Trickle

load_commands()
SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(log: Path, pattern: str, process: subprocess.Popen[str], timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text(errors="replace"))
        if found:
            return found
        assert process.poll() is None, log.read_text(errors="replace")
        time.sleep(0.2)
    raise AssertionError(f"no {pattern!r} within {timeout} s:\n{log.read_text(errors='replace')}")


def test_demo_builds_then_serves_the_dashboard_live_with_a_trickle_until_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "demo.log"
    command = [sys.executable, "-m", "leadpact", "demo", "--dir", str(tmp_path / "co"), "--leads", "300",
               "--months", "1", "--port", str(port), "--every", "0.5"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        key = _wait_for(log, r"sign in with the key\s+(lpk_\S+)", process, 120).group(1)
        assert f"http://localhost:{port}/" in log.read_text()
        _wait_for(log, "Uvicorn running", process, 60)
        base = f"http://127.0.0.1:{port}"
        overview = httpx.get(base + "/", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert overview.status_code == 200 and "Scorecard" in overview.text
        first = _wait_for(log, r"demo: new lead (LIVE\d+-0001)", process, 20).group(1)
        _wait_for(log, r"new lead LIVE\d+-0003", process, 30)  # it keeps coming
        lead = httpx.get(f"{base}/api/leads/{first}", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert lead.status_code == 200 and lead.json()["handoffs"], lead.text  # through the ingest service
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(30) in (0, 130), log.read_text()  # 130: ended by SIGINT, as a shell expects
        assert "Traceback" not in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def test_demo_no_serve_builds_the_company_and_exits(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app,
        ["demo", "--no-serve", "--dir", str(tmp_path / "co"), "--leads", "200", "--months", "1", "--json"],
    )
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["ingest"]["refused"] == 0 and doc["store"]["leads"] == 200
    assert isinstance(doc["escalations_opened"], int)  # the first worker pass judged the last 4 weeks
    assert "url" not in doc and "key" not in doc
    assert {r["status"] for r in doc["scorecard"]["month"]} <= {"met", "at_risk", "missed", "none"}


def test_demo_says_so_before_building_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "co"), "--port", str(port)])
    assert done.exit_code != 0 and f"port {port} on 127.0.0.1 is in use" in done.output
    assert not (tmp_path / "co" / "leadpact.db").exists()  # nothing was built


def test_the_trickle_makes_leads_cross_the_gate_works_some_and_leaves_some_alone() -> None:
    from datetime import UTC, datetime, timedelta

    trickle = Trickle(seed=3, run="T")
    now = datetime(2026, 3, 2, 15, tzinfo=UTC)
    events = [e for i in range(60) for e in trickle.next_batch(now + timedelta(seconds=4 * i))]
    kinds = {e["type"] for e in events}
    assert {"lead.created", "activity", "touch", "disposition"} <= kinds
    assert len({e["id"] for e in events}) == len(events)
    assert all(e["at"] <= (now + timedelta(seconds=240)).strftime("%Y-%m-%dT%H:%M:%SZ") for e in events)
    touched = {e["lead_id"] for e in events if e["type"] == "touch"}
    made = {e["lead_id"] for e in events if e["type"] == "lead.created"}
    assert made - touched, "some leads are left alone, so their clocks breach"
