"""The claim lease, with a controlled clock: a dead worker's messages go out within a minute; a live worker
renewing its lease keeps its rows however long its batch takes; a worker that stalls past its lease loses
its rows and neither overwrites the newer claim nor sends what it no longer holds; on PostgreSQL racing
workers split the rows without sending any twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from receivers import HttpReceiver
from sqlalchemy import Engine, select

from leadpact.notify import outbox as outbox_module
from leadpact.notify.outbox import LEASE, RENEW_AFTER, deliver_due, enqueue
from leadpact.notify.targets import Target
from leadpact.notify.transport import HttpSmtpTransport, NullTransport, OutboxRow
from leadpact.store.tables import outbox

NOW = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)
URL = "http://127.0.0.1:9/hook"
HOOK = Target("webhook", URL, url=URL)


class Clock:
    """Time that moves only when a test moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class Crash:
    """The worker is killed while it sends (SIGKILL is not an exception the worker could catch)."""

    def send(self, row: OutboxRow) -> None:
        raise SystemExit("killed")


class Slow:
    """Each send takes ``seconds`` of the controlled clock (a receiver at the 5 s HTTP timeout), and
    ``during(n)`` runs inside the n-th send — another worker's pass, say."""

    def __init__(self, clock: Clock, seconds: float, during: Callable[[int], None] | None = None) -> None:
        self.clock, self.seconds, self.during = clock, seconds, during
        self.sent: list[OutboxRow] = []

    def send(self, row: OutboxRow) -> None:
        self.sent.append(row)
        self.clock.advance(self.seconds)
        if self.during is not None:
            self.during(len(self.sent))


def put(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        for i in range(n):
            enqueue(conn, key=f"fact-{i}", topic="test", payload={"i": i}, targets=[HOOK], now=NOW)


def rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(outbox).order_by(outbox.c.seq)).mappings())


def deliver(engine: Engine, at: datetime, transport: Any, clock: Clock | None = None, **kw: Any) -> Any:
    return deliver_due(engine, now=at, transport=transport, targets={HOOK.ref: HOOK}, clock=clock, **kw)


def test_the_lease_is_at_most_a_minute_and_renewed_well_within_it() -> None:
    assert timedelta(seconds=60) >= LEASE
    assert timedelta(seconds=5) * 5 <= LEASE - RENEW_AFTER  # many HTTP timeouts of margin per send


def test_a_dead_workers_messages_go_out_at_the_next_pass_a_minute_later(engine: Engine) -> None:
    put(engine, 3)
    with pytest.raises(SystemExit):  # claims all three, dies sending the first, records nothing
        deliver(engine, NOW, Crash())
    assert {(r["status"], r["attempts"]) for r in rows(engine)} == {("pending", 1)}

    assert deliver(engine, NOW + timedelta(seconds=59), NullTransport()).deliveries == []  # still leased
    null = NullTransport()
    report = deliver(engine, NOW + timedelta(seconds=60), null)
    assert [d.outcome for d in report.deliveries] == ["sent"] * 3
    assert [r.key for r in null.sent] == [f"fact-{i}:{URL}" for i in range(3)]  # the same keys: at least once
    assert {(r["status"], r["attempts"], r["sent_at"]) for r in rows(engine)} == {
        ("sent", 2, NOW + timedelta(seconds=60))
    }


def test_a_live_worker_renewing_its_lease_keeps_its_rows_through_a_long_batch(engine: Engine) -> None:
    put(engine, 30)
    clock = Clock(NOW)
    others: list[int] = []

    def another_worker(n: int) -> None:  # every 5th send, another worker's pass at the same instant
        if n % 5 == 0:
            others.extend(d.seq for d in deliver(engine, clock(), NullTransport()).deliveries)

    slow = Slow(clock, 5.0, another_worker)  # 30 sends × 5 s = 150 s, far past one lease
    report = deliver(engine, NOW, slow, clock)
    assert others == []  # the other worker never found a row of this one's due
    assert report.lost == [] and [d.outcome for d in report.deliveries] == ["sent"] * 30
    assert clock() == NOW + timedelta(seconds=150)
    written = rows(engine)
    assert {(r["status"], r["attempts"]) for r in written} == {("sent", 1)}
    assert [r["sent_at"] for r in written] == [NOW + timedelta(seconds=5 * (i + 1)) for i in range(30)]
    timestamps = [row.attempt_at for row in slow.sent]  # each attempt stamped when it was made
    assert timestamps == [NOW + timedelta(seconds=5 * i) for i in range(30)]


def test_without_renewal_the_rows_would_be_taken_so_the_test_above_can_fail(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_module, "RENEW_AFTER", timedelta(days=1))
    put(engine, 30)
    clock = Clock(NOW)
    others: list[int] = []

    def another_worker(n: int) -> None:
        if n == 15:  # 75 s in: past the lease
            others.extend(d.seq for d in deliver(engine, clock(), NullTransport()).deliveries)

    deliver(engine, NOW, Slow(clock, 5.0, another_worker), clock)
    assert others == list(range(15, 31))  # the row being sent, and every one after it


def test_a_worker_stalled_past_its_lease_loses_its_rows_and_leaves_the_newer_claim_alone(
    engine: Engine, http_receiver: HttpReceiver
) -> None:
    """Worker A claims 5 rows and stalls 70 s in its first send; B claims them all at +65 s and sends
    them. A then finds at its renewal that it holds nothing: it sends no more and records nothing. The
    row A was sending reaches the receiver twice (at least once; the key lets it drop the repeat)."""
    url = http_receiver.url("/hook")
    target = Target("webhook", url, url=url)
    with engine.begin() as conn:
        for i in range(5):
            enqueue(conn, key=f"fact-{i}", topic="test", payload={"i": i}, targets=[target], now=NOW)
    clock = Clock(NOW)
    current = {target.ref: target}
    b_report: list[Any] = []

    class StallsOnce:
        def __init__(self) -> None:
            self.http = HttpSmtpTransport({})

        def send(self, row: OutboxRow) -> None:
            if not b_report:
                clock.advance(65)
                with HttpSmtpTransport({}) as other:
                    b_report.append(deliver_due(engine, now=clock(), transport=other, targets=current))
                clock.advance(5)
            self.http.send(row)

    a = StallsOnce()
    a_report = deliver_due(engine, now=NOW, transport=a, targets=current, clock=clock)
    a.http.close()
    assert [d.outcome for d in b_report[0].deliveries] == ["sent"] * 5
    assert [d.seq for d in a_report.deliveries] == [1]  # A sent only the row it was already sending
    assert a_report.lost == [1, 2, 3, 4, 5]  # 2-5 found taken at the renewal; 1 not recorded by A
    keys = [r.headers["Idempotency-Key"] for r in http_receiver.on("/hook")]
    assert sorted(keys) == sorted([f"fact-0:{url}", *(f"fact-{i}:{url}" for i in range(5))])
    assert {(r["status"], r["attempts"], r["sent_at"]) for r in rows(engine)} == {
        ("sent", 2, NOW + timedelta(seconds=65))
    }  # B's record stands


def test_on_postgresql_racing_workers_split_the_rows_and_send_none_twice_within_a_lease(
    engine: Engine, http_receiver: HttpReceiver
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("one worker runs on SQLite (DESIGN.md §6)")
    url = http_receiver.url("/race")
    target = Target("webhook", url, url=url)
    with engine.begin() as conn:
        for i in range(40):
            enqueue(conn, key=f"fact-{i}", topic="test", payload={"i": i}, targets=[target], now=NOW)
    http_receiver.delay = 0.01
    start = threading.Barrier(2)
    clock = Clock(NOW)  # one time for both workers, a second more at each send: 40 s in all
    lock = threading.Lock()
    sent: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    class Timed:
        def __init__(self, http: HttpSmtpTransport) -> None:
            self.http = http

        def send(self, row: OutboxRow) -> None:
            self.http.send(row)
            with lock:
                clock.advance(1)

    def worker(name: str) -> None:
        try:
            start.wait()
            with HttpSmtpTransport({}) as http:
                mine: list[int] = []
                while True:
                    report = deliver_due(
                        engine,
                        now=clock(),
                        transport=Timed(http),
                        targets={url: target},
                        clock=clock,
                        batch=4,
                    )
                    if not report.deliveries:
                        break
                    mine += [d.seq for d in report.deliveries]
            sent[name] = mine
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sent["a"] and sent["b"]  # both worked
    assert sorted(sent["a"] + sent["b"]) == sorted(r["seq"] for r in rows(engine))  # split, none twice
    keys = [r.headers["Idempotency-Key"] for r in http_receiver.on("/race")]
    assert sorted(keys) == sorted(f"fact-{i}:{url}" for i in range(40))
    assert {(r["status"], r["attempts"]) for r in rows(engine)} == {("sent", 1)}
