"""The outbox on SQLite and PostgreSQL: enqueue in the caller's transaction, idempotent by key; delivery
after commit to a real local receiver, signed, retried on the documented schedule, given up after
max_attempts, at least once with the same key, and on PostgreSQL never sent twice by racing workers."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from receivers import HttpReceiver, free_port
from sqlalchemy import Engine, create_engine, select

from leadpact.notify.outbox import LEASE, backoff, deliver_due, enqueue, row_key
from leadpact.notify.targets import Target
from leadpact.notify.transport import HttpSmtpTransport, NullTransport, OutboxRow
from leadpact.store.tables import outbox

NOW = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)
SECRET = "whsec-3f9a"
ENV = {"HOOK_SECRET": SECRET}
BREACH = {
    "lead_id": "L-1",
    "clock": "first_contact",
    "owner": "ana",
    "due_at": "2026-03-02T19:05:00Z",
    "at": "2026-03-02T19:05:00Z",
    "tier": "high",
    "trigger": "demo_request",
    "timezone": "America/New_York",
}


def hook(url: str, secret_env: str | None = "HOOK_SECRET") -> Target:
    return Target("webhook", url, url=url, secret_env=secret_env)


def put(
    engine: Engine,
    targets: list[Target],
    key: str = "clock.breached:L-1:1:first_contact",
    payload: dict[str, Any] | None = None,
    topic: str = "clock.breached",
) -> int:
    with engine.begin() as conn:
        return enqueue(conn, key=key, topic=topic, payload=payload or BREACH, targets=targets, now=NOW)


def rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(outbox).order_by(outbox.c.seq)).mappings())


def deliver(engine: Engine, at: datetime = NOW, env: dict[str, str] | None = None, **kw: Any) -> Any:
    with HttpSmtpTransport(ENV if env is None else env) as transport:
        return deliver_due(engine, targets=None, now=at, transport=transport, **kw)


# --- enqueue -------------------------------------------------------------------------------------


def test_enqueue_writes_one_pending_row_per_target_keyed_by_fact_and_target(engine: Engine) -> None:
    targets = [hook("http://127.0.0.1:9/a"), Target("slack", "slack:SLACK_URL", url_env="SLACK_URL")]
    assert put(engine, targets) == 2
    written = rows(engine)
    assert [r["key"] for r in written] == [
        "clock.breached:L-1:1:first_contact:http://127.0.0.1:9/a",
        "clock.breached:L-1:1:first_contact:slack:SLACK_URL",
    ]
    assert {r["status"] for r in written} == {"pending"}
    assert [r["attempts"] for r in written] == [0, 0]
    assert written[0]["next_attempt_at"] == NOW and written[0]["created_at"] == NOW
    assert json.loads(written[0]["payload"]) == BREACH
    assert Target.from_column(written[0]["channel"], written[0]["target"]) == targets[0]


def test_enqueueing_the_same_fact_twice_keeps_one_row_per_target(engine: Engine) -> None:
    first = hook("http://127.0.0.1:9/a")
    assert put(engine, [first]) == 1
    assert put(engine, [first]) == 0
    assert put(engine, [first, hook("http://127.0.0.1:9/b")]) == 1  # a target added later gets its row
    assert len(rows(engine)) == 2


def test_enqueue_writes_in_the_callers_transaction_and_never_commits(engine: Engine) -> None:
    with engine.connect() as conn:
        tx = conn.begin()
        enqueue(conn, key="k", topic="test", payload={}, targets=[hook("http://127.0.0.1:9/a")], now=NOW)
        tx.rollback()
    assert rows(engine) == []


def test_no_targets_is_the_null_notifier(engine: Engine) -> None:
    assert put(engine, []) == 0
    assert deliver_due(engine, targets=None, now=NOW, transport=NullTransport()).deliveries == []


def test_a_long_target_ref_still_gives_a_stable_key_that_fits() -> None:
    target = hook("http://127.0.0.1:9/" + "x" * 400)
    key = row_key("clock.breached:L-1:1:first_contact", target)
    assert len(key) <= 300 and key == row_key("clock.breached:L-1:1:first_contact", target)


# --- delivery --------------------------------------------------------------------------------------


def test_a_webhook_carries_the_payload_the_key_the_topic_and_a_signature_of_the_body(
    engine: Engine, http_receiver: HttpReceiver
) -> None:
    put(engine, [hook(http_receiver.url("/hook"))])
    report = deliver(engine)
    assert [d.outcome for d in report.deliveries] == ["sent"]
    (request,) = http_receiver.on("/hook")
    assert json.loads(request.body) == BREACH
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == f"clock.breached:L-1:1:first_contact:{http_receiver.url()}"
    assert request.headers["X-Leadpact-Topic"] == "clock.breached"
    assert request.headers["X-Leadpact-Timestamp"] == str(int(NOW.timestamp()))
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Leadpact-Signature"], expected)
    wrong = "sha256=" + hmac.new(b"other", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Leadpact-Signature"] != wrong
    (row,) = rows(engine)
    assert (row["status"], row["attempts"], row["sent_at"], row["last_error"]) == ("sent", 1, NOW, None)
    assert deliver(engine, NOW + timedelta(days=1)).deliveries == []  # sent rows stay sent


def test_a_webhook_without_secret_env_is_sent_unsigned(engine: Engine, http_receiver: HttpReceiver) -> None:
    put(engine, [hook(http_receiver.url("/open"), secret_env=None)])
    assert deliver(engine, env={}).summary() == {"sent": 1, "retrying": 0, "dead": 0, "dropped": 0}
    (request,) = http_receiver.on("/open")
    assert "X-Leadpact-Signature" not in request.headers
    assert request.headers["Idempotency-Key"].endswith(http_receiver.url("/open"))


def test_slack_gets_a_readable_one_line_text(engine: Engine, http_receiver: HttpReceiver) -> None:
    put(engine, [Target("slack", "slack:SLACK_URL", url_env="SLACK_URL")])
    report = deliver(engine, env={"SLACK_URL": http_receiver.url("/slack")})
    assert report.summary()["sent"] == 1
    (request,) = http_receiver.on("/slack")
    assert json.loads(request.body) == {
        "text": "Breached: first contact for L-1 (ana) was due 14:05 — high intent, demo_request"
    }
    assert request.headers["Idempotency-Key"] == "clock.breached:L-1:1:first_contact:slack:SLACK_URL"


def test_a_failure_is_retried_after_the_backoff_with_the_same_key_and_body(
    engine: Engine, http_receiver: HttpReceiver
) -> None:
    http_receiver.script("/hook", 500, 200)
    put(engine, [hook(http_receiver.url("/hook"))])

    first = deliver(engine)
    (retry,) = first.retrying
    assert retry.next_attempt_at == NOW + timedelta(seconds=30) and retry.attempts == 1
    (row,) = rows(engine)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] == NOW + timedelta(seconds=30)
    assert row["last_error"].startswith("HTTP 500")

    assert deliver(engine, NOW + timedelta(seconds=29)).deliveries == []  # not due yet
    second = deliver(engine, NOW + timedelta(seconds=30))
    assert [d.outcome for d in second.deliveries] == ["sent"]
    (row,) = rows(engine)
    assert (row["status"], row["attempts"], row["sent_at"]) == ("sent", 2, NOW + timedelta(seconds=30))

    one, two = http_receiver.on("/hook")  # at least once: both attempts reached it, with one key
    assert one.headers["Idempotency-Key"] == two.headers["Idempotency-Key"] == row["key"]
    assert one.body == two.body
    assert one.headers["X-Leadpact-Signature"] == two.headers["X-Leadpact-Signature"]


def test_backoff_doubles_from_30_seconds_and_stops_at_an_hour() -> None:
    seconds = [backoff(n).total_seconds() for n in range(1, 10)]
    assert seconds == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_row_is_dead_after_max_attempts_with_the_last_error(
    engine: Engine, http_receiver: HttpReceiver
) -> None:
    http_receiver.always["/down"] = 503
    put(engine, [hook(http_receiver.url("/down"))])
    at, schedule = NOW, []
    for _ in range(2):
        (retry,) = deliver(engine, at, max_attempts=3).retrying
        schedule.append(retry.next_attempt_at - at)
        at = retry.next_attempt_at
    (dead,) = deliver(engine, at, max_attempts=3).dead
    assert schedule == [timedelta(seconds=30), timedelta(seconds=60)]
    assert dead.attempts == 3 and dead.error is not None and dead.error.startswith("HTTP 503")
    (row,) = rows(engine)
    assert (row["status"], row["attempts"], row["sent_at"]) == ("dead", 3, None)
    assert row["last_error"].startswith("HTTP 503")
    assert deliver(engine, at + timedelta(days=1), max_attempts=3).deliveries == []
    assert len(http_receiver.on("/down")) == 3


def test_an_unreachable_endpoint_and_a_missing_secret_are_failures_not_crashes(
    engine: Engine, http_receiver: HttpReceiver
) -> None:

    put(engine, [hook(f"http://127.0.0.1:{free_port()}/closed"), hook(http_receiver.url("/hook"))])
    report = deliver(engine, env={})
    assert [d.outcome for d in report.deliveries] == ["retry", "retry"]
    assert report.deliveries[0].error
    assert report.deliveries[1].error == "environment variable HOOK_SECRET (the signing secret) is not set"
    assert http_receiver.requests == []  # nothing leaves unsigned when a secret is configured


class Crash:
    """A transport whose worker dies while sending (the process is killed: not an Exception)."""

    def send(self, row: OutboxRow) -> None:
        raise SystemExit("killed")


def test_a_worker_that_dies_while_sending_leaves_the_row_to_come_back_after_the_lease(engine: Engine) -> None:
    put(engine, [hook("http://127.0.0.1:9/a")])
    with pytest.raises(SystemExit):
        deliver_due(engine, targets=None, now=NOW, transport=Crash())
    (row,) = rows(engine)
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("pending", 1, NOW + LEASE)
    assert (
        deliver_due(
            engine, targets=None, now=NOW + LEASE - timedelta(seconds=1), transport=NullTransport()
        ).deliveries
        == []
    )
    null = NullTransport()
    (done,) = deliver_due(engine, targets=None, now=NOW + LEASE, transport=null).deliveries
    assert (done.outcome, done.attempts) == ("sent", 2)
    assert null.sent[0].key == row["key"]


def test_a_last_attempt_cut_short_is_given_up_at_the_next_claim(engine: Engine) -> None:
    put(engine, [hook("http://127.0.0.1:9/a")])
    with pytest.raises(SystemExit):
        deliver_due(engine, targets=None, now=NOW, transport=Crash(), max_attempts=1)
    null = NullTransport()
    (done,) = deliver_due(engine, targets=None, now=NOW + LEASE, transport=null, max_attempts=1).deliveries
    assert done.outcome == "dead" and null.sent == []
    assert rows(engine)[0]["status"] == "dead"


def test_batch_and_keys_limit_a_pass(engine: Engine) -> None:
    for i in range(5):
        put(engine, [hook("http://127.0.0.1:9/a")], key=f"fact-{i}")
    null = NullTransport()
    assert len(deliver_due(engine, targets=None, now=NOW, transport=null, batch=2).deliveries) == 2
    only = row_key("fact-4", hook("http://127.0.0.1:9/a"))
    assert [
        d.key for d in deliver_due(engine, targets=None, now=NOW, transport=null, keys=[only]).deliveries
    ] == [only]
    assert [r.key for r in null.sent] == ["fact-0:http://127.0.0.1:9/a", "fact-1:http://127.0.0.1:9/a", only]


# --- concurrency (PostgreSQL) ------------------------------------------------------------------------


def test_two_workers_racing_on_postgresql_send_each_row_exactly_once(
    engine: Engine, http_receiver: HttpReceiver
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("one worker runs on SQLite (DESIGN.md §6)")
    http_receiver.delay = 0.01
    url = http_receiver.url("/race")
    for i in range(60):
        put(engine, [hook(url)], key=f"fact-{i}")
    start = threading.Barrier(2)
    claimed: dict[str, int] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            start.wait()
            total = 0
            while True:
                report = deliver(engine, batch=7)
                if not report.deliveries:
                    break
                total += len(report.deliveries)
            claimed[name] = total
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    keys = [r.headers["Idempotency-Key"] for r in http_receiver.on("/race")]
    assert sorted(keys) == sorted(f"fact-{i}:{url}" for i in range(60))  # each once, none lost
    assert claimed["a"] + claimed["b"] == 60
    assert {(r["status"], r["attempts"]) for r in rows(engine)} == {("sent", 1)}


def test_on_postgresql_a_worker_skips_rows_another_is_claiming_instead_of_waiting(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("one worker runs on SQLite (DESIGN.md §6)")
    for i in range(5):
        put(engine, [hook("http://127.0.0.1:9/a")], key=f"fact-{i}")
    seqs = [r["seq"] for r in rows(engine)]
    null = NullTransport()
    # Were the rows waited for, this worker would fail after 5 s instead of hanging the test.
    impatient = create_engine(engine.url, connect_args={"options": "-c lock_timeout=5000"})
    with engine.connect() as other:  # a worker in the middle of its claim holds locks on two rows
        tx = other.begin()
        other.execute(select(outbox.c.seq).where(outbox.c.seq.in_(seqs[:2])).with_for_update())
        try:
            report = deliver_due(impatient, targets=None, now=NOW, transport=null)
        finally:
            tx.rollback()
            impatient.dispose()
    assert sorted(d.seq for d in report.deliveries) == seqs[2:]
    assert (
        sorted(d.seq for d in deliver_due(engine, targets=None, now=NOW, transport=null).deliveries)
        == seqs[:2]
    )
    assert sorted(r.seq for r in null.sent) == seqs
