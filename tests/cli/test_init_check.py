"""`leadpact init` and `leadpact check`: a round trip, refusals, every error, JSON and the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadpact.cli import app, load_commands
from leadpact.pact import Pact

load_commands()
runner = CliRunner()


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    result = runner.invoke(app, ["init", str(tmp_path / "sla")])
    assert result.exit_code == 0, result.output
    return tmp_path / "sla"


def test_init_writes_both_files_and_check_passes(workdir: Path) -> None:
    assert (workdir / "pact.yaml").is_file() and (workdir / "team.yaml").is_file()
    result = runner.invoke(app, ["check", "--pact", str(workdir / "pact.yaml")])
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert Pact().version in out and "monitoring" in out
    assert "enterprise" in out and "1000" in out and "every lead" in out
    assert "5m in business hours, 1h outside" in out and "1 business day" in out
    assert "wrong_job_function" in out and "adjust persona targeting" in out
    assert "1,067 MQLs a quarter, 356 a month" in out  # the seed waterfall
    assert "2 teams, 3 reps" in out


def test_init_says_what_it_wrote(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0
    out = flat(result.output)
    assert f"wrote {tmp_path / 'pact.yaml'}" in out and f"wrote {tmp_path / 'team.yaml'}" in out


def test_init_refuses_to_overwrite_unless_forced(workdir: Path) -> None:
    pact_file = workdir / "pact.yaml"
    pact_file.write_text("name: mine\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(workdir)])
    assert result.exit_code == 1
    assert "already exist" in flat(result.output) and "--force" in result.output
    assert pact_file.read_text(encoding="utf-8") == "name: mine\n"
    result = runner.invoke(app, ["init", str(workdir), "--force"])
    assert result.exit_code == 0 and "overwrote" in result.output
    assert "name: mine" not in pact_file.read_text(encoding="utf-8")


def test_init_refuses_when_only_one_file_exists(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text("teams: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1 and not (tmp_path / "pact.yaml").exists()


def test_check_lists_every_error_of_both_files(workdir: Path) -> None:
    pact_file = workdir / "pact.yaml"
    text = pact_file.read_text(encoding="utf-8")
    text = text.replace("business_hours: 5m", 'business_hours: "5 minutes"')
    text = text.replace("half_life_days: 30 ", "half_lfe_days: 30 ")
    text = text.replace("mode: monitoring ", "mode: enforcing ")
    pact_file.write_text(text, encoding="utf-8")
    team_file = workdir / "team.yaml"
    team_file.write_text(
        team_file.read_text(encoding="utf-8").replace("team: sdr-smb, weight: 2", "team: sdr-mb, weight: 2")
    )
    result = runner.invoke(app, ["check", "--pact", str(pact_file)])
    assert result.exit_code == 1
    out = flat(result.output)
    assert 'response.high.business_hours: "5 minutes" is not a duration like 5m, 1h, 2bd' in out
    assert "scoring.half_lfe_days: unknown key (did you mean half_life_days?)" in out
    assert 'reps[1].team: "sdr-mb" is not a team of `teams`' in out
    assert f"{pact_file}:" in out and f"{team_file}:" in out  # file (and line) of each
    assert "3 problems (2 in" in out


def test_check_json_errors(workdir: Path) -> None:
    pact_file = workdir / "pact.yaml"
    pact_file.write_text("touches: {min: many}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--pact", str(pact_file), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    (error,) = data["errors"]
    assert error["path"] == "touches.min" and error["line"] == 1 and error["value"] == "many"
    assert error["message"] == '"many" is not a whole number'


def test_check_json_prints_the_resolved_pact(workdir: Path) -> None:
    result = runner.invoke(app, ["check", "--pact", str(workdir / "pact.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == Pact().model_dump(mode="json")


def test_check_finds_the_pact_through_the_environment(workdir: Path) -> None:
    result = runner.invoke(app, ["check"], env={"LEADPACT_PACT": str(workdir / "pact.yaml")})
    assert result.exit_code == 0, result.output


def test_check_without_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--pact", str(tmp_path / "pact.yaml")])
    assert result.exit_code == 1
    out = flat(result.output)
    assert "no pact file at" in out and "no roster file at" in out


def test_check_schema_is_json_schema_with_descriptions() -> None:
    result = runner.invoke(app, ["check", "--schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "leadpact pact.yaml"
    assert set(schema["properties"]) == set(Pact.model_fields)
    assert all("description" in prop for prop in schema["properties"].values())
    assert "Segment" in schema["$defs"] and "Condition" in schema["$defs"]


def test_check_shows_warnings_but_passes(workdir: Path) -> None:
    pact_file = workdir / "pact.yaml"
    text = pact_file.read_text(encoding="utf-8").replace(
        "  smb: {}\n", "  smb: {}\n  late: {when: {field: attributes.a, op: exists}}\n"
    )
    pact_file.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", "--pact", str(pact_file)])
    assert result.exit_code == 0, result.output
    assert "segments.late: never matches" in flat(result.output)


#: (file, old text, new text, the key path of the error it makes): independent errors in both files
BROKEN = [
    ("pact.yaml", "  half_life_days: 30 ", "  half_lfe_days: 30 ", "scoring.half_lfe_days"),
    ("pact.yaml", "{field: employees, op: between", "{field: employes, op: between", "scoring.fit[0].field"),
    (
        "pact.yaml",
        'when: {field: employees, op: ">="',
        'when: {field: employee, op: ">="',
        "segments.enterprise.when.field",
    ),
    (
        "pact.yaml",
        "high: {business_hours: 5m,",
        'high: {business_hours: "5 minutes",',
        "response.high.business_hours",
    ),
    ("pact.yaml", "  min: 8\n", "  min: eight\n", "touches.min"),
    (
        "pact.yaml",
        "invalid_contact, duplicate_or_customer]",
        "invalid_contact, duplicate]",
        "touches.exempt_reasons[2]",
    ),
    ("pact.yaml", '    hours: {mon-fri: "09:00-17:00"}', "    hours: {}", "calendars.default.hours"),
    (
        "pact.yaml",
        "    holidays: US ",
        "    holidays: {country: US, dates: [soon]} ",
        "calendars.default.holidays.dates[0]",
    ),
    ("team.yaml", "team: sdr-smb, weight: 2", "team: sdr-mb, weight: 2", "reps[1].team"),
    ("team.yaml", "team: sdr-smb, weight: 1,", "team: sdr-smb, weight: heavy,", "reps[0].weight"),
    (
        "team.yaml",
        '{field: employees, op: ">=", value: 1000}, to',
        '{field: employes, op: ">=", value: 1000}, to',
        "routing.rules[1].when.field",
    ),
    (
        "team.yaml",
        "    - {to: sdr-smb}",
        "    - {when: {field: tier, op: eq, value: high}, to: sdr-enterprise}\n    - {to: sdr-smb}",
        None,
    ),
]


def test_check_reports_every_error_of_both_files_in_one_run(workdir: Path) -> None:
    for name, old, new, _ in BROKEN:
        path = workdir / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = runner.invoke(app, ["check", "--pact", str(workdir / "pact.yaml"), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    found = {error["path"]: error for error in errors}
    expected = {path: name for name, _, _, path in BROKEN if path is not None}
    assert sorted(found) == sorted(expected), errors  # nothing else (no cascade)
    assert len(errors) == len(expected), errors  # each once
    for path, name in expected.items():
        error = found[path]
        file = workdir / name
        assert error["file"] == str(file) and error["severity"] == "error"
        assert error["line"] is not None, error
        line = file.read_text(encoding="utf-8").splitlines()[error["line"] - 1]
        key = path.rsplit(".", 1)[-1].split("[")[0]
        assert key in line, (path, line)
    assert (
        found["scoring.fit[0].field"]["message"] == 'unknown lead field "employes" (did you mean employees?)'
    )
    assert found["segments.enterprise.when.field"]["message"].endswith("(did you mean employees?)")
    assert found["touches.exempt_reasons[2]"]["value"] == "duplicate"
    assert found["calendars.default.hours"]["message"].startswith("the calendar has no working time")
    assert found["reps[1].team"]["message"].startswith('"sdr-mb" is not a team of `teams`')


def test_the_roster_is_judged_against_the_calendars_of_an_invalid_pact(workdir: Path) -> None:
    pact_file, team_file = workdir / "pact.yaml", workdir / "team.yaml"
    pact_file.write_text(pact_file.read_text(encoding="utf-8").replace("  min: 8\n", "  min: -1\n"))
    team_file.write_text(
        team_file.read_text(encoding="utf-8").replace(
            "calendar: default, manager: li", "calendar: emea, manager: li"
        )
    )
    result = runner.invoke(app, ["check", "--pact", str(pact_file)], env={"COLUMNS": "80"})
    assert result.exit_code == 1
    out = flat(result.output)
    assert "touches.min: -1 must be at least 0" in out
    assert 'teams.sdr-smb.calendar: "emea" is not a calendar of the pact (default)' in out
    assert "2 problems (1 in" in out
