"""A file's bytes to decoded physical lines, whatever it holds: UTF-8 (a byte-order mark is dropped),
UTF-16/32 with their byte-order mark, Windows-1252 for a spreadsheet export. A byte that is not text is kept
as a mark, so the line holding it is refused on its own (`bad_bytes`); a line past MAX_LINE_BYTES comes as
None; a file that is not text at all raises `NotText` before anything is read from it. Events
(`importers.readers`), CRM exports and calibration sheets are read through `lines_of`.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

BLOCK = 64 * 1024  # the first block decides whether a file is text
MAX_LINE_BYTES = 1 << 20  # a line past this is refused unread (an event is a few hundred bytes)
_MARK_BASE = 0xDC00  # an undecodable byte b reads as chr(_MARK_BASE + b), a lone surrogate text never holds
_MARKS = re.compile("[\udc00-\udcff]")


@dataclass(frozen=True)
class Unreadable:
    field: str
    reason: str


class NotText(ValueError):
    """The input is not a text file: nothing in it can be read as events."""


def _mark_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(chr(_MARK_BASE + b) for b in bad), exc.end


codecs.register_error("leadpact.mark", _mark_bad_bytes)


# --- physical lines -----------------------------------------------------------------------------------


class _Rejoined(io.RawIOBase):
    """The block already read, then the rest of the stream: one stream again, for a buffered reader."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        read = getattr(self._rest, "read1", self._rest.read)
        data = read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _capped(readline: Any, limit: int, newline: Any) -> Iterator[Any]:
    """Physical lines (without their newline), or None for a line longer than `limit` (skipped unread)."""
    while True:
        line = readline(limit + 1)
        if not line:
            return
        if line.endswith(newline):
            yield line[: -len(newline)]
            continue
        if len(line) <= limit:
            yield line  # the last line, without a newline
            return
        while line and not line.endswith(newline):  # the rest of an overlong line, piece by piece
            line = readline(limit)
        yield None


def _utf8_lines(buffered: IO[bytes]) -> Iterator[str | None]:
    for raw in _capped(buffered.readline, MAX_LINE_BYTES, b"\n"):
        if raw is None:
            yield None
            continue
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield raw.decode("utf-8", "leadpact.mark")


def _text_lines(stream: IO[str], limit: int) -> Iterator[str | None]:
    yield from _capped(stream.readline, limit, "\n")


def not_text(head: bytes) -> str | None:
    """Why a file whose first block is `head` is not text, or None: NUL bytes or bytes that are not UTF-8 make
    up much of it (a binary file, UTF-16 without a byte-order mark), or most of its lines hold some (a file in
    another encoding throughout). A few such lines in text are refused one by one, and the rest is read."""
    if not head.strip():
        return None
    nul = head.count(b"\x00")
    if nul * 50 > len(head):  # over 2%
        even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
        if max(even, odd) * 10 > 9 * (len(head) // 2) and min(even, odd) * 10 < len(head) // 2:
            return "it looks like UTF-16 without a byte-order mark: save it as UTF-8"
        return "it holds NUL bytes: a binary file, not JSON Lines or CSV"
    text = codecs.getincrementaldecoder("utf-8")("leadpact.mark").decode(head, final=False)
    undecodable = len(_MARKS.findall(text))
    pieces = [p for p in text.split("\n") if p.strip()]
    bad_lines = sum(1 for p in pieces if "\x00" in p or _MARKS.search(p))
    if undecodable * 10 <= len(head) and (len(pieces) < 2 or bad_lines * 2 <= len(pieces)):
        return None
    if _CONTROL.search(head) is None and _decodes(head, "cp1252"):  # text, in a Windows code page
        return "it is not UTF-8 text (Windows-1252?): save it as UTF-8"
    return "most of it is not UTF-8 text: a binary file, or text in another encoding (save it as UTF-8)"


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")  # in no text file, in most binary ones


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def spreadsheet_codepage(head: bytes) -> bool:
    """Whether a file whose first block is `head` reads as Windows-1252, as Excel saves a "CSV" on
    Windows: bytes that are not UTF-8, none that form a UTF-8 character, and no control byte. A UTF-8 file
    with a stray byte holds UTF-8 characters elsewhere: there the stray byte's line is refused."""
    text = codecs.getincrementaldecoder("utf-8")("leadpact.mark").decode(head, final=False)
    if not _MARKS.search(text) or _CONTROL.search(head) is not None:
        return False
    return not any(ord(c) > 0x7F and not 0xDC00 <= ord(c) <= 0xDCFF for c in text)


def lines_of(
    stream: IO[bytes] | IO[str], *, spreadsheet: bool = False
) -> tuple[Iterator[str | None], str | None]:
    """The stream's physical lines, decoded, and the encoding they were decoded from (None: given as text,
    so no byte in them can be bad). `spreadsheet`: a file in Windows-1252 throughout is read as such (an Excel
    export), where events must be UTF-8. Raises NotText for a stream that is not text."""
    if isinstance(stream, io.TextIOBase):
        return _text_lines(stream, MAX_LINE_BYTES), None
    head: bytes | str = stream.read(BLOCK)
    if isinstance(head, str):  # a text stream of another kind: read it whole
        rest: Any = stream.read()
        return _text_lines(io.StringIO(head + rest), MAX_LINE_BYTES), None
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if head.startswith(bom):
            buffered = io.BufferedReader(_Rejoined(head, stream), BLOCK)  # type: ignore[arg-type]
            wrapper = io.TextIOWrapper(buffered, encoding=codec, errors="leadpact.mark", newline="\n")
            return _text_lines(wrapper, MAX_LINE_BYTES // 2), codec
    if spreadsheet and not head.startswith(codecs.BOM_UTF8) and spreadsheet_codepage(head):
        buffered = io.BufferedReader(_Rejoined(head, stream), BLOCK)  # type: ignore[arg-type]
        wrapper = io.TextIOWrapper(buffered, encoding="cp1252", errors="leadpact.mark", newline="\n")
        return _text_lines(wrapper, MAX_LINE_BYTES), "Windows-1252"
    reason = not_text(head)
    if reason is not None:
        raise NotText(reason)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    buffered = io.BufferedReader(_Rejoined(head, stream), BLOCK)  # type: ignore[arg-type]
    return _utf8_lines(buffered), "UTF-8"


def bad_bytes(text: str, encoding: str | None) -> str | None:
    """Why a decoded line holding bytes that are not text is refused: the first such byte and its column."""
    if encoding is None:
        return None
    found = _MARKS.search(text)
    if found is None:
        return None
    byte = ord(found.group()) - _MARK_BASE
    return f"not {encoding} text: byte 0x{byte:02x} at column {found.start() + 1} (save the file as UTF-8)"


TOO_LONG = Unreadable("(line)", f"longer than {MAX_LINE_BYTES:,} bytes: not one event")


def column_name(name: str) -> str:
    """A column name as a result can show it."""
    printable = name.isprintable() and not _MARKS.search(name) and len(name) <= 200
    return name if printable else json.dumps(name[:40])
