"""The roster, ``team.yaml``: marketing owner, teams, reps, routing rules, notification targets.

Operational, not signed: changing it makes no new pact version (DESIGN.md §3). ``teams``,
``reps`` and ``routing.rules`` are required; every other key defaults to empty. Errors use the
pact's :class:`~leadpact.pact.PactIssue` format with ``source`` naming the file, so a report
reads ``team.yaml:12: reps[1].team: "sdr-x" is not a team of `teams` (sdr-enterprise, sdr-smb)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from leadpact.pact import Condition, Pact, PactError, PactIssue
from leadpact.pact.base import Name, PactModel, Text, Token
from leadpact.pact.errors import custom, list_words, show
from leadpact.pact.loader import YamlDocument, locate, not_a_mapping, read_file, validate_keys

ACCOUNT_OWNER = "account_owner"


class Marketing(PactModel):
    """Marketing's side of the roster."""

    owner: str | None = Field(
        default=None,
        description="Receives reason signals and volume escalations (an email); left out: signals are "
        "recorded and not sent.",
    )


class Team(PactModel):
    """A team of reps that routing rules send leads to."""

    calendar: Name = Field(
        default="default", description="The pact calendar whose hours the team's clocks use."
    )
    manager: str | None = Field(default=None, description="Who hears of the team's breaches (an email).")
    after_hours: Name | None = Field(
        default=None, description="A team that takes the team's leads handed off outside its hours."
    )


class Capacity(PactModel):
    """How much a rep can take; left out: no limit."""

    per_day: int | None = Field(default=None, ge=0, description="New leads a day at most.")
    open: int | None = Field(default=None, ge=0, description="Open (not yet disposed) leads at most.")


class TimeOff(PactModel):
    """An absence, both dates included, in the rep's calendar zone."""

    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from", description="First day off, e.g. 2026-12-21.")
    to: dt.date = Field(description="Last day off (inclusive).")

    @model_validator(mode="after")
    def _ordered(self) -> TimeOff:
        if self.to < self.from_:
            raise custom(
                f"{self.to.isoformat()} is before from {self.from_.isoformat()}", at="to", value=self.to
            )
        return self

    def covers(self, day: dt.date) -> bool:
        return self.from_ <= day <= self.to


class Rep(PactModel):
    """A sales rep."""

    id: Token = Field(description="The rep's id, as touches and assignments name it.")
    name: Text = Field(description="Full name.")
    email: Text = Field(description="Where the rep's notifications go.")
    team: Name = Field(description="The rep's team (of `teams`).")
    weight: float = Field(default=1, ge=0, description="Share of the team's round robin (2 = twice as many).")
    capacity: Capacity = Field(default_factory=Capacity, description="Daily and open-lead limits.")
    calendar: Name | None = Field(default=None, description="A pact calendar; left out: the team's.")
    active: bool = Field(default=True, description="An inactive rep gets no new leads.")
    time_off: list[TimeOff] = Field(default_factory=list, description="Absences: [{from, to}], inclusive.")

    def off_on(self, day: dt.date) -> bool:
        return any(period.covers(day) for period in self.time_off)


class RoutingRule(PactModel):
    """Where a matching lead goes: a team, or the owner of its account."""

    when: Condition | None = Field(default=None, description="Which leads; left out: every lead.")
    to: Name = Field(description="A team of `teams`, or account_owner.")


AccountMatch = Literal["account_id", "email_domain"]


def _by_account_id() -> list[AccountMatch]:
    return ["account_id"]


class Routing(PactModel):
    """How handoffs find a rep."""

    rules: list[RoutingRule] = Field(
        min_length=1, description="In order; the first that matches picks the team (or the account owner)."
    )
    reassign_on_breach: bool = Field(
        default=False, description="Reassign a lead whose first-contact clock breached to the next rep."
    )
    match_accounts_by: list[AccountMatch] = Field(
        default_factory=_by_account_id,
        min_length=1,
        description="How a lead finds its account: account_id, and optionally email_domain.",
    )


class Webhook(PactModel):
    """A signed HTTP POST target."""

    url: Text = Field(description="The endpoint.")
    secret_env: str | None = Field(
        default=None, description="Environment variable holding the signing secret."
    )


class Slack(PactModel):
    """A Slack incoming webhook."""

    url_env: Text = Field(description="Environment variable holding the webhook URL.")


class EmailNotify(PactModel):
    """Email by SMTP."""

    model_config = ConfigDict(populate_by_name=True)

    smtp_env: Text = Field(description="Environment variable holding the SMTP URL.")
    from_: Text = Field(alias="from", description="The sender address.")


class Notify(PactModel):
    """Notification targets; secrets come from the environment, never from the file."""

    webhooks: list[Webhook] = Field(default_factory=list, description="Webhook targets.")
    slack: list[Slack] = Field(default_factory=list, description="Slack targets.")
    email: EmailNotify | None = Field(default=None, description="Email target.")

    @property
    def empty(self) -> bool:
        return not (self.webhooks or self.slack or self.email)


class Roster(PactModel):
    """``team.yaml``."""

    marketing: Marketing = Field(default_factory=Marketing, description="Marketing's owner of signals.")
    teams: dict[Name, Team] = Field(min_length=1, description="Teams by name.")
    reps: list[Rep] = Field(min_length=1, description="Every rep.")
    accounts: dict[Token, Token] = Field(
        default_factory=dict,
        description="Named account owners: account id -> rep id. Otherwise an account's owner is the owner "
        "of its earliest assigned lead.",
    )
    routing: Routing = Field(description="Routing rules.")
    notify: Notify = Field(default_factory=Notify, description="Notification targets.")

    @cached_property
    def _by_id(self) -> dict[str, Rep]:
        return {rep.id: rep for rep in self.reps}

    def rep(self, rep_id: str) -> Rep | None:
        """The rep with this id, or None (an unknown rep id is kept and flagged, not refused)."""
        return self._by_id.get(rep_id)

    def team_reps(self, team: str, *, active: bool | None = None) -> list[Rep]:
        """The team's reps in file order; ``active=True`` only active ones, ``False`` only inactive."""
        return [r for r in self.reps if r.team == team and (active is None or r.active == active)]

    def rep_calendar(self, rep_id: str) -> str:
        """The pact calendar a rep works by: their own, else their team's, else ``default``."""
        rep = self.rep(rep_id)
        if rep is None:
            return "default"
        if rep.calendar is not None:
            return rep.calendar
        team = self.teams.get(rep.team)
        return team.calendar if team is not None else "default"

    def dump(self) -> dict[str, Any]:
        """As written in YAML (``from`` keys, not ``from_``)."""
        return self.model_dump(mode="json", by_alias=True)


# --- checks against the pact -------------------------------------------------------------------


def _issues(values: Mapping[str, Any], failed: set[str], pact: Pact | None) -> list[PactIssue]:
    out: list[PactIssue] = []
    teams: dict[str, Team] = values.get("teams", {}) if "teams" not in failed else {}
    team_names = list_words(teams)
    calendars = set(pact.calendars) if pact is not None else None

    def calendar_ref(path: str, name: str) -> None:
        if calendars is not None and name not in calendars:
            message = f"{show(name)} is not a calendar of the pact ({list_words(sorted(calendars))})"
            out.append(PactIssue(path=path, message=message, value=name))

    if "teams" not in failed:
        for name, team in teams.items():
            calendar_ref(f"teams.{name}.calendar", team.calendar)
            if team.after_hours is not None:
                if team.after_hours not in teams:
                    message = f"{show(team.after_hours)} is not a team of `teams` ({team_names})"
                    out.append(
                        PactIssue(path=f"teams.{name}.after_hours", message=message, value=team.after_hours)
                    )
                elif team.after_hours == name:
                    message = "a team cannot cover its own after hours"
                    out.append(PactIssue(path=f"teams.{name}.after_hours", message=message, value=name))
    if "reps" not in failed:
        reps: list[Rep] = values["reps"]
        seen: dict[str, int] = {}
        for i, rep in enumerate(reps):
            if rep.id in seen:
                message = f"{show(rep.id)} is also the id of reps[{seen[rep.id]}]; rep ids must be unique"
                out.append(PactIssue(path=f"reps[{i}].id", message=message, value=rep.id))
            seen.setdefault(rep.id, i)
            if "teams" not in failed and rep.team not in teams:
                message = f"{show(rep.team)} is not a team of `teams` ({team_names})"
                out.append(PactIssue(path=f"reps[{i}].team", message=message, value=rep.team))
            if rep.calendar is not None:
                calendar_ref(f"reps[{i}].calendar", rep.calendar)
        if "accounts" not in failed:
            accounts: dict[str, str] = values["accounts"]
            for account, rep_id in accounts.items():
                if rep_id not in seen:
                    message = f"{show(rep_id)} is not a rep of `reps`"
                    out.append(PactIssue(path=f"accounts.{account}", message=message, value=rep_id))
        if "teams" not in failed:
            for name in teams:
                if not any(rep.team == name for rep in reps):
                    out.append(PactIssue(path=f"teams.{name}", message="has no reps", value=name))
    if "routing" not in failed and "teams" not in failed:
        routing: Routing = values["routing"]
        for i, rule in enumerate(routing.rules):
            if rule.to != ACCOUNT_OWNER and rule.to not in teams:
                message = f"{show(rule.to)} is not a team of `teams` ({team_names}) or {ACCOUNT_OWNER}"
                out.append(PactIssue(path=f"routing.rules[{i}].to", message=message, value=rule.to))
    return out


def _warnings(roster: Roster) -> list[PactIssue]:
    out: list[PactIssue] = []
    for i, rule in enumerate(roster.routing.rules):
        if rule.when is None and i < len(roster.routing.rules) - 1:
            out.append(
                PactIssue(
                    path=f"routing.rules[{i + 1}]",
                    message=f"never matches: routing.rules[{i}] before it has no `when`",
                    source="team.yaml",
                    severity="warning",
                )
            )
            break
    if roster.routing.rules[-1].when is not None:
        out.append(
            PactIssue(
                path="routing.rules",
                message="the last rule has a `when`: leads matching no rule wait in `leadpact queue`",
                source="team.yaml",
                severity="warning",
            )
        )
    for name in roster.teams:
        if roster.team_reps(name) and not roster.team_reps(name, active=True):
            out.append(
                PactIssue(
                    path=f"teams.{name}", message="has no active reps", source="team.yaml", severity="warning"
                )
            )
    return out


def roster_warnings(roster: Roster, source: str = "team.yaml") -> list[PactIssue]:
    """Valid, but probably not what was meant."""
    return locate(_warnings(roster), None, source)


def _parse(data: Any, pact: Pact | None, source: str, doc: YamlDocument | None) -> Roster:
    if not isinstance(data, Mapping):
        raise not_a_mapping(data, "roster", source)
    values, failed, issues = validate_keys(Roster, data, source)
    issues.extend(_issues(values, failed, pact))
    if doc is not None:
        issues = [*doc.problems, *issues]
    if issues:
        raise PactError(locate(issues, doc, source))
    return Roster.model_validate(values)


def parse_roster(data: Mapping[str, Any], pact: Pact | None, source: str = "team.yaml") -> Roster:
    """Validate a roster mapping; with a pact, also its references to the pact (calendars).

    Raises :class:`PactError` listing every problem.
    """
    return _parse(data, pact, source, None)


def load_roster(path: Path | str, pact: Pact | None) -> Roster:
    """Read and validate ``team.yaml`` (against ``pact`` when given); :class:`PactError` on any problem."""
    path = Path(path)
    doc = read_file(path, "roster file", "write one with `leadpact init`")
    return _parse(doc.data, pact, str(path), doc)


def roster_json_schema() -> dict[str, Any]:
    schema = Roster.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "leadpact team.yaml"
    return schema
