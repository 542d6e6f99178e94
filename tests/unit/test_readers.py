"""Reading event files as bytes: each line decoded on its own, a bad one refused with its line and reason
while the rest go on, a file that is not text refused whole, and memory flat whatever the size."""

from __future__ import annotations

import io
import itertools
import json
from typing import Any

import pytest

from leadpact.importers.readers import read_events
from leadpact.importers.text import MAX_LINE_BYTES, NotText, Unreadable

GOOD = b'{"id": "e%d", "type": "activity"}'


def lines_of(raw: bytes, name: str = "x.jsonl") -> list[tuple[int, Any]]:
    return list(read_events(io.BytesIO(raw), name))


def good(n: int) -> bytes:
    return GOOD.replace(b"%d", str(n).encode())


def test_a_utf8_bom_is_dropped_and_unicode_read() -> None:
    raw = b"\xef\xbb\xbf" + json.dumps({"id": "é-1", "note": "北京 🚀"}, ensure_ascii=False).encode() + b"\n"
    assert lines_of(raw) == [(1, {"id": "é-1", "note": "北京 🚀"})]


def test_a_line_that_is_not_utf8_is_refused_naming_the_byte_and_column_and_the_rest_is_read() -> None:
    raw = b"\n".join([good(1), good(2), good(3), b'{"id": "caf\xe9"}', good(5)]) + b"\n"
    out = lines_of(raw)
    assert [n for n, _ in out] == [1, 2, 3, 4, 5]
    assert out[3][1] == Unreadable(
        "(line)", "not UTF-8 text: byte 0xe9 at column 12 (save the file as UTF-8)"
    )
    assert out[4][1] == {"id": "e5", "type": "activity"}


def test_the_column_counts_characters_before_the_bad_byte() -> None:
    (_, bad), _ = lines_of('{"note": "Zoë – 🚀 '.encode() + b"\x92" + b'"}\n' + good(2))
    assert isinstance(bad, Unreadable) and "byte 0x92 at column 19" in bad.reason


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(codec: str) -> None:
    text = '{"id": "ü-1"}\n{"id": "北-2"}\r\n'
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
    assert lines_of(bom + text.encode(codec)) == [(1, {"id": "ü-1"}), (2, {"id": "北-2"})]


def test_a_broken_utf16_line_is_refused_on_its_own() -> None:
    raw = (
        '{"id": "a"}\n'.encode("utf-16")
        + b'{\x00"\x00\x00\xd8i\x00"\x00}\x00\n\x00'
        + '{"id": "c"}\n'.encode("utf-16-le")
    )
    out = lines_of(raw)
    assert out[0] == (1, {"id": "a"}) and out[2] == (3, {"id": "c"})
    assert isinstance(out[1][1], Unreadable) and out[1][1].reason.startswith("not UTF-16 text: byte 0x")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "a binary file"),
        (b"SQLite format 3\x00" + bytes(4096), "it holds NUL bytes: a binary file"),
        ('{"id": "a"}\n{"id": "b"}\n'.encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        ("\n".join(['{"name": "Gérant Général"}'] * 5).encode("cp1252"), "Windows-1252"),
        (bytes((i * 7919) % 251 + 5 for i in range(5000)), "not UTF-8"),
    ],
    ids=["png", "sqlite", "utf-16 without a BOM", "cp1252 throughout", "random bytes"],
)
def test_a_file_that_is_not_text_is_refused_whole_before_reading(raw: bytes, reason: str) -> None:
    with pytest.raises(NotText, match=reason):
        read_events(io.BytesIO(raw), "x.jsonl")


def test_a_file_of_one_line_with_a_bad_byte_is_text_with_that_line_refused() -> None:
    ((number, bad),) = lines_of(b'{"id": "caf\x92", "type": "touch"}\n')
    assert number == 1 and bad == Unreadable(
        "(line)", "not UTF-8 text: byte 0x92 at column 12 (save the file as UTF-8)"
    )


def test_a_few_bad_lines_in_text_leave_it_text() -> None:
    raw = b"\n".join([good(1), b"\x00\x01 junk", good(3), b"\xff\xfe\xfd", good(5)])
    out = lines_of(raw)
    assert [type(v).__name__ for _, v in out] == ["dict", "Unreadable", "dict", "Unreadable", "dict"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[" * 100_000, "bad JSON: nested too deep"),
        (b'{"n": ' + b"9" * 5000 + b"}", "bad JSON: a number too long to read (5000 digits)"),
        (b'{"id": "a"', "bad JSON: Expecting ',' delimiter at column 11"),
    ],
)
def test_json_that_python_cannot_read_is_refused_as_the_line(line: bytes, reason: str) -> None:
    out = lines_of(b"\n".join([good(1), line, good(3)]))
    assert out[1] == (2, Unreadable("(line)", reason)) and out[2] == (3, {"id": "e3", "type": "activity"})


def test_a_line_past_a_mebibyte_is_refused_unread_and_the_next_one_read() -> None:
    huge = b'{"note": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}'
    out = lines_of(b"\n".join([good(1), huge, good(3), huge]))  # the last without a newline
    assert out[0][0] == 1 and out[2] == (3, {"id": "e3", "type": "activity"})
    assert out[1] == (2, Unreadable("(line)", f"longer than {MAX_LINE_BYTES:,} bytes: not one event"))
    assert out[3][0] == 4 and isinstance(out[3][1], Unreadable)


class Endless(io.RawIOBase):
    """Good lines forever: a reader that wanted the whole input would never return."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = b"".join(good(self.served + i) + b"\n" for i in range(len(buffer) // 40))
        buffer[: len(chunk)] = chunk
        self.served += len(buffer) // 40
        return len(chunk)


def test_reading_streams_line_by_line() -> None:
    source = Endless()
    events = read_events(io.BufferedReader(source), None)
    first = list(itertools.islice(events, 50_000))
    assert first[-1] == (50_000, {"id": "e49999", "type": "activity"})
    assert source.served < 60_000  # read a block or so ahead, never the whole


CSV_HEADER = b"id,type,lead_id,at,data.note\n"


def test_csv_records_keep_quoted_newlines_and_a_bad_byte_refuses_its_record() -> None:
    raw = CSV_HEADER + (
        b'c1,touch,L1,2026-03-02T10:00:00Z,"one\ntwo"\n'
        b'c2,touch,L1,2026-03-02T10:01:00Z,"three\nfo\x92ur"\n'
        b"c3,touch,L1,2026-03-02T10:02:00Z,five\n"
    )
    out = lines_of(raw, "x.csv")
    assert out[0] == (3, {"id": "c1", "type": "touch", "lead_id": "L1", "at": "2026-03-02T10:00:00Z",
                          "data": {"note": "one\ntwo"}})  # fmt: skip
    assert out[1] == (
        5,
        Unreadable("(line)", "not UTF-8 text: byte 0x92 at column 3 (save the file as UTF-8) of line 5"),
    )
    assert out[2][0] == 6 and out[2][1]["data"] == {"note": "five"}


def test_a_csv_header_that_is_not_text_refuses_each_record_naming_the_header() -> None:
    out = lines_of(b"id,type,lead_id,at,data.n\xf6te\nc1,touch,L1,2026-03-02T10:00:00Z,x\n", "x.csv")
    assert out == [
        (2, Unreadable("(header)", "not UTF-8 text: byte 0xf6 at column 26 (save the file as UTF-8)"))
    ]


def test_a_csv_field_past_the_csv_limit_is_refused_and_reading_goes_on() -> None:
    raw = (
        CSV_HEADER
        + b'c1,touch,L1,2026-03-02T10:00:00Z,"'
        + b"y" * 140_000
        + b'"\nc2,touch,L1,2026-03-02T10:01:00Z,ok\n'
    )
    out = lines_of(raw, "x.csv")
    assert isinstance(out[0][1], Unreadable) and out[0][1].reason.startswith("bad CSV: field larger than")
    assert out[-1][1]["id"] == "c2"


def test_text_streams_are_still_read_as_they_were() -> None:
    out = list(read_events(io.StringIO('{"id": "a"}\n\n{"id": "b"}\n'), "x.jsonl"))
    assert out == [(1, {"id": "a"}), (3, {"id": "b"})]
