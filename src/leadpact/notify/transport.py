"""Sending one outbox row: webhooks and Slack over HTTP, email over SMTP, or nowhere (the null transport).

A transport's ``send`` returns when the receiver accepted the message and raises on any failure;
the outbox decides about retries. Delivery is at least once, so every message carries the row's key:
the ``Idempotency-Key`` header (HTTP) or ``X-Idempotency-Key`` (email, whose ``Message-ID`` is also
derived from it), and receivers drop a key they have already seen.

Webhook requests
    ``POST <url>`` with the payload as the JSON body (UTF-8, keys sorted, no spaces) and headers
    ``Content-Type: application/json``, ``Idempotency-Key``, ``X-Leadpact-Topic``,
    ``X-Leadpact-Timestamp`` (Unix seconds of this attempt) and, when the webhook has a
    ``secret_env``, ``X-Leadpact-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed by
    the secret's UTF-8 bytes>``. A receiver verifies it like this::

        expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(expected, request.headers["X-Leadpact-Signature"])

    over the raw body as received (before any JSON parsing), then rejects a timestamp too far from its
    own clock (say five minutes) and skips an ``Idempotency-Key`` it has processed. The signature covers
    the body only: the timestamp is advisory, and replay protection rests on the key.

Any 2xx is success; anything else, a timeout (5 s) or a connection error is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

import httpx

from leadpact.domain.timeutil import iso_utc
from leadpact.notify.messages import body as email_body
from leadpact.notify.messages import one_line, subject
from leadpact.notify.targets import Target, parse_smtp_url

TIMEOUT_SECONDS = 5.0
USER_AGENT = "leadpact-notify/1"
# Lines up to RFC 5322's hard limit: Python folds a long Subject with an encoded word into a double
# space, and a key has no whitespace to fold at.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


class DeliveryError(Exception):
    """The receiver did not take the message; the text says why (kept as the row's ``last_error``)."""


@dataclass(frozen=True)
class OutboxRow:
    """One message as claimed from the outbox, with the instant of this attempt."""

    seq: int
    key: str
    topic: str
    target: Target
    payload: dict[str, Any]
    attempts: int  # including this one
    attempt_at: datetime

    @property
    def channel(self) -> str:
        return self.target.channel


class Transport(Protocol):
    def send(self, row: OutboxRow) -> None:
        """Deliver the row; raise on failure."""


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def body_bytes(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes a webhook receives (and the signature covers)."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The ``X-Leadpact-Signature`` value for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def message_id(key: str, sender: str) -> str:
    """A ``Message-ID`` that is the same for every attempt of a row, so mail clients can fold repeats."""
    domain = sender.rpartition("@")[2] or "leadpact.invalid"
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


class HttpSmtpTransport:
    """The real transport. ``env`` supplies the secrets, the Slack URLs and the SMTP URL at send time."""

    def __init__(self, env: Mapping[str, str], *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.env = env
        self.timeout = timeout
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> HttpSmtpTransport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout, headers={"User-Agent": USER_AGENT})
            return self._client

    def send(self, row: OutboxRow) -> None:
        if row.target.channel == "webhook":
            self._webhook(row)
        elif row.target.channel == "slack":
            self._slack(row)
        elif row.target.channel == "email":
            self._email(row)
        else:
            raise DeliveryError(f"unknown channel {row.target.channel!r}")

    def _variable(self, name: str | None, what: str) -> str:
        value = self.env.get(name) if name else None
        if not value:
            raise DeliveryError(f"environment variable {name} ({what}) is not set")
        return value

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryError(f"timed out after {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        if not 200 <= response.status_code < 300:
            text = " ".join(response.text.split())[:200]
            raise DeliveryError(f"HTTP {response.status_code}" + (f": {text}" if text else ""))

    def _webhook(self, row: OutboxRow) -> None:
        target = row.target
        if not target.url:
            raise DeliveryError("the webhook has no url")
        body = body_bytes(row.payload)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": row.key,
            "X-Leadpact-Topic": row.topic,
            "X-Leadpact-Timestamp": str(int(row.attempt_at.timestamp())),
        }
        if target.secret_env:
            secret = self._variable(target.secret_env, "the signing secret")
            headers["X-Leadpact-Signature"] = sign(secret, body)
        self._post(target.url, body, headers)

    def _slack(self, row: OutboxRow) -> None:
        url = self._variable(row.target.url_env, "the Slack webhook URL")
        body = json.dumps({"text": one_line(row.topic, row.payload)}, ensure_ascii=False).encode("utf-8")
        self._post(url, body, {"Content-Type": "application/json", "Idempotency-Key": row.key})

    def _email(self, row: OutboxRow) -> None:
        target = row.target
        if not (target.to and target.sender):
            raise DeliveryError("the email target has no sender or recipient")
        try:
            settings = parse_smtp_url(self._variable(target.smtp_env, "the SMTP URL"))
        except ValueError as exc:
            raise DeliveryError(str(exc)) from None
        msg = EmailMessage(policy=MAIL_POLICY)
        msg["From"] = target.sender
        msg["To"] = target.to
        msg["Subject"] = subject(row.topic, row.payload)
        msg["Date"] = format_datetime(row.attempt_at.astimezone(UTC))
        msg["Message-ID"] = message_id(row.key, target.sender)
        msg["X-Idempotency-Key"] = row.key
        msg["X-Leadpact-Topic"] = row.topic
        msg.set_content(email_body(row.topic, row.payload, row.key))
        try:
            smtp: smtplib.SMTP
            if settings.ssl:
                smtp = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=self.timeout)
            with smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.user:
                    smtp.login(settings.user, settings.password or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            where = f"{settings.host}:{settings.port}"
            raise DeliveryError(f"SMTP {where}: {type(exc).__name__}: {exc}") from None


@dataclass
class NullTransport:
    """Sends nothing and remembers every row (tests, and the embedded default with no targets)."""

    sent: list[OutboxRow] = field(default_factory=list)

    def send(self, row: OutboxRow) -> None:
        self.sent.append(row)
