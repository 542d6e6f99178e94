"""The worked month of ../shared/examples/march-2026: ingested in one call, its metrics as expected."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from leadpact.domain.rules import rules_from_pact
from leadpact.importers.readers import read_events
from leadpact.pact import parse_pact
from leadpact.services.ingest import ingest, vocabulary
from leadpact.services.metrics import metrics

EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "march-2026"
BUNDLED = Path(__file__).resolve().parent.parent / "data" / "march-2026"


def _example_dir() -> Path:
    return EXAMPLE if EXAMPLE.exists() else BUNDLED


def _compare(expected: Any, got: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        return [m for k, v in expected.items() for m in _compare(v, got.get(k), f"{path}.{k}")]
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        if got is None or abs(float(expected) - float(got)) > 1e-6:
            return [f"{path}: expected {expected}, got {got}"]
        return []
    return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]


def test_the_worked_month_gives_its_expected_metrics(engine: Engine) -> None:
    folder = _example_dir()
    if not (folder / "events.jsonl").exists():
        pytest.fail(f"the worked example is missing at {folder}")
    pact = parse_pact(yaml.safe_load((folder / "pact-overrides.yaml").read_text()))
    rules = rules_from_pact(pact)
    with (folder / "events.jsonl").open() as stream:
        report = ingest(
            engine,
            rules,
            vocabulary(pact),
            read_events(stream, "events.jsonl"),
            now=datetime(2026, 11, 24, tzinfo=UTC),
        )
    assert report.refused == 0
    got = metrics(engine, pact, rules, "2026-03", as_of=datetime(2026, 11, 24, tzinfo=UTC))
    expected = json.loads((folder / "expected.json").read_text())
    assert _compare(expected, got) == []
    assert got["start"] == "2026-03-01T05:00:00Z" and got["end"] == "2026-04-01T04:00:00Z"
