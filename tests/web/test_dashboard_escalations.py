"""The overview's open escalations (DESIGN.md §9, §10): what `escalations --open --json` lists, with their
owners, due times and states; resolved ones leave the panel."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webkit import cli, settings_for

from accountability_support import ENV, ROSTER, day_of_leads, local, pact_with
from leadpact.domain.rules import rules_from_pact
from leadpact.services.escalation_views import list_escalations, resolve_escalation
from leadpact.services.escalations import evaluate
from leadpact.services.keys import create_key
from leadpact.web.app import create_app
from leadpact.web.deps import get_now

MONDAY = local(date(2026, 3, 16), 12)


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, datetime]]]:
    folder = tmp_path / "sla"
    assert cli("init", str(folder)).exit_code == 0
    app = create_app(settings_for(folder, f"sqlite:///{tmp_path / 'store.db'}"))
    clock = {"now": MONDAY}
    app.dependency_overrides[get_now] = lambda: clock["now"]
    engine = app.state.holder.workspace.engine
    pact = pact_with()
    day_of_leads(engine, pact, date(2026, 3, 2), leads=2, touched=True)
    evaluate(engine, pact=pact, rules=rules_from_pact(pact), now=MONDAY, roster=ROSTER, env=ENV)
    key = create_key(engine, role="viewer", name="dash", now=MONDAY).key
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {key}"
        yield client, clock
    engine.dispose()


def panel(page: str) -> str:
    found = re.search(r'<section class="card" id="escalations">(.*?)</section>', page, re.S)
    assert found is not None
    return html.unescape(found.group(1))


def test_the_overview_lists_the_open_escalations_with_owner_due_and_state(
    dashboard: tuple[TestClient, dict[str, datetime]],
) -> None:
    client, clock = dashboard
    engine = client.app.state.holder.workspace.engine  # type: ignore[attr-defined]
    listed = list_escalations(engine, now=MONDAY, state="unresolved")
    shown = panel(client.get("/").text)
    assert [int(i) for i in re.findall(r'data-escalation="(\d+)"', shown)] == [e["id"] for e in listed]
    words = " ".join(re.sub(r"<[^>]+>", " ", shown).split())
    assert "marketing volume · marketing · 2026-W10 · recovery plan owed by dana@acme.example" in words
    assert "cro@acme.example, ceo@acme.example" in shown and "2 MQLs of 10.0 (20%), below 80%" in shown
    assert "No open escalations." not in shown

    clock["now"] = MONDAY + timedelta(days=3)  # past the volume escalations' 48 hours
    later = panel(client.get("/").text)
    assert later.count(">overdue<") == 2 and later.count(">open<") == 1

    for e in listed:
        resolve_escalation(engine, e["id"], plan="agreed", by="Dana", now=MONDAY)
    assert "No open escalations." in panel(client.get("/").text)
