"""Routing: which rep gets a handed-off lead, and why (DESIGN.md §3 roster, issue 5).

Pure domain code: no I/O, never the system clock (``at`` is an argument); the only state is the fairness
:class:`~leadpact.domain.fairness.Ledger`, which the caller persists and :func:`route` updates.

* ``routing.rules`` in order; the first whose ``when`` holds (no ``when``: every lead) decides. A rule's
  condition means exactly what :func:`~leadpact.domain.conditions.evaluate_condition` says; it is
  compiled once (:func:`~leadpact.domain.compiled_conditions.compile_condition`) for speed.
* ``to: account_owner``: the roster's ``accounts[account_id]``, else ``account_owner(lead)`` (the caller's
  owner of the account's earliest assigned lead, matched by account_id, and by email domain where
  ``match_accounts_by`` says so; it is asked only when the lead has an account id, or an email domain
  that may be matched). No owner, an owner not on the roster, inactive or on time off: the next rule,
  recorded in ``skipped``. An available owner gets the lead whatever its capacity or hours.
* ``to: <team>``: a smooth weighted round robin (:mod:`leadpact.domain.fairness`) over the team's
  eligible reps: active, not on time off (their calendar's local date of ``at``), weight > 0, under
  ``per_day`` (``Load.assigned_today``) and under ``open_cap`` (``Load.open_leads``); for a ``high`` tier
  lead also working now (their calendar open at ``at``). A high-tier lead none of whose team's reps is
  working now goes to the team's ``after_hours`` team (one hop, never further). Nobody eligible: the
  queue (``rep=None``), with every rep's reason in ``skipped``. A rule that picked a team never falls
  through to the next rule.

``Decision.rule`` is the 0-based index into ``routing.rules`` (``routing.rules[1]``); the ``reason`` text
numbers rules from 1 for people ("rule 2 (employees >= 1000) -> sdr-enterprise; ...").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from leadpact.domain.compiled_conditions import Test, compile_condition
from leadpact.domain.conditions import ConditionLike, describe_condition
from leadpact.domain.fairness import (
    CalendarLike,
    Ledger,
    Load,
    RepView,
    period_text,
    pick_reason,
    team_pick,
)

if TYPE_CHECKING:
    from leadpact.roster import Roster


ACCOUNT_OWNER = "account_owner"
HIGH = "high"
Kind = Literal["account_owner", "round_robin", "after_hours", "queue"]


# -- the views -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamView:
    name: str
    after_hours: str | None
    reps: tuple[str, ...]  # rep ids, sorted (the round robin's tie-break order)


@dataclass(frozen=True, slots=True)
class RuleView:
    index: int  # 0-based, as in routing.rules[index]
    when: ConditionLike | None
    to: str  # a team, or "account_owner"
    test: Test | None = field(init=False, repr=False, compare=False)
    label: str = field(init=False, repr=False, compare=False)  # "rule 2 (employees >= 1000) -> sdr-smb"

    def __post_init__(self) -> None:
        when = self.when
        test = compile_condition(when) if when is not None else None
        what = describe_condition(when.field, when.op, when.value) if when is not None else "every lead"
        object.__setattr__(self, "test", test)
        object.__setattr__(self, "label", f"rule {self.index + 1} ({what}) -> {self.to}")


@dataclass(frozen=True)
class RoutingRules:
    teams: Mapping[str, TeamView]
    reps: Mapping[str, RepView]
    rules: tuple[RuleView, ...]
    accounts: Mapping[str, str] = field(default_factory=dict)  # account id -> rep id (named owners)
    match_accounts_by: tuple[str, ...] = ("account_id",)
    members: Mapping[str, tuple[RepView, ...]] = field(init=False, repr=False, compare=False)
    tests: tuple[tuple[Test | None, RuleView], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        members = {
            name: tuple(self.reps[r] for r in sorted(team.reps) if r in self.reps)
            for name, team in self.teams.items()
        }
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "tests", tuple((rule.test, rule) for rule in self.rules))

    @classmethod
    def from_roster(
        cls, roster: Roster, calendars: Mapping[str, CalendarLike], default: str = "default"
    ) -> RoutingRules:
        """From ``team.yaml``; ``calendars`` by pact calendar name. A rep works by its own calendar, else its
        team's, else ``default``'s."""
        reps: dict[str, RepView] = {}
        for rep in roster.reps:
            team = roster.teams.get(rep.team)
            name = rep.calendar or (team.calendar if team is not None else default)
            calendar = calendars.get(name)
            if calendar is None:
                raise KeyError(
                    f"rep {rep.id}: no calendar {name!r} (given: {', '.join(calendars) or 'none'})"
                )
            reps[rep.id] = RepView(
                id=rep.id,
                team=rep.team,
                weight=float(rep.weight),
                active=rep.active,
                per_day=rep.capacity.per_day,
                open_cap=rep.capacity.open,
                calendar=calendar,
                time_off=tuple((period.from_, period.to) for period in rep.time_off),
            )
        teams = {
            name: TeamView(name, team.after_hours, tuple(sorted(r.id for r in roster.reps if r.team == name)))
            for name, team in roster.teams.items()
        }
        rules = tuple(RuleView(i, rule.when, rule.to) for i, rule in enumerate(roster.routing.rules))
        return cls(teams, reps, rules, dict(roster.accounts), tuple(roster.routing.match_accounts_by))


@dataclass(frozen=True, slots=True)
class LeadView:
    lead_id: str
    fields: Mapping[str, Any]  # the lead's fields, plus "segment", "tier" and "source"
    account_id: str | None = None
    email_domain: str | None = None
    tier: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    rep: str | None
    team: str | None
    rule: int | None  # 0-based index of the deciding rule
    kind: Kind
    reason: str
    skipped: tuple[tuple[str, str], ...] = ()  # (rep id or "rule N", why)
    expected: Mapping[str, float] = field(default_factory=dict)  # round robin: each eligible rep's share


# -- routing ---------------------------------------------------------------------------------------------


def _owner(
    lead: LeadView, at: datetime, rules: RoutingRules, account_owner: Callable[[LeadView], str | None]
) -> tuple[str | None, str]:
    """(owner, why it is the owner) or (None, why the rule falls through)."""
    account = lead.account_id
    owner = rules.accounts.get(account) if account else None
    source = f"named owner of account {account}"
    if owner is None:
        domain = lead.email_domain if "email_domain" in rules.match_accounts_by else None
        if not account and not domain:
            by_domain = "email_domain" in rules.match_accounts_by
            return None, "the lead has no account id" + (" or email domain" if by_domain else "")
        owner = account_owner(lead)
        source = "owner of the account's earliest assigned lead"
        if owner is None:
            which = f"account {account}" if account else f"email domain {domain}"
            return None, f"{which} has no owner yet"
    rep = rules.reps.get(owner)
    if rep is None:
        return None, f"account owner {owner} is not a rep of the roster"
    if not rep.active:
        return None, f"account owner {owner} is inactive"
    off = rep.time_off_at(at)
    if off is not None:
        return None, f"account owner {owner} is on time off {period_text(off)}"
    return owner, source


def _queue(head: str, skipped: list[tuple[str, str]], team: str, index: int) -> Decision:
    detail = "; ".join(f"{who}: {why}" for who, why in skipped if not who.startswith("rule "))
    reason = f"{head}; nobody eligible ({detail}) -> queue" if detail else f"{head}; nobody eligible -> queue"
    return Decision(None, team, index, "queue", reason, tuple(skipped))


def route(
    lead: LeadView,
    at: datetime,
    rules: RoutingRules,
    ledger: Ledger,
    load: Load,
    account_owner: Callable[[LeadView], str | None],
) -> Decision:
    """The rep (or the queue) for ``lead`` handed off at ``at``; updates ``ledger.credit`` on a round-robin
    pick (pass ``ledger.copy()``, or use :func:`explain`, for a dry run)."""
    if at.tzinfo is None:
        raise ValueError(f"{at!r} is naive: routing takes timezone-aware datetimes")
    fields = lead.fields
    email = fields.get("email")
    mail = email if isinstance(email, str) else None
    skipped: list[tuple[str, str]] = []
    for test, rule in rules.tests:
        if test is not None and not test(fields, mail):
            continue
        if rule.to == ACCOUNT_OWNER:
            owner, why = _owner(lead, at, rules, account_owner)
            if owner is None:
                skipped.append((f"rule {rule.index + 1}", why))
                continue
            reason = f"{rule.label}: {owner} ({why})"
            return Decision(
                owner, rules.reps[owner].team, rule.index, "account_owner", reason, tuple(skipped)
            )
        team = rule.to
        if team not in rules.teams:
            return Decision(
                None, team, rule.index, "queue", f"{rule.label}; no such team -> queue", tuple(skipped)
            )
        high = lead.tier == HIGH
        rep, expected, working = team_pick(rules.members[team], at, ledger, load, high, skipped)
        if rep is not None:
            reason = f"{rule.label}; {pick_reason(rep, expected)}"
            return Decision(rep.id, team, rule.index, "round_robin", reason, tuple(skipped), expected)
        after = rules.teams[team].after_hours
        if not (high and not working and after is not None and after in rules.teams):
            return _queue(rule.label, skipped, team, rule.index)
        head = f"{rule.label}; nobody there is working now (high intent) -> after hours {after}"
        rep, expected, _ = team_pick(rules.members[after], at, ledger, load, high, skipped)
        if rep is None:
            return _queue(head, skipped, after, rule.index)
        reason = f"{head}; {pick_reason(rep, expected)}"
        return Decision(rep.id, after, rule.index, "after_hours", reason, tuple(skipped), expected)
    return Decision(None, None, None, "queue", "no routing rule matches -> queue", tuple(skipped))


def explain(
    lead: LeadView,
    at: datetime,
    rules: RoutingRules,
    ledger: Ledger,
    load: Load,
    account_owner: Callable[[LeadView], str | None],
) -> Decision:
    """:func:`route` as a dry run: the same decision, on a copy of the ledger (``ledger`` is left as is)."""
    return route(lead, at, rules, ledger.copy(), load, account_owner)
