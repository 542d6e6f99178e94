"""Targets from team.yaml: URLs and secrets from the environment, problems reported, the null notifier."""

from __future__ import annotations

from typing import Any

import pytest

from leadpact.notify.targets import Target, email_targets, parse_smtp_url, problems, targets_from_roster
from leadpact.roster import Roster, parse_roster


def roster(notify: dict[str, Any] | None = None) -> Roster:
    data: dict[str, Any] = {
        "teams": {"sdr-smb": {"manager": "li@acme.example"}},
        "reps": [{"id": "ana", "name": "Ana Ruiz", "email": "ana@acme.example", "team": "sdr-smb"}],
        "routing": {"rules": [{"to": "sdr-smb"}]},
    }
    if notify is not None:
        data["notify"] = notify
    return parse_roster(data, None)


FULL = {
    "webhooks": [
        {"url": "https://hooks.example/a", "secret_env": "HOOK_SECRET"},
        {"url": "https://hooks.example/a", "secret_env": "HOOK_SECRET"},
        {"url": "https://hooks.example/open"},
    ],
    "slack": [{"url_env": "SLACK_URL"}],
    "email": {"smtp_env": "SMTP_URL", "from": "leadpact@acme.example"},
}


def test_webhooks_and_slack_come_from_the_file_with_secrets_named_not_copied() -> None:
    env = {"HOOK_SECRET": "s", "SLACK_URL": "https://hooks.slack.example/T/B/x"}
    targets = targets_from_roster(roster(FULL), env)
    assert [(t.channel, t.ref) for t in targets] == [
        ("webhook", "https://hooks.example/a"),
        ("webhook", "https://hooks.example/open"),
        ("slack", "slack:SLACK_URL"),
    ]
    assert problems(targets) == []
    assert all("hooks.slack.example" not in t.to_column() and '"s"' not in t.to_column() for t in targets)


def test_a_missing_variable_is_a_problem_not_a_crash() -> None:
    targets = targets_from_roster(roster(FULL), {})
    assert problems(targets) == [
        "https://hooks.example/a: environment variable HOOK_SECRET (the webhook signing secret) is not set",
        "slack:SLACK_URL: environment variable SLACK_URL (the Slack webhook URL) is not set",
    ]
    assert problems(email_targets(roster(FULL), ["a@x.example"], {"SMTP_URL": "http://nope"})) == [
        "email:a@x.example: the SMTP URL must start with smtp:// or smtps://"
    ]


def test_no_notify_section_means_no_targets() -> None:
    assert targets_from_roster(roster(), {"HOOK_SECRET": "s"}) == []
    assert email_targets(roster(), ["ana@acme.example"], {}) == []
    assert targets_from_roster(None, {}) == []


def test_email_targets_are_the_callers_recipients_each_once() -> None:
    people = ["Ana@acme.example", None, "", "ana@acme.example", "li@acme.example"]
    targets = email_targets(roster(FULL), people, {"SMTP_URL": "smtp://127.0.0.1:2525"})
    assert [t.ref for t in targets] == ["email:ana@acme.example", "email:li@acme.example"]
    assert targets[0] == Target(
        "email",
        "email:ana@acme.example",
        smtp_env="SMTP_URL",
        sender="leadpact@acme.example",
        to="Ana@acme.example",
    )


def test_a_target_survives_the_outbox_column() -> None:
    target = Target("webhook", "https://hooks.example/a", url="https://hooks.example/a", secret_env="S")
    assert Target.from_column("webhook", target.to_column()) == target


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", ("mail.example", 25, False, False, None, None)),
        ("smtp://u:p%40ss@mail.example?starttls=1", ("mail.example", 587, False, True, "u", "p@ss")),
        ("smtps://u:p@mail.example:2465", ("mail.example", 2465, True, False, "u", "p")),
    ],
)
def test_smtp_urls(url: str, expected: tuple[Any, ...]) -> None:
    s = parse_smtp_url(url)
    assert (s.host, s.port, s.ssl, s.starttls, s.user, s.password) == expected
