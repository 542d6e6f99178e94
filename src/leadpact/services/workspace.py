"""What every command and request works on: the store, the pact in force, the roster, and the pact file.

`open_workspace` reads `pact.yaml` and the `team.yaml` beside it, opens (and migrates) the store, and makes
sure a pact version is in force (the first opening of a store puts the file's in force). The engine judges
everything by the versions in force; the file only matters to `rescore` / `pact apply` and to the notice
that it differs (DESIGN.md §10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from leadpact.domain.events import Vocabulary
from leadpact.domain.routing import RoutingRules
from leadpact.domain.rules import Rules, Versions, rules_from_pact
from leadpact.pact import Pact, load_pact
from leadpact.roster import Roster, load_roster
from leadpact.services.ingest import vocabulary
from leadpact.services.versions import (
    PactVersion,
    StoredPactUnreadable,
    versions_head,
    versions_in_force,
    versions_of,
)


class StoreUnavailable(Exception):
    """The store cannot be opened (a wrong URL, a server that does not answer)."""


def rules_for(pact: Pact, roster: Roster | None) -> Rules:
    """The engine's rules: the pact, with what the roster tells (known reps, their teams, team calendars)."""
    if roster is None:
        return rules_from_pact(pact)
    return rules_from_pact(
        pact,
        known_reps=frozenset(rep.id for rep in roster.reps),
        rep_teams={rep.id: rep.team for rep in roster.reps},
        team_calendars={name: team.calendar for name, team in roster.teams.items()},
    )


@dataclass
class Workspace:
    engine: Engine
    url: str
    pact_file: Path
    file_pact: Pact  # pact.yaml as it is on disk
    roster: Roster | None
    recorded: list[PactVersion] = field(default_factory=list)
    head: tuple[int, datetime | None, int] | None = None  # `versions_head` when the versions were read

    @property
    def in_force(self) -> PactVersion:
        return self.recorded[-1]

    @property
    def pact(self) -> Pact:
        """The pact in force: what every number and clock is judged by."""
        return self.in_force.pact

    @property
    def file_differs(self) -> bool:
        return self.file_pact.version != self.pact.version

    @property
    def apply_pending(self) -> bool:
        """A `pact apply` was interrupted before every lead it touches was re-projected."""
        return self.in_force.applied_at is None

    @cached_property
    def versions(self) -> Versions:
        return versions_of(self.recorded, self._rules_of)

    def proposed(self, now: datetime) -> Versions:
        """The versions in force, and the file's as coming into force at `now` when it differs."""
        return versions_of(self.recorded, self._rules_of, (now, self.file_pact))

    @cached_property
    def rules(self) -> Rules:
        return self.versions.latest

    @cached_property
    def vocab(self) -> Vocabulary:
        return vocabulary(self.pact)

    @cached_property
    def routing(self) -> RoutingRules | None:
        """The roster's routing (None without a team.yaml: handoffs are owned by whoever works them)."""
        if self.roster is None:
            return None
        return RoutingRules.from_roster(self.roster, self.rules.calendars)

    def _rules_of(self, pact: Pact) -> Rules:
        return rules_for(pact, self.roster)

    def refresh(self, now: datetime) -> bool:
        """Read the versions again (a long-running worker or server after a `pact apply` elsewhere); True when
        the version in force changed."""
        head = versions_head(self.engine)  # before the versions: a change between the two is read next time
        recorded = versions_in_force(self.engine, self.file_pact, now)
        changed = (
            [v.seq for v in recorded] != [v.seq for v in self.recorded]
            or recorded[-1].applied_at != self.recorded[-1].applied_at
            or [v.pact.signoff for v in recorded]
            != [v.pact.signoff for v in self.recorded]  # `leadpact sign`
            or head != self.head
        )
        if changed:
            self.head = head
            self.recorded = recorded
            for name in ("versions", "rules", "vocab", "routing"):
                self.__dict__.pop(name, None)
        return changed


def open_workspace(pact_file: Path, url: str, *, now: datetime) -> Workspace:
    """The workspace of this pact file and store. Raises `PactError` for an invalid pact or roster (every
    problem at once) and `StoreUnavailable` when the store cannot be opened."""
    from leadpact.store.db import open_store

    file_pact = load_pact(pact_file)
    try:
        engine = open_store(url)
        head = versions_head(engine)
        recorded = versions_in_force(engine, file_pact, now)
        head = head or versions_head(engine)  # a new store: its first version was just recorded
    except StoredPactUnreadable as exc:
        raise StoreUnavailable(str(exc)) from exc
    except (SQLAlchemyError, OSError) as exc:  # a wrong URL or a server that does not answer: say which
        raise StoreUnavailable(f"cannot open the store at {url}: {str(exc).splitlines()[0]}") from exc
    team_file = pact_file.parent / "team.yaml"
    roster = load_roster(team_file, recorded[-1].pact) if team_file.exists() else None
    return Workspace(engine, url, pact_file, file_pact, roster, recorded, head)
