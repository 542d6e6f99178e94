"""Loading what a command works on: the pact, the roster beside it, the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from leadpact.cli.common import db_url, err_console, fail, pact_path, roster_path
from leadpact.domain.events import Vocabulary
from leadpact.domain.rules import Rules, Versions, rules_from_pact
from leadpact.domain.timeutil import parse_instant


@dataclass
class Context:
    pact_file: Path
    pact: Any
    roster: Any | None
    engine: Engine
    rules: Rules
    vocab: Vocabulary
    url: str

    @property
    def routing(self) -> Any | None:
        """The roster's routing (None without a team.yaml: handoffs are owned by whoever works them)."""
        if self.roster is None:
            return None
        from leadpact.domain.routing import RoutingRules

        return RoutingRules.from_roster(self.roster, self.rules.calendars)

    def versions(self, now: datetime, *, record: bool) -> Versions:
        """The pact versions in force over time; `record` makes this pact the one in force from `now` on."""
        from leadpact.services.versions import load_versions, record_version

        if record:
            record_version(self.engine, self.pact, now)
        return load_versions(self.engine, self.pact, lambda p: rules_for(p, self.roster), now=now)


def load_pact_or_exit(path: Path) -> Any:
    from leadpact.pact import PactError, load_pact

    if not path.exists():
        fail(f"no pact at {path} (run `leadpact init`, or pass --pact / set LEADPACT_PACT)")
    try:
        return load_pact(path)
    except PactError as exc:
        for issue in exc.errors:
            err_console.print(f"  {issue}", highlight=False, markup=False)
        fail(f"{path} is not a valid pact ({len(exc.errors)} error(s)); `leadpact check` explains")


def load_roster_or_exit(path: Path, pact: Any) -> Any | None:
    from leadpact.pact import PactError
    from leadpact.roster import load_roster

    if not path.exists():
        return None
    try:
        return load_roster(path, pact)
    except PactError as exc:
        for issue in exc.errors:
            err_console.print(f"  {issue}", highlight=False, markup=False)
        fail(f"{path} is not a valid roster ({len(exc.errors)} error(s)); `leadpact check` explains")


def open_context(pact_option: Path | None, db_option: str | None) -> Context:
    from leadpact.services.ingest import vocabulary
    from leadpact.store.db import open_store

    path = pact_path(pact_option)
    pact = load_pact_or_exit(path)
    roster = load_roster_or_exit(roster_path(path), pact)
    url = db_url(db_option, path)
    try:
        engine = open_store(url)
    except Exception as exc:  # a wrong URL or a server that does not answer: say which, briefly
        fail(f"cannot open the store at {url}: {str(exc).splitlines()[0]}")
    rules = rules_for(pact, roster)
    return Context(path, pact, roster, engine, rules, vocabulary(pact), url)


def rules_for(pact: Any, roster: Any | None) -> Rules:
    """The engine's rules: the pact, with what the roster tells (known reps, their teams, team calendars)."""
    if roster is None:
        return rules_from_pact(pact)
    return rules_from_pact(
        pact,
        known_reps=frozenset(rep.id for rep in roster.reps),
        rep_teams={rep.id: rep.team for rep in roster.reps},
        team_calendars={name: team.calendar for name, team in roster.teams.items()},
    )


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_of_or_now(text: str | None) -> datetime:
    if not text:
        return now_utc()
    try:
        return parse_instant(text)
    except ValueError as exc:
        fail(f"--as-of: {exc}")
