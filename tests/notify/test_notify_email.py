"""Email through a real SMTP server on 127.0.0.1 (aiosmtpd), with login, on SQLite and PostgreSQL."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from typing import Any

from receivers import SmtpReceiver
from sqlalchemy import Engine

from leadpact.notify.outbox import deliver_due, enqueue
from leadpact.notify.targets import email_targets
from leadpact.notify.transport import HttpSmtpTransport, message_id
from leadpact.roster import Roster, parse_roster

NOW = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)
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


def roster() -> Roster:
    return parse_roster(
        {
            "marketing": {"owner": "dana@acme.example"},
            "teams": {"sdr-smb": {"manager": "li@acme.example"}},
            "reps": [{"id": "ana", "name": "Ana Ruiz", "email": "ana@acme.example", "team": "sdr-smb"}],
            "routing": {"rules": [{"to": "sdr-smb"}]},
            "notify": {"email": {"smtp_env": "SMTP_URL", "from": "leadpact@acme.example"}},
        },
        None,
    )


def send(engine: Engine, env: dict[str, str], addresses: list[str | None]) -> Any:
    targets = email_targets(roster(), addresses, env)
    with engine.begin() as conn:
        enqueue(
            conn,
            key="clock.breached:L-1:1:first_contact",
            topic="clock.breached",
            payload=BREACH,
            targets=targets,
            now=NOW,
        )
    with HttpSmtpTransport(env) as transport:
        return deliver_due(engine, targets=None, now=NOW, transport=transport)


def test_an_email_reaches_each_recipient_with_subject_body_and_the_key(
    engine: Engine, smtp_receiver: SmtpReceiver
) -> None:
    report = send(engine, {"SMTP_URL": smtp_receiver.url()}, ["ana@acme.example", "li@acme.example", None])
    assert report.summary() == {"sent": 2, "retrying": 0, "dead": 0, "dropped": 0}
    assert smtp_receiver.logins == [("leadpact", "p@ss word!")] * 2  # percent-decoded from the URL
    by_rcpt = {rcpt[0]: (sender, raw) for sender, rcpt, raw in smtp_receiver.messages}
    assert set(by_rcpt) == {"ana@acme.example", "li@acme.example"}
    sender, raw = by_rcpt["ana@acme.example"]
    assert sender == "leadpact@acme.example"
    msg = email.message_from_bytes(raw, policy=policy.default)
    key = "clock.breached:L-1:1:first_contact:email:ana@acme.example"
    assert msg["Subject"] == (
        "[leadpact] Breached: first contact for L-1 (ana) was due 14:05 — high intent, demo_request"
    )
    assert msg["From"] == "leadpact@acme.example" and msg["To"] == "ana@acme.example"
    assert msg["X-Idempotency-Key"] == key
    assert msg["Message-ID"] == message_id(key, "leadpact@acme.example")
    assert msg["X-Leadpact-Topic"] == "clock.breached"
    text = msg.get_content()
    assert text.startswith("Breached: first contact for L-1 (ana) was due 14:05")
    assert "lead_id: L-1" in text and f"Idempotency-Key: {key}" in text


def test_a_refused_login_is_a_failure_to_retry(engine: Engine, smtp_receiver: SmtpReceiver) -> None:
    report = send(engine, {"SMTP_URL": smtp_receiver.url(password="wrong")}, ["ana@acme.example"])
    (retry,) = report.retrying
    assert retry.error is not None and "SMTPAuthenticationError" in retry.error
    assert smtp_receiver.messages == []


def test_without_the_smtp_variable_nothing_is_sent_and_the_row_says_why(engine: Engine) -> None:
    report = send(engine, {}, ["ana@acme.example"])
    assert report.retrying[0].error == "environment variable SMTP_URL (the SMTP URL) is not set"
