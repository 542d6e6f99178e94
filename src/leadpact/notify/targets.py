"""Where notifications go: the roster's ``notify`` section made into sendable targets.

Secrets and Slack/SMTP URLs live in the environment, never in ``team.yaml`` (DESIGN.md §3): a target
records the *name* of the variable and the transport reads it when it sends, so nothing secret is
written to the outbox. A variable that is missing when the targets are built is reported in
``Target.problem`` (the target is kept: the row is still written, and its delivery fails with that
message until the variable is set). No ``notify`` section means no targets: the null notifier.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from leadpact.roster import Roster

Channel = Literal["webhook", "slack", "email"]
CHANNELS: tuple[Channel, ...] = ("webhook", "slack", "email")


@dataclass(frozen=True)
class Target:
    """One destination and what is needed to reach it (variable names, never their values).

    ``ref`` names the target stably (it is part of each outbox row's Idempotency-Key): the URL of a
    webhook, ``slack:<env var name>``, ``email:<address>``.
    """

    channel: Channel
    ref: str
    url: str | None = None  # webhook: the endpoint (from team.yaml; it is not a secret)
    secret_env: str | None = None  # webhook: variable holding the signing secret (None: unsigned)
    url_env: str | None = None  # slack: variable holding the incoming-webhook URL
    smtp_env: str | None = None  # email: variable holding smtp[s]://user:pass@host:port[?starttls=1]
    sender: str | None = None  # email: the From address
    to: str | None = None  # email: the recipient
    problem: str | None = None  # why it cannot be delivered as configured now (missing variable, ...)

    def to_column(self) -> str:
        """The outbox ``target`` column: everything the transport needs but the secrets (JSON)."""
        fields = {k: v for k, v in asdict(self).items() if v is not None and k not in ("channel", "problem")}
        return json.dumps(fields, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_column(cls, channel: str, text: str) -> Target:
        data = json.loads(text)
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        return cls(channel=channel, **data)


def problems(targets: Iterable[Target]) -> list[str]:
    """Every target's problem, as ``ref: problem`` lines."""
    return [f"{t.ref}: {t.problem}" for t in targets if t.problem]


def _missing(env: Mapping[str, str], name: str | None, what: str) -> str | None:
    if name is None or env.get(name):
        return None
    return f"environment variable {name} ({what}) is not set"


def targets_from_roster(roster: Roster | None, env: Mapping[str, str]) -> list[Target]:
    """The webhook and Slack targets of ``team.yaml``, in file order, each once.

    Email needs recipients: see :func:`email_targets`.
    """
    if roster is None:
        return []
    out: list[Target] = []
    for hook in roster.notify.webhooks:
        problem = _missing(env, hook.secret_env, "the webhook signing secret")
        out.append(Target("webhook", hook.url, url=hook.url, secret_env=hook.secret_env, problem=problem))
    for slack in roster.notify.slack:
        problem = _missing(env, slack.url_env, "the Slack webhook URL")
        out.append(Target("slack", f"slack:{slack.url_env}", url_env=slack.url_env, problem=problem))
    return _unique(out)


def email_targets(
    roster: Roster | None, addresses: Iterable[str | None], env: Mapping[str, str]
) -> list[Target]:
    """One email target per distinct address (empty ones skipped); none when email is not configured.

    The caller decides who hears of what: the rep, the team manager, the marketing owner.
    """
    config = roster.notify.email if roster is not None else None
    if config is None:
        return []
    problem = _missing(env, config.smtp_env, "the SMTP URL") or _smtp_problem(env.get(config.smtp_env, ""))
    out = [
        Target(
            "email",
            f"email:{address.strip().lower()}",
            smtp_env=config.smtp_env,
            sender=config.from_,
            to=address.strip(),
            problem=problem,
        )
        for address in addresses
        if address and address.strip()
    ]
    return _unique(out)


def roster_addresses(roster: Roster | None) -> list[str]:
    """Every address the roster names: the marketing owner, executives, team managers, reps."""
    if roster is None:
        return []
    executives = getattr(roster, "executives", None) or {}
    people: list[str | None] = [roster.marketing.owner, *executives.values()]
    people += [team.manager for team in roster.teams.values()]
    people += [rep.email for rep in roster.reps]
    return [p for p in people if p]


def current_targets(roster: Roster | None, env: Mapping[str, str]) -> dict[str, Target]:
    """Every target the roster has now, by ``ref``: its webhooks and Slack channels and, when email is
    configured, the mailbox of each address it names. The worker sends a row only to a target still in
    here, with these settings (a changed secret variable or sender applies to rows already queued)."""
    found = [*targets_from_roster(roster, env), *email_targets(roster, roster_addresses(roster), env)]
    return {target.ref: target for target in found}


def _smtp_problem(url: str) -> str | None:
    if not url:
        return None
    try:
        parse_smtp_url(url)
    except ValueError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool
    starttls: bool
    user: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://user:pass@host:port`` (``?starttls=1`` to upgrade) or ``smtps://`` (TLS from the start).

    Ports default to 25 (smtp), 587 (smtp with starttls) and 465 (smtps). User and password are
    percent-decoded.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("the SMTP URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("the SMTP URL names no host")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"the SMTP URL has a bad port: {exc}") from None
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[-1].lower() in ("1", "true", "yes")
    ssl = parts.scheme == "smtps"
    if port is None:
        port = 465 if ssl else 587 if starttls else 25
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        ssl=ssl,
        starttls=starttls and not ssl,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _unique(targets: list[Target]) -> list[Target]:
    seen: set[str] = set()
    out = []
    for target in targets:
        if target.ref not in seen:
            seen.add(target.ref)
            out.append(target)
    return out
