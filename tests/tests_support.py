"""Helpers the tests share (not fixtures)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

PG_URL = os.environ.get("LEADPACT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("LEADPACT_REQUIRE_PG") == "1"
#: the worked example (tests/data/march-2026/README.md): its events and the keys its pact overrides
EXAMPLE = Path(__file__).resolve().parent / "data" / "march-2026"


def truncate(engine: Engine) -> None:
    """Empty every table of a PostgreSQL store (fast, keeps the migrated schema)."""
    from leadpact.store.tables import metadata

    names = [t.name for t in metadata.sorted_tables]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


def init_sla(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`leadpact init FOLDER`; the commands after it read that pact and its own store (no LEADPACT_DB)."""
    from typer.testing import CliRunner

    from leadpact.cli import app, load_commands

    load_commands()
    assert CliRunner().invoke(app, ["init", str(folder)]).exit_code == 0
    monkeypatch.setenv("LEADPACT_PACT", str(folder / "pact.yaml"))
    monkeypatch.delenv("LEADPACT_DB", raising=False)
    return folder


def ingest_rows(folder: Path, rows: list[dict[str, Any]]) -> None:
    """Write `rows` to FOLDER/events.jsonl and `leadpact ingest` it into the pact `init_sla` set up."""
    from typer.testing import CliRunner

    from leadpact.cli import app, load_commands

    load_commands()
    events = folder / "events.jsonl"
    events.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = CliRunner().invoke(app, ["ingest", str(events)])
    assert done.exit_code == 0, done.output


def init_worked_example(folder: Path) -> Path:
    """`leadpact init FOLDER` with the worked example's `pact-overrides.yaml` put into its pact; the pact file
    (nothing ingested yet: `EXAMPLE / "events.jsonl"`)."""
    import yaml
    from typer.testing import CliRunner

    from leadpact.cli import app, load_commands

    load_commands()
    assert CliRunner().invoke(app, ["init", str(folder)]).exit_code == 0
    pact_file = folder / "pact.yaml"
    pact = yaml.safe_load(pact_file.read_text(encoding="utf-8"))
    pact.update(yaml.safe_load((EXAMPLE / "pact-overrides.yaml").read_text(encoding="utf-8")))
    pact_file.write_text(yaml.safe_dump(pact, allow_unicode=True), encoding="utf-8")
    return pact_file


def _pdf_ready() -> bool:
    """WeasyPrint loads (Pango and HarfBuzz are on the machine; .ci/run installs them)."""
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return False
    return True


needs_pdf = pytest.mark.skipif(
    not _pdf_ready(),
    reason="no Pango/HarfBuzz for WeasyPrint (apt-get install libpango-1.0-0 libpangoft2-1.0-0)",
)
