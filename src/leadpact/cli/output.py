"""Writing a rendered document: to `--out FILE`, else to stdout (a PDF only when stdout is not a terminal)."""

from __future__ import annotations

import sys
from pathlib import Path

from leadpact.cli.common import console, fail


def write_document(data: bytes, fmt: str, out: Path | None, default_name: str) -> None:
    """`data` to `out`; without one, Markdown and HTML go to stdout, and so does a PDF piped or redirected; a
    PDF asked for at a terminal goes to `default_name` in the current directory, and the command says so."""
    if out is None and (fmt != "pdf" or not sys.stdout.isatty()):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = out if out is not None else Path(default_name)
    try:
        target.write_bytes(data)
    except OSError as exc:
        fail(f"--out: cannot write {target}: {exc.strerror or exc}")
    console.print(f"wrote {target} ({len(data):,} bytes)", highlight=False)
