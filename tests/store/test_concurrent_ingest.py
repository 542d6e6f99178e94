"""Any number of ingests at once on one store, from its very first opening: every call ends with its own
correct summary and no traceback, every event is stored once, and the store holds what one ingest of all
the events gives. Real processes (the CLI), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from leadpact.demo.company import DEMO_ROSTER_YAML
from leadpact.demo.generator import generate
from leadpact.store.tables import assignments, clocks, events, handoffs, leads
from tests_support import PG_URL, REQUIRE_PG

CALLS = 4
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "leadpact" / "templates"


@contextmanager
def _new_pg_database() -> Iterator[str]:
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        if REQUIRE_PG:
            pytest.fail(f"LEADPACT_REQUIRE_PG=1 but no PostgreSQL answers: {exc}")
        pytest.skip(f"no PostgreSQL answers at {PG_URL}")
    name = f"leadpact_race_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a store nobody has opened yet (so the first migration races too)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.db'}"
        return
    with _new_pg_database() as url:
        yield url


@pytest.fixture
def empty_pg_store() -> Iterator[str]:
    with _new_pg_database() as url:
        yield url


def _files(folder: Path, rows: list[dict[str, Any]]) -> list[Path]:
    """Each lead's events in one call, and every third lead in the next call too (the same events twice)."""
    by_lead: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_lead.setdefault(row["lead_id"], []).append(row)
    parts: list[list[dict[str, Any]]] = [[] for _ in range(CALLS)]
    for i, lead in enumerate(sorted(by_lead)):
        parts[i % CALLS].extend(by_lead[lead])
        if i % 3 == 0:
            parts[(i + 1) % CALLS].extend(by_lead[lead])
    out = []
    for i, part in enumerate(parts):
        path = folder / f"call{i}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in part))
        out.append(path)
    return out


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from leadpact.cli import main; main()", *args]


def _snapshot(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {
            "events": sorted(conn.execute(select(events.c.id, events.c.hash)).all()),
            "leads": sorted(conn.execute(select(leads.c.lead_id, leads.c.stage, leads.c.fit)).all()),
            "handoffs": sorted(
                conn.execute(
                    select(handoffs.c.lead_id, handoffs.c.n, handoffs.c.mql_at, handoffs.c.tier)
                ).all()
            ),
            "clocks": sorted(
                conn.execute(select(clocks.c.lead_id, clocks.c.n, clocks.c.kind, clocks.c.due_at)).all()
            ),
            "assignments": conn.execute(
                select(assignments.c.lead_id, assignments.c.n, func.count()).group_by(
                    assignments.c.lead_id, assignments.c.n
                )
            ).all(),
        }
    engine.dispose()
    return out


def test_concurrent_ingests_each_finish_and_store_every_event_once(empty_store: str, tmp_path: Path) -> None:
    (tmp_path / "pact.yaml").write_text((TEMPLATES / "pact.yaml").read_text())
    (tmp_path / "team.yaml").write_text(DEMO_ROSTER_YAML)
    from datetime import date

    rows = list(generate(240, 11, start=date(2026, 1, 5), months=2))
    files = _files(tmp_path, rows)
    pact = str(tmp_path / "pact.yaml")
    procs = [
        subprocess.Popen(
            _cli("ingest", str(f), "--pact", pact, "--db", empty_store, "--json"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (stdout, stderr), f in zip(procs, outs, files, strict=True):
        assert "Traceback" not in stderr, stderr
        assert proc.returncode == 0, stderr
        summary = json.loads(stdout)["summary"]
        assert summary["refused"] == 0 and summary["waiting"] == 0
        assert summary["stored"] + summary["duplicate"] == len(f.read_text().splitlines())
    stored = sum(json.loads(o[0])["summary"]["stored"] for o in outs)
    distinct = {r["id"] for r in rows}
    assert stored == len(distinct)  # each event stored by exactly one call

    raced = _snapshot(empty_store)
    assert len(raced["events"]) == len(distinct)
    assert all(count == 1 for _lead, _n, count in raced["assignments"])  # each handoff routed once
    assert {(lead, n) for lead, n, _c in raced["assignments"]} == {
        (h[0], h[1]) for h in raced["handoffs"] if h[2] is not None
    }

    serial = tmp_path / "serial"
    serial.mkdir()
    (serial / "pact.yaml").write_text((TEMPLATES / "pact.yaml").read_text())
    (serial / "team.yaml").write_text(DEMO_ROSTER_YAML)
    whole = serial / "all.jsonl"
    whole.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = subprocess.run(
        _cli("ingest", str(whole), "--pact", str(serial / "pact.yaml"), "--json"),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    one = _snapshot(f"sqlite:///{serial / 'leadpact.db'}")
    for table in ("events", "leads", "handoffs", "clocks"):
        assert raced[table] == one[table], table


@pytest.mark.pg
def test_a_call_cut_off_by_a_lost_connection_says_so_and_running_it_again_completes_it(
    empty_pg_store: str, tmp_path: Path
) -> None:
    empty_store = empty_pg_store
    import time
    from datetime import date

    (tmp_path / "pact.yaml").write_text((TEMPLATES / "pact.yaml").read_text())
    rows = list(generate(6000, 5, start=date(2026, 1, 5), months=3))
    file = tmp_path / "all.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pact = str(tmp_path / "pact.yaml")
    admin = create_engine(empty_store, isolation_level="AUTOCOMMIT")
    subprocess.run(
        _cli("metrics", "--pact", pact, "--db", empty_store, "--json"), check=True, capture_output=True
    )
    proc = subprocess.Popen(
        _cli("ingest", str(file), "--pact", pact, "--db", empty_store),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with admin.connect() as conn:
        deadline = time.monotonic() + 120
        while conn.execute(text("SELECT count(*) FROM events")).scalar() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        stdout, stderr = proc.communicate(timeout=300)
        partial = conn.execute(text("SELECT count(*) FROM events")).scalar()
    admin.dispose()
    assert proc.returncode == 1 and "Traceback" not in stderr, stderr
    assert "running the same command again completes it" in " ".join(stderr.split())
    assert 0 < partial < len(rows)  # the first batches were stored, the call was cut off before the end
    again = subprocess.run(
        _cli("ingest", str(file), "--pact", pact, "--db", empty_store, "--json"),
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)["summary"]
    assert summary["duplicate"] == partial and summary["stored"] == len(rows) - partial
