"""`leadpact notify test` against real receivers: every kind of target, failures named, the null notifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from receivers import HttpReceiver, SmtpReceiver
from typer.testing import CliRunner

from leadpact.cli import load_commands
from leadpact.cli.app import app

load_commands()
runner = CliRunner()

PACT = "pact: 1\nname: Test SLA\ntimezone: America/New_York\n"
TEAM = """\
marketing: {owner: dana@acme.example}
teams:
  sdr-enterprise: {manager: maria@acme.example}
  sdr-smb: {manager: li@acme.example}
reps:
  - {id: ana, name: Ana Ruiz, email: ana@acme.example, team: sdr-smb}
  - {id: eva, name: Eva Lind, email: eva@acme.example, team: sdr-enterprise}
routing:
  rules: [{to: sdr-smb}]
"""


def project(tmp_path: Path, notify: str = "") -> list[str]:
    (tmp_path / "pact.yaml").write_text(PACT, encoding="utf-8")
    (tmp_path / "team.yaml").write_text(TEAM + notify, encoding="utf-8")
    return ["--pact", str(tmp_path / "pact.yaml"), "--db", f"sqlite:///{tmp_path / 'leadpact.db'}"]


def notify(http: HttpReceiver) -> str:
    return (
        f'notify:\n  webhooks: [{{url: "{http.url("/hook")}", secret_env: HOOK_SECRET}}]\n'
        "  slack: [{url_env: SLACK_URL}]\n"
        "  email: {smtp_env: SMTP_URL, from: leadpact@acme.example}\n"
    )


def run(args: list[str], env: dict[str, Any], code: int) -> Any:
    result = runner.invoke(app, ["notify", "test", *args], env=env)
    assert result.exit_code == code, result.output
    return result


def test_one_message_reaches_each_configured_target(
    tmp_path: Path, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver
) -> None:
    env = {"HOOK_SECRET": "s", "SLACK_URL": http_receiver.url("/slack"), "SMTP_URL": smtp_receiver.url()}
    out = json.loads(run([*project(tmp_path, notify(http_receiver)), "--json"], env, 0).stdout)
    assert out["configured"] is True and (out["sent"], out["failed"]) == (5, 0)
    assert [(t["channel"], t["target"], t["status"]) for t in out["targets"]] == [
        ("webhook", http_receiver.url("/hook"), "sent"),
        ("slack", "slack:SLACK_URL", "sent"),
        ("email", "email:dana@acme.example", "sent"),
        ("email", "email:maria@acme.example", "sent"),
        ("email", "email:li@acme.example", "sent"),
    ]
    (hook,) = http_receiver.on("/hook")
    assert hook.headers["X-Leadpact-Topic"] == "test" and "X-Leadpact-Signature" in hook.headers
    assert json.loads(http_receiver.on("/slack")[0].body)["text"].startswith("Test: ")
    assert sorted(m[1][0] for m in smtp_receiver.messages) == [
        "dana@acme.example",
        "li@acme.example",
        "maria@acme.example",
    ]


def test_a_failing_target_is_named_with_its_error_and_the_exit_code_is_1(
    tmp_path: Path, http_receiver: HttpReceiver
) -> None:
    http_receiver.always["/hook"] = 500
    team = (
        f'notify:\n  webhooks: [{{url: "{http_receiver.url("/hook")}"}}]\n  slack: [{{url_env: SLACK_URL}}]\n'
    )
    result = run(project(tmp_path, team), {"SLACK_URL": None, "COLUMNS": "80"}, 1)
    assert max(len(line) for line in result.stdout.splitlines()) <= 80, result.stdout
    text = " ".join(result.stdout.split())  # the error folds under its target at 80 columns
    assert "failed: HTTP 500" in text
    assert "environment variable SLACK_URL (the Slack webhook URL) is not set" in text
    assert "0 sent, 2 failed" in text
    out = json.loads(run([*project(tmp_path, team), "--json"], {"SLACK_URL": None}, 1).stdout)
    assert [t["status"] for t in out["targets"]] == ["failed", "failed"]
    assert len(http_receiver.on("/hook")) == 2  # tried once per run: a test is not retried later


def test_without_targets_it_says_the_null_notifier_is_in_use(tmp_path: Path) -> None:
    result = run(project(tmp_path), {}, 0)
    assert "null notifier" in result.stdout and "nothing was sent" in result.stdout
    out = json.loads(run([*project(tmp_path), "--json"], {}, 0).stdout)
    assert out["configured"] is False and out["targets"] == []
