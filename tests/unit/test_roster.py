"""The roster (team.yaml): the template, lookups, and every check against itself and the pact."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from leadpact.pact import Pact, PactError, parse_pact
from leadpact.roster import Roster, load_roster, parse_roster, roster_json_schema, roster_warnings

TEMPLATE = resources.files("leadpact").joinpath("templates", "team.yaml")


def minimal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "teams": {"sdr": {}},
        "reps": [{"id": "ana", "name": "Ana", "email": "ana@acme.example", "team": "sdr"}],
        "routing": {"rules": [{"to": "sdr"}]},
    }
    data.update(changes)
    return data


def errors_of(data: dict[str, Any], pact: Pact | None = None) -> list[str]:
    with pytest.raises(PactError) as info:
        parse_roster(data, pact if pact is not None else Pact())
    assert all(issue.source == "team.yaml" for issue in info.value.issues)
    return [str(issue) for issue in info.value.issues]


def test_template_loads_and_matches_the_design() -> None:
    with resources.as_file(TEMPLATE) as path:
        roster = load_roster(path, Pact())
    assert roster.marketing.owner == "dana@acme.example"
    assert list(roster.teams) == ["sdr-enterprise", "sdr-smb"]
    assert roster.teams["sdr-enterprise"].after_hours == "sdr-smb"
    ana, ben, eva = roster.reps
    assert ana.capacity.per_day == 40 and ana.capacity.open == 120 and ana.calendar == "default"
    assert (
        ben.weight == 2
        and ben.time_off[0].from_ == date(2026, 12, 21)
        and ben.time_off[0].to == date(2026, 12, 31)
    )
    assert ben.off_on(date(2026, 12, 31)) and not ben.off_on(date(2027, 1, 1))
    assert eva.active and eva.capacity.per_day is None
    assert [rule.to for rule in roster.routing.rules] == ["account_owner", "sdr-enterprise", "sdr-smb"]
    assert roster.routing.rules[0].when is not None and roster.routing.rules[0].when.op == "exists"
    assert roster.routing.match_accounts_by == ["account_id"] and not roster.routing.reassign_on_breach
    assert roster.notify.empty  # `leadpact init` writes no live targets: nothing fails on the first run
    assert roster_warnings(roster) == [] and roster_warnings(roster, pact=Pact()) == []
    assert roster.executives == {"CRO": "cro@acme.example", "CEO": "ceo@acme.example"}


def test_a_joint_escalation_title_no_executive_holds_is_a_warning() -> None:
    roster = parse_roster(minimal(executives={"CRO": "cro@acme.example"}), Pact())
    (warning,) = roster_warnings(roster, pact=Pact())
    assert warning.path == "executives" and "names CEO" in warning.message
    assert roster_warnings(roster) == []  # without the pact nothing is known of who is named


def template_with_notify_uncommented() -> str:
    """The template with its commented `notify` example switched on, as a user would."""
    out = []
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        if line == "# notify:" or line.startswith("#   "):
            line = line[2:]
        out.append(line)
    return "\n".join(out) + "\n"


def test_the_templates_commented_notify_example_is_a_valid_roster_once_uncommented(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(template_with_notify_uncommented(), encoding="utf-8")
    roster = load_roster(path, Pact())
    assert roster.notify.webhooks[0].url == "https://hooks.example/leadpact"
    assert roster.notify.webhooks[0].secret_env == "LEADPACT_WEBHOOK_SECRET"
    assert roster.notify.slack[0].url_env == "LEADPACT_SLACK_URL"
    assert roster.notify.email is not None and roster.notify.email.from_ == "leadpact@acme.example"


def test_lookups() -> None:
    roster = parse_roster(
        minimal(
            teams={"sdr": {"calendar": "default"}, "ae": {}},
            reps=[
                {"id": "ana", "name": "Ana", "email": "a@x", "team": "sdr"},
                {"id": "bo", "name": "Bo", "email": "b@x", "team": "sdr", "active": False},
                {"id": "cy", "name": "Cy", "email": "c@x", "team": "ae", "calendar": "default"},
            ],
        ),
        Pact(),
    )
    assert roster.rep("bo") is not None and roster.rep("nobody") is None
    assert [r.id for r in roster.team_reps("sdr")] == ["ana", "bo"]
    assert [r.id for r in roster.team_reps("sdr", active=True)] == ["ana"]
    assert roster.rep_calendar("cy") == "default" and roster.rep_calendar("ana") == "default"
    assert roster.rep_calendar("nobody") == "default"


def test_defaults_are_empty() -> None:
    roster = parse_roster(minimal(), Pact())
    assert roster.marketing.owner is None and roster.accounts == {}
    assert roster.notify.empty and roster.teams["sdr"].calendar == "default"
    rep = roster.reps[0]
    assert rep.weight == 1 and rep.active and rep.calendar is None and rep.time_off == []


def test_required_keys() -> None:
    assert errors_of({}) == ["teams: is required", "reps: is required", "routing: is required"]
    assert errors_of(minimal(routing={})) == ["routing.rules: is required"]
    assert errors_of(minimal(reps=[])) == ["reps: is empty; at least 1 needed"]


def test_references_are_checked() -> None:
    pact = parse_pact({"calendars": {"default": {}, "emea": {"timezone": "Europe/Berlin"}}})
    data = minimal(
        teams={
            "sdr": {"calendar": "apac", "after_hours": "night"},
            "ae": {"calendar": "emea", "after_hours": "ae"},
            "empty": {},
        },
        reps=[
            {"id": "ana", "name": "Ana", "email": "a@x", "team": "sdr"},
            {"id": "ana", "name": "Ana B", "email": "b@x", "team": "ae", "calendar": "apac"},
            {"id": "cy", "name": "Cy", "email": "c@x", "team": "sales"},
        ],
        accounts={"ACCT-9": "zed"},
        routing={"rules": [{"when": {"field": "employees", "op": ">=", "value": 1000}, "to": "enterprise"}]},
    )
    errors = errors_of(data, pact)
    assert errors == [
        'teams.sdr.calendar: "apac" is not a calendar of the pact (default, emea)',
        'teams.sdr.after_hours: "night" is not a team of `teams` (sdr, ae, empty)',
        "teams.ae.after_hours: a team cannot cover its own after hours",
        'reps[1].id: "ana" is also the id of reps[0]; rep ids must be unique',
        'reps[1].calendar: "apac" is not a calendar of the pact (default, emea)',
        'reps[2].team: "sales" is not a team of `teams` (sdr, ae, empty)',
        'accounts.ACCT-9: "zed" is not a rep of `reps`',
        "teams.empty: has no reps",
        'routing.rules[0].to: "enterprise" is not a team of `teams` (sdr, ae, empty) or account_owner',
    ]


def test_without_a_pact_the_calendars_are_not_judged() -> None:
    roster = parse_roster(minimal(teams={"sdr": {"calendar": "apac"}}), None)
    assert roster.teams["sdr"].calendar == "apac"


def test_shapes_and_did_you_mean() -> None:
    errors = errors_of(
        minimal(
            reps=[
                {
                    "id": "ana",
                    "name": "Ana",
                    "email": "a@x",
                    "team": "sdr",
                    "wieght": 2,
                    "time_off": [
                        {"from": "2026-01-05", "to": "2026-01-01"},
                        {"from": "soon", "to": "2026-01-01"},
                    ],
                }
            ],
            routing={"rules": [{"to": "sdr"}], "match_accounts_by": ["domain"]},
            notfy={},
        )
    )
    assert "reps[0].wieght: unknown key (did you mean weight?)" in errors
    assert "reps[0].time_off[0].to: 2026-01-01 is before from 2026-01-05" in errors
    assert 'reps[0].time_off[1].from: "soon" is not a date like 2026-12-24' in errors
    assert any(
        e.startswith('routing.match_accounts_by[0]: "domain" is not one of account_id, email_domain')
        for e in errors
    )
    assert "notfy: unknown key (did you mean notify?)" in errors


def test_load_roster_names_file_and_line(tmp_path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8").replace("team: sdr-smb, weight: 2", "team: sdr-mb, weight: 2")
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PactError) as info:
        load_roster(path, Pact())
    (issue,) = info.value.issues
    assert issue.source == str(path) and issue.line is not None
    assert "sdr-mb" in text.splitlines()[issue.line - 1]
    assert issue.located().startswith(f"{path}:{issue.line}: reps[1].team:")
    with pytest.raises(PactError, match="no roster file"):
        load_roster(tmp_path / "missing.yaml", Pact())


def test_warnings() -> None:
    roster = parse_roster(
        minimal(
            reps=[{"id": "ana", "name": "Ana", "email": "a@x", "team": "sdr", "active": False}],
            routing={
                "rules": [{"to": "sdr"}, {"when": {"field": "attributes.a", "op": "exists"}, "to": "sdr"}]
            },
        ),
        Pact(),
    )
    texts = [str(w) for w in roster_warnings(roster)]
    assert "routing.rules[1]: never matches: routing.rules[0] before it has no `when`" in texts
    assert any(t.startswith("routing.rules: the last rule has a `when`") for t in texts)
    assert "teams.sdr: has no active reps" in texts


def test_dump_uses_yaml_keys_and_round_trips() -> None:
    raw = yaml.safe_load(template_with_notify_uncommented())
    roster = parse_roster(raw, Pact())
    dumped = roster.dump()
    assert dumped["reps"][1]["time_off"] == [{"from": "2026-12-21", "to": "2026-12-31"}]
    assert dumped["notify"]["email"]["from"] == "leadpact@acme.example"
    assert parse_roster(dumped, Pact()) == roster
    assert isinstance(roster, Roster)


def test_schema_describes_every_property() -> None:
    schema = roster_json_schema()
    missing = [
        f"{name}.{prop}"
        for name, definition in {"Roster": schema, **schema["$defs"]}.items()
        for prop, spec in definition.get("properties", {}).items()
        if "description" not in spec
    ]
    assert missing == []
    assert "from" in schema["$defs"]["TimeOff"]["properties"]
