"""The roster, ``team.yaml``: marketing owner, teams, reps, routing rules, notification targets.

Operational, not signed: changing it makes no new pact version (DESIGN.md §3). ``teams``,
``reps`` and ``routing.rules`` are required; every other key defaults to empty. Errors use the
pact's :class:`~leadpact.pact.PactIssue` format with ``source`` naming the file, so a report
reads ``team.yaml:12: reps[1].team: "sdr-x" is not a team of `teams` (sdr-enterprise, sdr-smb)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo, model_validator

from leadpact.pact import Condition, Pact, PactError, PactIssue
from leadpact.pact.base import Name, PactModel, Text, Token, checks_names, lead_field_problem
from leadpact.pact.errors import custom, list_words, show
from leadpact.pact.loader import YamlDocument, locate, not_a_mapping, read_file, validate_keys
from leadpact.pact.partial import Known

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


#: What routing reads of a lead besides its fields (services.routing.view_of): its segment and intent tier.
ROUTING_FIELDS: tuple[str, ...] = ("segment", "tier")


def _check_routing_field(value: str, info: ValidationInfo) -> str:
    problem = lead_field_problem(value, ROUTING_FIELDS) if checks_names(info) else None
    if problem is not None:
        raise custom(problem, value=value)
    return value


class RoutingCondition(Condition):
    """A routing test: on a lead field, `attributes.<key>`, or the lead's `segment` or intent `tier`."""

    field: Annotated[Text, AfterValidator(_check_routing_field)] = Field(
        description="A lead field (employees, country, source, ...), a custom attribute as "
        "`attributes.<key>`, or `segment` or `tier` (the handoff's segment and intent tier)."
    )


class RoutingRule(PactModel):
    """Where a matching lead goes: a team, or the owner of its account."""

    when: RoutingCondition | None = Field(default=None, description="Which leads; left out: every lead.")
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
    executives: dict[str, str] = Field(
        default_factory=dict,
        description="Who joint escalations go to, by the title the pact's `escalation.sustained.to` names: "
        "{CRO: email, CEO: email}.",
    )
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


def _issues(known: Known, calendars: Collection[str] | None) -> list[PactIssue]:
    """References between the roster's keys and to the pact's calendars, judged on what is known: a rep
    whose team failed its own validation is not also reported as on an unknown team."""
    out: list[PactIssue] = []
    team_names = known.keys("teams")
    listed = list_words(team_names or ())
    teams: dict[str, Team] = known.values.get("teams", {})
    reps: list[Rep | None] = known.values.get("reps", []) if known.present("reps") else []

    def given(path: str, owner: Any, key: str) -> Any:
        """The value at ``path`` (``owner.key``) when it validated as written, else None."""
        return getattr(owner, key, None) if known.ok(path) else None

    def calendar_ref(path: str, owner: Any) -> None:
        name = given(path, owner, "calendar")
        if calendars is not None and name is not None and name not in calendars:
            message = f"{show(name)} is not a calendar of the pact ({list_words(sorted(calendars))})"
            out.append(PactIssue(path=path, message=message, value=name))

    def team_ref(path: str, owner: Any, key: str, also: str = "") -> None:
        name = given(path, owner, key)
        if team_names is not None and name is not None and name not in team_names and name != also:
            message = f"{show(name)} is not a team of `teams` ({listed})" + (f" or {also}" if also else "")
            out.append(PactIssue(path=path, message=message, value=name))

    for name, team in teams.items():
        calendar_ref(f"teams.{name}.calendar", team)
        if given(f"teams.{name}.after_hours", team, "after_hours") == name:
            message = "a team cannot cover its own after hours"
            out.append(PactIssue(path=f"teams.{name}.after_hours", message=message, value=name))
        else:
            team_ref(f"teams.{name}.after_hours", team, "after_hours")
    seen: dict[str, int] = {}
    for i, rep in enumerate(reps):
        rep_id = given(f"reps[{i}].id", rep, "id")
        if rep_id is not None:
            if rep_id in seen:
                message = f"{show(rep_id)} is also the id of reps[{seen[rep_id]}]; rep ids must be unique"
                out.append(PactIssue(path=f"reps[{i}].id", message=message, value=rep_id))
            seen.setdefault(rep_id, i)
        team_ref(f"reps[{i}].team", rep, "team")
        calendar_ref(f"reps[{i}].calendar", rep)
    every = known.present("reps") and None not in reps
    if every and known.ok(*(f"reps[{i}].id" for i in range(len(reps)))):
        accounts: dict[str, str] = known.values.get("accounts", {})
        for account, rep_id in accounts.items():
            if rep_id not in seen and known.ok(f"accounts.{account}"):
                message = f"{show(rep_id)} is not a rep of `reps`"
                out.append(PactIssue(path=f"accounts.{account}", message=message, value=rep_id))
    if every and team_names is not None and known.ok(*(f"reps[{i}].team" for i in range(len(reps)))):
        for name in team_names:
            if not any(getattr(rep, "team", None) == name for rep in reps):
                out.append(PactIssue(path=f"teams.{name}", message="has no reps", value=name))
    if known.present("routing.rules"):
        for i, rule in enumerate(known["routing"].rules):
            team_ref(f"routing.rules[{i}].to", rule, "to", also=ACCOUNT_OWNER)
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


def roster_warnings(roster: Roster, source: str = "team.yaml", pact: Pact | None = None) -> list[PactIssue]:
    """Valid, but probably not what was meant (with the pact: a joint escalation's title no one holds)."""
    out = _warnings(roster)
    for title in pact.escalation.sustained.to if pact is not None else ():
        if title not in roster.executives:
            message = (
                f"the pact's escalation.sustained.to names {title}, whom `executives` does not list: joint "
                "escalations name the title and are sent to no one for it"
            )
            out.append(PactIssue(path="executives", message=message, source="team.yaml", severity="warning"))
    return locate(out, None, source)


def _parse(data: Any, calendars: Collection[str] | None, source: str, doc: YamlDocument | None) -> Roster:
    if not isinstance(data, Mapping):
        raise not_a_mapping(data, "roster", source)
    known, issues = validate_keys(Roster, data, source)
    issues.extend(_issues(known, calendars))
    if doc is not None:
        issues = [*doc.problems, *issues]
    if issues:
        raise PactError(locate(issues, doc, source), known=known)
    return Roster.model_validate(known.values)


def _calendars(pact: Pact | None, calendars: Collection[str] | None) -> Collection[str] | None:
    return set(pact.calendars) if pact is not None else calendars


def parse_roster(
    data: Mapping[str, Any],
    pact: Pact | None,
    source: str = "team.yaml",
    *,
    calendars: Collection[str] | None = None,
) -> Roster:
    """Validate a roster mapping; with a pact (or, when the pact is invalid, the names of the calendars it
    gives), also its references to the pact's calendars.

    Raises :class:`PactError` listing every problem.
    """
    return _parse(data, _calendars(pact, calendars), source, None)


def load_roster(path: Path | str, pact: Pact | None, *, calendars: Collection[str] | None = None) -> Roster:
    """Read and validate ``team.yaml`` (against ``pact``, or the pact's ``calendars`` names, when given);
    :class:`PactError` on any problem."""
    path = Path(path)
    doc = read_file(path, "roster file", "write one with `leadpact init`")
    return _parse(doc.data, _calendars(pact, calendars), str(path), doc)


def roster_json_schema() -> dict[str, Any]:
    schema = Roster.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "leadpact team.yaml"
    return schema
