"""What a user sees when the input is wrong: one clear line, or a refusal naming the line, the field and the
reason; never a traceback, and never the rest of the file lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import GOOD_FIT, activity, created, touch
from leadpact.cli import app, load_commands
from leadpact.cli.common import dumps
from tests_support import init_sla

load_commands()
runner = CliRunner()

EVENTS = [
    created("L1", "2026-03-02T09:00:00-05:00", **GOOD_FIT),
    activity("L1", "2026-03-02T10:00:00-05:00", "demo_request", id="L1-a"),
    touch("L1", "2026-03-02T10:03:00-05:00", id="L1-t1", note="café au lait"),
    touch("L1", "2026-03-02T10:05:00-05:00", id="L1-t2", note="left a message"),
    touch("L1", "2026-03-02T10:07:00-05:00", id="L1-t3", note="北京 🚀"),
]


@pytest.fixture
def sla(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return init_sla(tmp_path, monkeypatch)


def text(events: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)


def ingest(*args: str, stdin: bytes | None = None) -> Any:
    result = runner.invoke(app, ["ingest", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def one_error_line(result: Any) -> str:
    """The command failed with exactly one line on stderr (and nothing on stdout)."""
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_directory_a_missing_file_and_a_binary_file_each_get_one_clear_line(sla: Path) -> None:
    (sla / "events").mkdir()
    assert "is a directory, not a file of events" in one_error_line(ingest(str(sla / "events")))
    assert "no such file" in one_error_line(ingest(str(sla / "nope.jsonl")))
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    (sla / "logo.jsonl").write_bytes(png)
    assert "is not a text file of events" in one_error_line(ingest(str(sla / "logo.jsonl")))
    random_bytes = bytes((i * 7919 + 13) % 251 + 5 for i in range(50_000))  # no NUL, mostly not UTF-8
    (sla / "blob.jsonl").write_bytes(random_bytes)
    assert "not UTF-8 text" in one_error_line(ingest(str(sla / "blob.jsonl")))


def test_a_file_in_windows_1252_throughout_is_refused_whole_with_the_fix(sla: Path) -> None:
    lines = [json.dumps(e, ensure_ascii=False) for e in EVENTS[:4]]
    cp1252 = "".join(line.replace("}}", ', "title": "Gérant Général"}}', 1) + "\n" for line in lines)
    (sla / "export.jsonl").write_bytes(cp1252.replace("café", "cafe").encode("cp1252"))
    line = one_error_line(ingest(str(sla / "export.jsonl")))
    assert "Windows-1252" in line and "save it as UTF-8" in line


def test_a_windows_1252_byte_on_line_4_refuses_line_4_and_stores_the_others(sla: Path) -> None:
    raw = text(EVENTS).encode("utf-8")
    lines = raw.split(b"\n")
    lines[3] = lines[3].replace(b"left a message", b"left a message \x96 callback")  # cp1252's en dash
    (sla / "events.jsonl").write_bytes(b"\n".join(lines))
    result = ingest(str(sla / "events.jsonl"), "--json")
    assert result.exit_code == 1  # something was refused
    out = json.loads(result.stdout)
    assert out["summary"] == {"stored": 4, "duplicate": 0, "waiting": 0, "refused": 1}
    (refused,) = out["results"]
    column = lines[3].index(b"\x96") + 1  # all ASCII before it: bytes and characters count alike
    assert (refused["line"], refused["status"], refused["field"]) == (4, "refused", "(line)")
    assert refused["reason"] == f"not UTF-8 text: byte 0x96 at column {column} (save the file as UTF-8)"
    human = ingest(str(sla / "events.jsonl"))  # the same refusal, for a person (the rest are duplicates now)
    assert "line 4 refused — (line): not UTF-8 text: byte 0x96" in " ".join(human.stdout.split())


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf-8 with a BOM", lambda s: b"\xef\xbb\xbf" + s.encode("utf-8")),
        ("utf-16 (little-endian, BOM)", lambda s: s.encode("utf-16")),
        ("utf-16 big-endian with a BOM", lambda s: b"\xfe\xff" + s.encode("utf-16-be")),
        ("windows line ends", lambda s: s.replace("\n", "\r\n").encode("utf-8")),
    ],
)
def test_text_with_a_byte_order_mark_or_in_utf_16_is_read_whole(sla: Path, name: str, encode: Any) -> None:
    (sla / "events.jsonl").write_bytes(encode(text(EVENTS)))
    result = ingest(str(sla / "events.jsonl"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["stored"] == len(EVENTS)
    lead = json.loads(runner.invoke(app, ["lead", "L1", "--json"]).stdout)
    notes = [e["data"].get("note") for e in lead["timeline"] if e["type"] == "touch"]
    assert notes == ["café au lait", "left a message", "北京 🚀"]  # decoded, not mangled


def test_standard_input_is_read_as_bytes_the_same_way(sla: Path) -> None:
    raw = b"\xef\xbb\xbf" + text(EVENTS[:2]).encode() + b'{"id": "x\xff", "type": "activity"}\n'
    result = ingest("-", "--json", stdin=raw)
    out = json.loads(result.stdout)
    assert out["summary"] == {"stored": 2, "duplicate": 0, "waiting": 0, "refused": 1}
    assert out["results"][0]["line"] == 3 and "byte 0xff at column 10" in out["results"][0]["reason"]


def test_an_event_a_day_in_the_future_is_refused_with_in_the_future(sla: Path) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()  # within ingest.future_tolerance (15m)
    rows = [*EVENTS[:2], touch("L1", tomorrow, id="L1-late"), touch("L1", soon, id="L1-soon")]
    (sla / "events.jsonl").write_text(text(rows), encoding="utf-8")
    result = ingest(str(sla / "events.jsonl"), "--json")
    out = json.loads(result.stdout)
    assert out["summary"] == {"stored": 3, "duplicate": 0, "waiting": 0, "refused": 1}
    (refused,) = out["results"]
    assert (refused["line"], refused["id"], refused["field"]) == (3, "L1-late", "at")
    assert "in the future" in refused["reason"] and "ingest.future_tolerance" in refused["reason"]


def test_a_csv_record_with_a_bad_byte_is_refused_and_quoted_newlines_still_work(sla: Path) -> None:
    header = "id,type,lead_id,at,data.email,data.source,data.kind,data.channel,data.rep,data.note\n"
    rows = [
        "L9-c,lead.created,L9,2026-03-02T09:00:00Z,l9@example.com,webinar,,,,\n",
        'L9-t1,touch,L9,2026-03-02T10:00:00Z,,,,phone,ana,"first line\nsecond line"\n',  # lines 3-4
        "L9-t2,touch,L9,2026-03-02T10:01:00Z,,,,phone,ana,caf\x00\n",  # line 5: the byte is patched in below
        "L9-a,activity,L9,2026-03-02T10:02:00Z,,,demo_request,,,\n",
    ]
    raw = (header + "".join(rows)).encode().replace(b"caf\x00", b"caf\xe9")  # Latin-1's é
    (sla / "events.csv").write_bytes(raw)
    out = json.loads(ingest(str(sla / "events.csv"), "--json").stdout)
    assert out["summary"] == {"stored": 3, "duplicate": 0, "waiting": 0, "refused": 1}
    (refused,) = out["results"]
    assert refused["line"] == 5 and refused["field"] == "(line)"
    assert refused["reason"].startswith("not UTF-8 text: byte 0xe9 at column")
    lead = json.loads(runner.invoke(app, ["lead", "L9", "--json"]).stdout)
    assert [e["data"].get("note") for e in lead["timeline"] if e["type"] == "touch"] == [
        "first line\nsecond line"
    ]


def test_check_refuses_non_finite_numbers_with_their_key_paths(sla: Path) -> None:
    pact_file = sla / "pact.yaml"
    body = pact_file.read_text(encoding="utf-8")
    body = body.replace("points: 20}", "points: .inf}", 1).replace("mql: {fit: 40", "mql: {fit: .nan", 1)
    body = body.replace("new_arr: 2000000", "new_arr: 1e400", 1)
    pact_file.write_text(body, encoding="utf-8")
    result = runner.invoke(app, ["check", "--json"])
    assert result.exit_code == 1
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    errors = {e["path"]: e for e in json.loads(result.stdout)["errors"]}
    assert errors["scoring.fit[0].points"]["message"] == "inf is not a finite number"
    assert errors["scoring.mql.fit"]["message"] == "nan is not a finite number"
    assert errors["scoring.mql.fit"]["value"] == "nan"  # as text: JSON has no NaN
    assert errors["targets.revenue.new_arr"]["message"] == "inf is not a finite number"
    human = runner.invoke(app, ["check"])
    assert human.exit_code == 1 and "scoring.fit[0].points: inf is not a finite number" in human.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x01\x02\x03 binary", "is not a text file (it holds NUL bytes)"),
        ("name: Caf\u00e9 pact\n".encode("cp1252"), "is not UTF-8 text: byte 0xe9 at line 1, column 10"),
        (b"pact: 1\nscoring: {half_life_days: " + b"9" * 5000 + b"}\n", "is far too long (5,000 digits)"),
        (b"[" * 100_000, "is nested too deep"),
    ],
    ids=["binary", "cp1252", "a 5,000-digit number", "100,000 brackets"],
)
def test_a_pact_file_that_cannot_be_read_gets_one_clear_line(
    sla: Path, content: bytes, expected: str
) -> None:
    (sla / "pact.yaml").write_bytes(content)
    for command in (["check"], ["metrics", "--json"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), repr(result.exception)
        assert expected in " ".join(result.stderr.split()) and "Traceback" not in result.stderr


def test_a_roster_that_is_a_directory_gets_one_clear_line(sla: Path) -> None:
    (sla / "team.yaml").unlink()
    (sla / "team.yaml").mkdir()
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1 and "is a directory, not a roster file" in " ".join(result.stderr.split())


def test_json_output_never_holds_nan_or_infinity(caplog: pytest.LogCaptureFixture) -> None:
    # the inputs are kept finite where they come in; this is the last line of defence, and it says so
    text = dumps({"rate": float("nan"), "by": [{"x": float("inf")}], "ok": 0.5})
    assert json.loads(text) == {"rate": None, "by": [{"x": None}], "ok": 0.5}
    assert "rate, by[0].x" in caplog.text


def test_a_stored_pact_version_that_no_longer_validates_is_one_clear_line(sla: Path) -> None:
    """A version recorded before a stricter check (here a reason code longer than names may be now)."""
    import sqlite3

    assert runner.invoke(app, ["metrics", "--json"]).exit_code == 0  # records the first version
    db = sqlite3.connect(sla / "leadpact.db")
    (text_,) = db.execute("SELECT pact FROM pact_versions").fetchone()
    stored = json.loads(text_)
    stored["reasons"]["x" * 300] = "an action"
    db.execute("UPDATE pact_versions SET pact = ?", (json.dumps(stored),))
    db.commit()
    db.close()
    result = runner.invoke(app, ["metrics"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no longer validates" in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text file (it holds NUL bytes)"),
        ("reps:\n  - {id: jos\u00e9}\n".encode("cp1252"), "is not UTF-8 text: byte 0xe9 at line 2"),
    ],
    ids=["binary", "cp1252"],
)
def test_a_roster_that_cannot_be_read_gets_one_clear_line_at_every_door(
    sla: Path, content: bytes, expected: str
) -> None:
    (sla / "team.yaml").write_bytes(content)
    (sla / "x.csv").write_text("Record ID,Email,Create Date,Original Source\n1,a@b.c,2024-03-05,Webinar\n")
    for command in (["check"], ["ingest", str(sla / "x.csv")], ["import", "hubspot", str(sla / "x.csv")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), repr(result.exception)
        assert expected in " ".join(result.stderr.split()) and "Traceback" not in result.output
