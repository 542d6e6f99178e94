"""Messages follow the roster as it is when they are delivered: a target still configured is sent with its
current settings; one the roster no longer has is dropped, not sent, and says why. The worker's report
groups failures by reason and target."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from receivers import HttpReceiver, free_port
from sqlalchemy import Engine, select

from leadpact.notify.outbox import DROPPED, deliver_due, enqueue
from leadpact.notify.reasons import describe, group_failures, reason_of
from leadpact.notify.targets import Target, current_targets, email_targets, targets_from_roster
from leadpact.notify.transport import HttpSmtpTransport, NullTransport
from leadpact.roster import Roster, parse_roster
from leadpact.services.outbox import list_messages
from leadpact.services.worker import WorkerReport, deliver
from leadpact.store.tables import outbox

NOW = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)


def roster(notify: dict[str, Any] | None, reps: tuple[str, ...] = ("ana", "ben")) -> Roster:
    data: dict[str, Any] = {
        "marketing": {"owner": "dana@acme.example"},
        "teams": {"sdr": {"manager": "li@acme.example"}},
        "reps": [{"id": r, "name": r.title(), "email": f"{r}@acme.example", "team": "sdr"} for r in reps],
        "routing": {"rules": [{"to": "sdr"}]},
    }
    if notify is not None:
        data["notify"] = notify
    return parse_roster(data, None)


def put(engine: Engine, targets: list[Target], key: str = "clock.breached:L-1:1:first_contact") -> None:
    with engine.begin() as conn:
        enqueue(conn, key=key, topic="clock.breached", payload={"lead_id": "L-1"}, targets=targets, now=NOW)


def statuses(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        found = conn.execute(select(outbox).order_by(outbox.c.seq)).mappings()
        return [
            (Target.from_column(r["channel"], r["target"]).ref, r["status"], r["last_error"]) for r in found
        ]


def test_current_targets_are_every_target_the_roster_names_by_ref() -> None:
    team = roster({"webhooks": [{"url": "https://h.example/a"}], "email": {"smtp_env": "S", "from": "lp@x"}})
    assert sorted(current_targets(team, {})) == [
        "email:ana@acme.example",
        "email:ben@acme.example",
        "email:dana@acme.example",
        "email:li@acme.example",
        "https://h.example/a",
    ]
    assert current_targets(roster(None), {}) == {} and current_targets(None, {}) == {}


def test_a_target_still_configured_is_sent_with_its_current_settings(
    engine: Engine, http_receiver: HttpReceiver
) -> None:
    url = http_receiver.url("/hook")
    then = roster({"webhooks": [{"url": url, "secret_env": "OLD_SECRET"}]})
    put(engine, targets_from_roster(then, {}))
    now = roster({"webhooks": [{"url": url, "secret_env": "NEW_SECRET"}]})  # the secret was rotated
    env = {"OLD_SECRET": "old", "NEW_SECRET": "new"}
    with HttpSmtpTransport(env) as http:
        report = deliver_due(engine, now=NOW, transport=http, targets=current_targets(now, env))
    assert report.summary()["sent"] == 1
    (request,) = http_receiver.on("/hook")
    expected = "sha256=" + hmac.new(b"new", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Leadpact-Signature"] == expected


def test_a_target_the_roster_no_longer_has_is_dropped_not_sent_and_says_why(engine: Engine) -> None:
    then = roster(
        {
            "webhooks": [{"url": "https://h.example/kept"}, {"url": "https://h.example/gone"}],
            "email": {"smtp_env": "S", "from": "lp@acme.example"},
        }
    )
    people = ["ana@acme.example", "ben@acme.example"]
    put(engine, [*targets_from_roster(then, {}), *email_targets(then, people, {})])
    now = roster(
        {"webhooks": [{"url": "https://h.example/kept"}], "email": {"smtp_env": "S", "from": "x@y"}}, ("ana",)
    )
    null = NullTransport()
    report = deliver_due(engine, now=NOW, transport=null, targets=current_targets(now, {}))
    assert sorted(r.target.ref for r in null.sent) == ["email:ana@acme.example", "https://h.example/kept"]
    (mail,) = [r for r in null.sent if r.channel == "email"]
    assert (mail.target.sender, mail.target.to) == ("x@y", "ana@acme.example")  # today's sender
    assert [(d.ref, d.error) for d in report.dropped] == [
        ("https://h.example/gone", DROPPED),
        ("email:ben@acme.example", DROPPED),  # ben left the team
    ]
    assert statuses(engine) == [
        ("https://h.example/kept", "sent", None),
        ("https://h.example/gone", "dropped", DROPPED),
        ("email:ana@acme.example", "sent", None),
        ("email:ben@acme.example", "dropped", DROPPED),
    ]
    shown = {m["target"]: (m["status"], m["last_error"]) for m in list_messages(engine).messages}
    assert shown["https://h.example/gone"] == ("dropped", "target no longer in team.yaml")
    assert deliver_due(engine, now=NOW, transport=null, targets=current_targets(then, {})).deliveries == []


def test_the_worker_passes_the_roster_in_and_with_no_notify_section_sends_nothing(engine: Engine) -> None:
    put(engine, [Target("webhook", "https://h.example/a", url="https://h.example/a")])
    report = WorkerReport()
    deliver(engine, now=NOW, report=report, roster=roster(None), env={})
    assert (report.delivered, report.failed, report.dropped) == (0, 0, 1)
    assert statuses(engine) == [("https://h.example/a", "dropped", DROPPED)]


def test_the_worker_groups_failures_by_reason_and_target(engine: Engine, http_receiver: HttpReceiver) -> None:
    closed = f"http://127.0.0.1:{free_port()}/leadpact"
    http_receiver.always["/slack"] = 500
    team = roster({"webhooks": [{"url": closed}], "slack": [{"url_env": "SLACK_URL"}]})
    for i in range(3):
        put(engine, targets_from_roster(team, {}), key=f"fact-{i}")
    report = WorkerReport()
    deliver(engine, now=NOW, report=report, roster=team, env={"SLACK_URL": http_receiver.url("/slack")})
    assert (report.delivered, report.failed, report.dead) == (0, 6, 0)
    assert report.failures == [
        {"reason": "HTTP 500", "target": "slack:SLACK_URL", "count": 3},
        {"reason": "connection refused", "target": closed, "count": 3},
    ]
    assert describe(report.failures) == f"3 × HTTP 500 (slack:SLACK_URL), 3 × connection refused ({closed})"
    assert report.to_json()["failures"] == report.failures


def test_reasons_are_short_and_stable() -> None:
    assert reason_of("ConnectError: [Errno 111] Connection refused") == "connection refused"
    assert reason_of("HTTP 503: upstream unavailable") == "HTTP 503"
    assert reason_of("timed out after 5 s") == "timed out"
    assert (
        reason_of("environment variable SLACK_URL (the Slack webhook URL) is not set") == "SLACK_URL not set"
    )
    assert reason_of("ConnectError: [Errno -2] Name or service not known") == "host not found"
    assert reason_of("SMTP mail:25: SMTPAuthenticationError: (535, b'no')") == "SMTP SMTPAuthenticationError"
    assert reason_of("x" * 100) == "x" * 59 + "…"
    assert reason_of(None) == "unknown error"

    class F:
        def __init__(self, error: str, ref: str) -> None:
            self.error, self.ref = error, ref

    groups = group_failures([F("HTTP 500: a", "r1"), F("HTTP 500: b", "r1"), F("HTTP 502", "r1")])
    assert groups == [
        {"reason": "HTTP 500", "target": "r1", "count": 2},
        {"reason": "HTTP 502", "target": "r1", "count": 1},
    ]
