"""`leadpact outbox`, `outbox retry`, `outbox purge` and the worker's failure report, run as a user runs them,
on SQLite and PostgreSQL; and `leadpact init && leadpact worker --once` failing nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from receivers import HttpReceiver, free_port
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from builders import GOOD_FIT, activity, created
from leadpact.cli import load_commands
from leadpact.cli.app import app
from leadpact.notify.outbox import deliver_due, enqueue, row_key
from leadpact.notify.targets import Target
from leadpact.notify.transport import NullTransport, OutboxRow
from leadpact.store.tables import outbox

load_commands()
runner = CliRunner()

NOW = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)  # 14:05 in New York
PACT = "pact: 1\nname: Test SLA\ntimezone: America/New_York\n"
TEAM = """\
teams:
  sdr: {manager: li@acme.example}
reps:
  - {id: ana, name: Ana Ruiz, email: ana@acme.example, team: sdr}
routing:
  rules: [{to: sdr}]
"""
LONG = "http://127.0.0.1:9/" + "deep/" * 12 + "leadpact"
HOOK = Target("webhook", LONG, url=LONG, secret_env="HOOK_SECRET")
SLACK = Target("slack", "slack:SLACK_URL", url_env="SLACK_URL")
SECRETS = {"HOOK_SECRET": "s3cr3t-value", "SLACK_URL": "https://hooks.slack.example/T0/B0/tok3n"}


class Refused:
    def send(self, row: OutboxRow) -> None:
        raise ConnectionRefusedError("ConnectError: [Errno 111] Connection refused " + "(details) " * 20)


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def project(tmp_path: Path, engine: Engine, notify: str = "") -> list[str]:
    (tmp_path / "pact.yaml").write_text(PACT, encoding="utf-8")
    (tmp_path / "team.yaml").write_text(TEAM + notify, encoding="utf-8")
    return ["--pact", str(tmp_path / "pact.yaml"), "--db", url_of(engine)]


def invoke(args: list[str], code: int = 0, env: dict[str, Any] | None = None) -> Any:
    result = runner.invoke(app, args, env={"COLUMNS": "80", **SECRETS, **(env or {})})
    assert result.exit_code == code, result.output
    return result


def put(engine: Engine, key: str, target: Target, at: datetime = NOW) -> None:
    with engine.begin() as conn:
        enqueue(conn, key=key, topic="clock.breached", payload={"lead_id": key}, targets=[target], now=at)


def one(engine: Engine, key: str, target: Target, transport: Any, at: datetime = NOW, **kw: Any) -> None:
    current = {target.ref: target} if kw.pop("keep", True) else {}
    deliver_due(engine, now=at, transport=transport, targets=current, keys=[row_key(key, target)], **kw)


def seed(engine: Engine, at: datetime = NOW) -> dict[str, int]:
    """One message of each status: sent, dead (given up), pending after a failure, dropped; their ids."""
    known = set(rows(engine))
    put(engine, "L-sent", SLACK, at)
    one(engine, "L-sent", SLACK, NullTransport(), at)
    put(engine, "L-dead", HOOK, at)
    one(engine, "L-dead", HOOK, Refused(), at, max_attempts=1)
    put(engine, "L-retry", HOOK, at)
    one(engine, "L-retry", HOOK, Refused(), at)
    put(engine, "L-gone", HOOK, at)
    one(engine, "L-gone", HOOK, NullTransport(), at, keep=False)
    return {r["key"].split(":")[0]: seq for seq, r in rows(engine).items() if seq not in known}


def rows(engine: Engine) -> dict[int, Any]:
    with engine.connect() as conn:
        return {int(r["seq"]): r for r in conn.execute(select(outbox)).mappings()}


def test_outbox_lists_each_message_with_its_target_status_times_and_last_error(
    tmp_path: Path, engine: Engine
) -> None:
    ids = seed(engine)
    args = project(tmp_path, engine)
    out = json.loads(invoke(["outbox", *args, "--json"]).stdout)
    assert out["counts"] == {"pending": 1, "sent": 1, "dead": 1, "dropped": 1}
    by_key = {m["key"].split(":")[0]: m for m in out["messages"]}
    assert [m["id"] for m in out["messages"]] == sorted(ids.values(), reverse=True)  # newest first
    assert by_key["L-sent"] == {
        "id": ids["L-sent"],
        "key": "L-sent:slack:SLACK_URL",
        "topic": "clock.breached",
        "channel": "slack",
        "target": "slack:SLACK_URL",
        "status": "sent",
        "attempts": 1,
        "created_at": "2026-03-02T19:05:00Z",
        "next_attempt_at": None,
        "sent_at": "2026-03-02T19:05:00Z",
        "last_error": None,
    }
    retry = by_key["L-retry"]
    assert (retry["status"], retry["attempts"], retry["next_attempt_at"]) == (
        "pending",
        1,
        "2026-03-02T19:05:30Z",
    )
    assert retry["last_error"].startswith("ConnectError: [Errno 111] Connection refused")
    assert (by_key["L-dead"]["status"], by_key["L-dead"]["target"]) == ("dead", LONG)
    assert (by_key["L-gone"]["status"], by_key["L-gone"]["last_error"]) == (
        "dropped",
        "target no longer in team.yaml",
    )

    text = invoke(["outbox", *args]).stdout
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80, text
    assert "2026-03-02 14:05" in text and "19:05" not in text  # the pact's zone, not UTC
    assert "14:05" in text.split("pending")[1]  # the retry's next attempt (14:05:30) on its row
    for status in ("sent", "dead", "pending", "dropped"):
        assert status in text
    assert "target no longer in" in text and "[Errno" in text and "(det…" in text  # long errors cut
    assert "1 pending, 1 sent, 1 dead, 1 dropped" in text and "America/New_York" in text
    flat = "".join(line.strip() for line in lines)
    assert "slack:SLACK_URL" in flat and "leadpact" in flat
    assert not any(secret in flat for secret in SECRETS.values())  # refs, never secrets


def test_outbox_filters_failed_pending_and_limit(tmp_path: Path, engine: Engine) -> None:
    ids = seed(engine)
    args = project(tmp_path, engine)

    def listed(*flags: str) -> list[int]:
        return [m["id"] for m in json.loads(invoke(["outbox", *args, *flags, "--json"]).stdout)["messages"]]

    assert listed("--failed") == [ids["L-dead"]]
    assert listed("--pending") == [ids["L-retry"]]
    assert listed("--failed", "--pending") == [ids["L-retry"], ids["L-dead"]]
    assert listed("--limit", "1") == [ids["L-gone"]]
    invoke(["outbox", *args, "--limit", "0"], code=2)
    with engine.begin() as conn:
        conn.execute(outbox.delete())
    assert "No messages in the outbox" in invoke(["outbox", *args]).stdout


def test_retry_puts_given_up_messages_back_due_now_with_attempts_reset(
    tmp_path: Path, engine: Engine
) -> None:
    ids = seed(engine)
    args = project(
        tmp_path, engine, notify=f'notify:\n  webhooks: [{{url: "{LONG}", secret_env: HOOK_SECRET}}]\n'
    )
    before = datetime.now(UTC)
    out = json.loads(
        invoke(["outbox", "retry", str(ids["L-dead"]), str(ids["L-sent"]), *args, "--json"]).stdout
    )
    assert out == {"retried": [ids["L-dead"]], "skipped": [{"id": ids["L-sent"], "status": "sent"}]}
    row = rows(engine)[ids["L-dead"]]
    assert (row["status"], row["attempts"]) == ("pending", 0)
    assert before - timedelta(seconds=1) <= row["next_attempt_at"] <= datetime.now(UTC)
    assert rows(engine)[ids["L-sent"]]["status"] == "sent"  # left alone

    text = invoke(["outbox", "retry", str(ids["L-gone"]), *args]).stdout
    assert "1 message(s) pending again, due now" in text and str(ids["L-gone"]) in text
    assert rows(engine)[ids["L-gone"]]["status"] == "pending"


def test_retry_failed_takes_every_dead_message_and_an_unknown_id_changes_nothing(
    tmp_path: Path, engine: Engine
) -> None:
    ids = seed(engine)
    put(engine, "L-dead-2", HOOK)
    one(engine, "L-dead-2", HOOK, Refused(), max_attempts=1)
    args = project(tmp_path, engine)
    missing = invoke(["outbox", "retry", str(ids["L-dead"]), "999999", *args], code=1)
    assert "no message with id 999999" in missing.output
    assert rows(engine)[ids["L-dead"]]["status"] == "dead"  # nothing changed
    out = json.loads(invoke(["outbox", "retry", "--failed", *args, "--json"]).stdout)
    assert len(out["retried"]) == 2 and ids["L-dead"] in out["retried"]
    assert {r["status"] for r in rows(engine).values()} == {"pending", "sent", "dropped"}
    assert "nothing to retry" in invoke(["outbox", "retry", "--failed", *args]).stdout
    assert "--failed" in invoke(["outbox", "retry", *args], code=2).output


def test_purge_deletes_old_delivered_and_given_up_messages_never_pending_unless_asked(
    tmp_path: Path, engine: Engine
) -> None:
    real_now = datetime.now(UTC).replace(microsecond=0)
    old = seed(engine, at=real_now - timedelta(days=40))
    with engine.begin() as conn:  # a second set, recent: keys must differ
        conn.execute(outbox.update().values(key=outbox.c.key + ":old"))
    recent = seed(engine, at=real_now - timedelta(days=1))
    args = project(tmp_path, engine)

    out = json.loads(invoke(["outbox", "purge", "--sent", *args, "--json"]).stdout)
    assert out["deleted"] == {"sent": 1} and out["total"] == 1
    assert old["L-sent"] not in rows(engine) and recent["L-sent"] in rows(engine)

    text = " ".join(invoke(["outbox", "purge", *args]).stdout.split())  # default: sent, dead, dropped > 30d
    assert "deleted 2 message(s)" in text and "1 dead" in text and "1 dropped" in text
    assert set(rows(engine)) == {old["L-retry"], *recent.values()}  # the old pending one stays

    kept = json.loads(
        invoke(["outbox", "purge", "--include-pending", "--older-than", "90d", *args, "--json"]).stdout
    )
    assert kept["total"] == 0
    gone = json.loads(invoke(["outbox", "purge", "--include-pending", *args, "--json"]).stdout)
    assert gone["deleted"]["pending"] == 1 and set(rows(engine)) == set(recent.values())
    assert (
        json.loads(invoke(["outbox", "purge", "--older-than", "12h", *args, "--json"]).stdout)["total"] == 3
    )
    invoke(["outbox", "purge", "--older-than", "soon", *args], code=2)


def test_the_worker_names_each_failure_reason_and_target(
    tmp_path: Path, engine: Engine, http_receiver: HttpReceiver
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/leadpact"
    http_receiver.always["/slack"] = 500
    notify = f'notify:\n  webhooks: [{{url: "{closed}"}}]\n  slack: [{{url_env: SLACK_URL}}]\n'
    args = project(tmp_path, engine, notify)
    hook = Target("webhook", closed, url=closed)
    for i in range(3):
        put(engine, f"fact-{i}", hook)
    put(engine, "fact-0", SLACK)
    put(engine, "fact-x", Target("webhook", "https://h.example/gone", url="https://h.example/gone"))
    env = {"SLACK_URL": http_receiver.url("/slack")}
    text = invoke(["worker", "--once", *args], env=env).stdout
    flat = " ".join(text.split())
    assert f"failed 4: 3 × connection refused ({closed}), 1 × HTTP 500 (slack:SLACK_URL)" in flat
    assert "dropped 1 (target no longer in team.yaml)" in flat

    with engine.begin() as conn:  # due again: the next pass reports in JSON
        conn.execute(outbox.update().where(outbox.c.status == "pending").values(next_attempt_at=NOW))
    out = json.loads(invoke(["worker", "--once", *args, "--json"], env=env).stdout)
    assert (out["delivered"], out["failed"], out["dead"], out["dropped"]) == (0, 4, 0, 0)
    assert out["failures"] == [
        {"reason": "connection refused", "target": closed, "count": 3},
        {"reason": "HTTP 500", "target": "slack:SLACK_URL", "count": 1},
    ]


def test_init_then_worker_once_fails_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The template has no live targets: a breach on a fresh folder is recorded, and nothing is composed
    or sent (with the old example targets live, the first run failed every message)."""
    monkeypatch.delenv("LEADPACT_DB", raising=False)
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    pact = ["--pact", str(tmp_path / "pact.yaml")]
    events = [
        created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
        activity("L1", "2026-03-02T10:00:00-05:00", "demo_request", id="L1-a"),
    ]
    (tmp_path / "e.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(tmp_path / "e.jsonl"), *pact]).exit_code == 0
    out = json.loads(invoke(["worker", "--once", *pact, "--json"]).stdout)
    assert out["breaches"] >= 1  # something worth telling happened...
    assert (out["messages"], out["failed"], out["dead"], out["dropped"], out["failures"]) == (0, 0, 0, 0, [])
    assert "failed 0" in invoke(["worker", "--once", *pact]).stdout
    listing = json.loads(invoke(["outbox", *pact, "--json"]).stdout)
    assert listing["messages"] == [] and sum(listing["counts"].values()) == 0
