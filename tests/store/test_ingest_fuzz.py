"""Whatever the bytes of a line, ingest stores it, reports it as a duplicate, lets it wait, or refuses it with
its line, field and reason; the good events of the same call are stored. Mutated lines mixed with good ones
are written to a file and read back the way `leadpact ingest FILE` reads it, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from builders import GOOD_FIT, activity, created, touch
from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.services.ingest import IngestReport, ingest, vocabulary
from leadpact.store.tables import events

NOW = datetime(2026, 4, 1, tzinfo=UTC)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def good_events(tag: str, n: int) -> list[dict[str, Any]]:
    """Facts only (a lead, its activities and touches): always stored, whatever else the call holds."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        lead = f"good-{tag}-{i // 3}"
        minute = f"2026-03-02T10:{i:02d}:00-05:00"
        kind = i % 3
        if kind == 0:
            out.append(
                created(lead, minute, id=f"{lead}-c", attributes={"plan": "pro", "seats": 5}, **GOOD_FIT)
            )
        elif kind == 1:
            out.append(activity(lead, minute, "demo_request", id=f"{lead}-a{i}", asset="/demo"))
        else:
            out.append(touch(lead, minute, id=f"{lead}-t{i}", note="left a voicemail — café"))
    return out


def base_event(tag: str, i: int) -> dict[str, Any]:
    """What a bad line starts from: an event of a lead no good line names, with an id no good line has, far
    enough apart that no few flipped bits can turn one into the other."""
    lead = f"bad-{tag}-{i}"
    data = {"email": f"{lead}@example.com", "source": "webinar", "title": "VP", "employees": 900}
    return {
        "id": f"{lead}-x",
        "type": "lead.created",
        "lead_id": lead,
        "at": "2026-03-03T09:00:00Z",
        "data": data,
    }


# --- mutations: each takes the base event and returns the bytes of one line ----------------------------

SPOTS = ("id", "lead_id", "at", "type", "data.email", "data.title", "data.employees", "data.attributes.x")
LONG = st.sampled_from([201, 321, 10_001, 200_000, 1_100_000])


def put(event: dict[str, Any], spot: str, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(event))
    if spot.startswith("data.attributes."):
        out["data"]["attributes"] = {spot.rsplit(".", 1)[1]: value}
    elif spot.startswith("data."):
        out["data"][spot.removeprefix("data.")] = value
    else:
        out[spot] = value
    return out


def dumped(event: Any) -> bytes:
    # a lone surrogate leaves as its JSON escape, which is how it arrives in real files
    return json.dumps(event, ensure_ascii=False).encode("utf-8", "backslashreplace")


@st.composite
def mutated(draw: st.DrawFn, event: dict[str, Any]) -> bytes:
    line = dumped(event)
    spot = draw(st.sampled_from(SPOTS))
    how = draw(
        st.sampled_from(
            [
                "flip", "truncate", "surrogate", "raw surrogate", "nul", "raw nul", "huge int", "deep",
                "deep attributes", "long", "bad date", "non-finite", "wrong type", "extra key", "bad bytes",
                "not an object", "bom", "bad key",
            ]
        )
    )  # fmt: skip
    if how == "flip":
        raw = bytearray(line)
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(raw) - 1))
            raw[at] ^= 1 << draw(st.integers(0, 7))
        return bytes(raw)
    if how == "truncate":
        return line[: draw(st.integers(0, len(line) - 1))]
    if how == "surrogate":
        return dumped(put(event, spot, "a" + chr(draw(st.integers(0xD800, 0xDFFF))) + "b"))
    if how == "raw surrogate":  # a surrogate encoded as UTF-8 bytes: not UTF-8
        return line.replace(b'"id": "', b'"id": "\xed\xa0\x80', 1)
    if how == "nul":
        return dumped(put(event, spot, "nul\x00here"))
    if how == "raw nul":
        at = draw(st.integers(0, len(line)))
        return line[:at] + b"\x00" + line[at:]
    if how == "huge int":
        digits = draw(st.sampled_from([16, 30, 400, 4300, 5000]))
        return dumped(put(event, spot, 12345)).replace(b"12345", b"9" * digits, 1)
    if how == "deep":
        depth = draw(st.sampled_from([10, 1_000, 100_000]))
        return b"[" * depth + b"]" * draw(st.sampled_from([0, depth]))
    if how == "deep attributes":
        value: Any = 1
        for _ in range(draw(st.integers(5, 60))):
            value = draw(st.sampled_from([{"k": value}, [value]]))
        return dumped(put(event, "data.attributes.x", value))
    if how == "long":
        text = draw(st.sampled_from(["x", "é", "🚀"])) * draw(LONG)
        return dumped(put(event, spot, text))
    if how == "bad date":
        when = draw(
            st.sampled_from(
                [
                    "0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00",
                    "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z", "2200-01-01T00:00:01Z",
                    "2026-04-02T00:00:00Z", "2026-03-02T10:00:00", "2026-02-30T10:00:00Z", "yesterday", "",
                ]
            )
        )  # fmt: skip
        return dumped(put(event, "at", when))
    if how == "non-finite":
        token = draw(st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e309"]))
        return dumped(put(event, spot, 12345)).replace(b"12345", token, 1)
    if how == "wrong type":
        value = draw(st.sampled_from([[], {}, True, None, 3.5, [1, 2], {"a": 1}, -7]))
        return dumped(put(event, spot, value))
    if how == "extra key":
        key = draw(st.sampled_from(["extra", "", "ID", "x" * 300, "a.b", "\t"]))
        target = draw(st.sampled_from(["top", "data"]))
        bigger = json.loads(json.dumps(event))
        (bigger if target == "top" else bigger["data"])[key] = 1
        return dumped(bigger)
    if how == "bad bytes":
        junk = draw(
            st.sampled_from(
                [
                    b"\x92",
                    b"\xe9",
                    b"\xff\xfe",
                    b"\xc0\xaf",
                    b"\xe2\x82",
                    b"\x80\x81\x82",
                    bytes(range(128, 160)),
                ]
            )
        )
        at = draw(st.integers(0, len(line)))
        return line[:at] + junk + line[at:]
    if how == "not an object":
        return draw(
            st.sampled_from([b"[]", b"42", b'"text"', b"null", b"{}", b"[{}]", b"true", b'{"id": 5}'])
        )
    if how == "bom":
        return b"\xef\xbb\xbf" + line
    # a bad key: NUL, a lone surrogate or a control character in a key, at the top or in attributes
    key = draw(st.sampled_from(["a\x00b", "a\ud800b", "\x1b[31m", "x" * 201]))
    bigger = put(event, "data.attributes.ok", 1)
    (bigger if draw(st.booleans()) else bigger["data"]["attributes"])[key] = 1
    return dumped(bigger)


@st.composite
def calls(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[bytes], list[bool]]:
    """One call: good events and mutated lines, shuffled; the mutated lines never outnumber the good ones
    (a file that is mostly not text is refused whole, which tests/cli/test_bad_input.py covers)."""
    tag = uuid.uuid4().hex[:10]
    goods = good_events(tag, draw(st.integers(3, 9)))
    bads = [
        draw(mutated(base_event(tag, i))).replace(b"\n", b" ")
        for i in range(draw(st.integers(1, len(goods))))
    ]
    order = draw(st.permutations([True] * len(goods) + [False] * len(bads)))
    good_iter, bad_iter = iter(goods), iter(bads)
    lines = [dumped(next(good_iter)) if is_good else next(bad_iter) for is_good in order]
    return goods, lines, order


def ingest_file(engine: Engine, pact: Any, path: Path) -> IngestReport:
    """As `leadpact ingest FILE` does: the file's bytes, read line by line, in one call."""
    rules = rules_from_pact(pact)
    with path.open("rb") as stream:
        return ingest(engine, rules, vocabulary(pact), read_events(stream, path.name), now=NOW)


def check_report(report: IngestReport, lines: list[bytes]) -> tuple[set[int], set[int]]:
    """Every result names a line of the file, once, and what was not reported was stored: returns the lines
    with something in them, and those that were simply stored."""
    numbered = {n for n, line in enumerate(lines, start=1) if line.decode("utf-8", "replace").strip()}
    reported = [r.line for r in report.results]
    assert len(reported) == len(set(reported)) and set(reported) <= numbered
    for result in report.results:
        if result.status == "refused":
            assert result.field and result.reason
            f"{result.id} {result.field} {result.reason}".encode()  # printable: no lone surrogate in it
            assert len(result.reason) < 600 and len(result.field) < 1_500
    assert sum(report.summary.values()) == len(numbered)  # the summary adds up
    json.dumps(report.to_json(), allow_nan=False, ensure_ascii=False).encode()
    return numbered, numbered - set(reported)


@FUZZ
@given(call=calls())
def test_mutated_lines_are_refused_one_by_one_and_the_good_ones_are_stored(
    engine: Engine, pact: Any, tmp_path: Path, call: tuple[list[dict[str, Any]], list[bytes], list[bool]]
) -> None:
    goods, lines, order = call
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = ingest_file(engine, pact, path)  # no exception escapes
    numbered, unreported = check_report(report, lines)
    good_lines = {n for n, is_good in enumerate(order, start=1) if is_good}
    assert good_lines <= unreported  # each good line simply stored...
    assert report.summary["stored"] == len(unreported)
    with engine.connect() as conn:
        ids = {
            i for (i,) in conn.execute(select(events.c.id).where(events.c.id.in_([g["id"] for g in goods])))
        }
    assert ids == {g["id"] for g in goods}  # ...and there, by its id
    results = {r.line: r for r in report.results}
    for n in numbered - good_lines - unreported:  # every other line has its result
        assert results[n].status in ("refused", "waiting", "duplicate")


def csv_line(event: dict[str, Any], columns: list[str]) -> bytes:
    flat = {k: v for k, v in event.items() if k != "data"} | {
        f"data.{k}": v for k, v in event["data"].items()
    }
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(["" if flat.get(c) is None else flat[c] for c in columns])
    return out.getvalue().encode("utf-8", "backslashreplace")


@settings(FUZZ, max_examples=20)
@given(data=st.data())
def test_mutated_csv_records_are_refused_and_the_records_before_them_stored(
    engine: Engine, pact: Any, tmp_path: Path, data: st.DataObject
) -> None:
    tag = uuid.uuid4().hex[:10]
    goods = good_events(tag, 6)
    for event in goods:
        for key, value in event["data"].pop("attributes", {}).items():
            event["data"][f"attributes.{key}"] = value
    columns = ["id", "type", "lead_id", "at", *sorted({f"data.{k}" for e in goods for k in e["data"]})]
    lines = [",".join(columns).encode()] + [csv_line(e, columns) for e in goods]
    mutated: set[int] = set()
    for _ in range(data.draw(st.integers(1, 2))):  # of 7 lines: the file stays mostly text
        at = data.draw(st.integers(1, len(lines) - 1))
        mutated.add(at)
        raw = bytearray(lines[at])
        how = data.draw(st.sampled_from(["flip", "bad bytes", "nul", "quote", "cut", "long"]))
        if how == "flip" and raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
        elif how == "bad bytes":
            raw[data.draw(st.integers(0, len(raw))) : 0] = data.draw(
                st.sampled_from([b"\x92", b"\xff", b"\xc3"])
            )
        elif how == "nul":
            raw[data.draw(st.integers(0, len(raw))) : 0] = b"\x00"
        elif how == "quote":
            raw[data.draw(st.integers(0, len(raw))) : 0] = b'"'
        elif how == "cut" and raw:
            del raw[data.draw(st.integers(0, len(raw) - 1)) :]
        elif how == "long":
            raw += b"," + b"y" * data.draw(LONG)
        lines[at] = bytes(raw).replace(b"\n", b" ")
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = ingest_file(engine, pact, path)  # no exception escapes
    for result in report.results:
        assert 2 <= result.line <= len(lines)
        f"{result.id} {result.field} {result.reason}".encode()
    assert sum(report.summary.values()) == report.summary["stored"] + len(report.results)
    json.dumps(report.to_json(), allow_nan=False, ensure_ascii=False).encode()
    # a mutated record may hold a quote that runs on into the next lines (that is CSV); the records before
    # the first mutated one are stored whatever comes after them
    before = [g["id"] for g in goods[: min(mutated) - 1]]
    with engine.connect() as conn:
        stored = {i for (i,) in conn.execute(select(events.c.id).where(events.c.id.in_(before)))}
    assert stored == set(before)
