"""Routing benchmark: decisions per second through ``leadpact.domain.routing.route``.

    python bench/routing.py [--leads 200000] [--reps 200] [--teams 20] [--rules 50] [--seed 1]

A synthetic roster: reps spread over teams (weights 1-3, some with daily and open-lead caps, a few
inactive or on time off, three calendars in two zones); every other team works New York or London hours
and has an after-hours team that works around the clock. Two rule lists: "mixed", an account-owner rule, field
conditions with mixed operators (eq, ne, in, not_in, between, >=, <, matches, email_domain_in, exists)
on segment, tier, source, country, industry, employees, title and email, and a catch-all; and "deep",
the same operators with values no lead has, so that every lead tests all of them before the catch-all.
Leads of skewed, mixed-case fields (some blank), 20% high intent, handed off over a week (nights and the
weekend too), with per-rep loads. Figures only; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import random
import time as clock
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from leadpact.domain.calendar.business import BusinessCalendar
from leadpact.domain.calendar.spec import CalendarSpec, parse_hours
from leadpact.domain.fairness import Ledger, Load
from leadpact.domain.routing import Decision, LeadView, RoutingRules, route
from leadpact.pact import Pact
from leadpact.roster import parse_roster

console = Console(width=120)
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday

COUNTRIES = ["US", "us", "CA", "GB", "DE", "FR", "NL", "AU", "IN", "BR", "JP", "ES", "", None]
INDUSTRIES = ["Software", "SaaS", "Fintech", "eCommerce", "Healthcare", "Manufacturing", "Education", None]
SOURCES = ["demo_request", "content", "webinar", "event", "paid_search", "referral", "outbound"]
TITLES = ["VP Marketing", "Head of Sales", "Marketing Intern", "CTO", "RevOps Manager", "Analyst", None]
DOMAINS = ["acme.example", "globex.example", "initech.example", "umbrella.example", "gmail.com"]


def make_rules(n_rules: int, teams: list[str], rng: random.Random) -> list[dict[str, Any]]:
    makers: list[Callable[[], dict[str, Any]]] = [
        lambda: {"field": "country", "op": "eq", "value": rng.choice(["US", "GB", "DE", "FR"])},
        lambda: {
            "field": "country",
            "op": "in",
            "value": rng.sample(["US", "CA", "GB", "DE", "FR", "NL"], 3),
        },
        lambda: {"field": "industry", "op": "in", "value": rng.sample(["software", "saas", "fintech"], 2)},
        lambda: {"field": "industry", "op": "not_in", "value": ["healthcare", "education", "retail"]},
        lambda: {"field": "employees", "op": ">=", "value": rng.choice([500, 1000, 5000])},
        lambda: {"field": "employees", "op": "<", "value": rng.choice([50, 100, 200])},
        lambda: {"field": "employees", "op": "between", "value": sorted(rng.sample(range(10, 5000), 2))},
        lambda: {"field": "source", "op": "eq", "value": rng.choice(SOURCES)},
        lambda: {"field": "source", "op": "ne", "value": "outbound"},
        lambda: {"field": "segment", "op": "eq", "value": "enterprise"},
        lambda: {"field": "tier", "op": "in", "value": ["high", "medium"]},
        lambda: {
            "field": "title",
            "op": "matches",
            "value": rng.choice(["(?i)vp|head", "(?i)ops", "(?i)cto"]),
        },
        lambda: {"field": "email", "op": "email_domain_in", "value": rng.sample(DOMAINS[:4], 2)},
    ]
    rules: list[dict[str, Any]] = [{"when": {"field": "account_id", "op": "exists"}, "to": "account_owner"}]
    for _ in range(n_rules - 2):
        rules.append({"when": rng.choice(makers)(), "to": rng.choice(teams)})
    rules.append({"to": teams[-1]})
    return rules


NEVER = [  # the same operators, with values no synthetic lead has: every lead walks to the catch-all
    {"field": "country", "op": "eq", "value": "ZZ"},
    {"field": "country", "op": "in", "value": ["ZZ", "YY", "XX"]},
    {"field": "industry", "op": "in", "value": ["mining", "forestry"]},
    {"field": "attributes.pipeline", "op": "not_in", "value": ["inbound"]},
    {"field": "attributes.pipeline", "op": "ne", "value": "Inbound"},
    {"field": "employees", "op": ">=", "value": 10**9},
    {"field": "employees", "op": "<", "value": -1},
    {"field": "employees", "op": "between", "value": [10**8, 10**9]},
    {"field": "source", "op": "eq", "value": "carrier_pigeon"},
    {"field": "segment", "op": "eq", "value": "government"},
    {"field": "tier", "op": "in", "value": ["none"]},
    {"field": "title", "op": "matches", "value": "(?i)zzzz"},
    {"field": "email", "op": "email_domain_in", "value": ["nowhere.example"]},
    {"field": "attributes.never", "op": "exists"},
]


def deep_rules(n_rules: int, teams: list[str]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {"when": NEVER[i % len(NEVER)], "to": teams[i % len(teams)]} for i in range(n_rules - 1)
    ]
    return [*rules, {"to": teams[-1]}]


def make_roster(n_reps: int, n_teams: int, n_rules: int, rng: random.Random) -> dict[str, Any]:
    teams = [f"team-{k:02d}" for k in range(n_teams)]
    team_map: dict[str, Any] = {}
    for k, name in enumerate(teams):
        team: dict[str, Any] = {
            "calendar": ("default", "around-the-clock", "emea", "around-the-clock")[k % 4]
        }
        if k % 2 == 0:
            team["after_hours"] = teams[(k + 1) % n_teams]
        team_map[name] = team
    reps = []
    for i in range(n_reps):
        rep: dict[str, Any] = {
            "id": f"rep-{i:03d}",
            "name": f"Rep {i}",
            "email": f"rep{i}@acme.example",
            "team": teams[i % n_teams],
            "weight": rng.choice([1, 1, 1, 2, 2, 3]),
        }
        if rng.random() < 0.4:
            rep["capacity"] = {"per_day": rng.choice([20, 40, 80]), "open": rng.choice([60, 120, 200])}
        if rng.random() < 0.05:
            rep["active"] = False
        if rng.random() < 0.15:
            first = date(2026, 3, rng.randint(1, 8))
            rep["time_off"] = [{"from": first, "to": first + timedelta(days=rng.randint(0, 4))}]
        if rng.random() < 0.1:
            rep["calendar"] = "emea"
        reps.append(rep)
    accounts = {f"ACCT-{k}": f"rep-{rng.randrange(n_reps):03d}" for k in range(200)}
    return {
        "teams": team_map,
        "reps": reps,
        "accounts": accounts,
        "routing": {
            "rules": make_rules(n_rules, teams, rng),
            "match_accounts_by": ["account_id", "email_domain"],
        },
    }


def make_leads(n: int, rng: random.Random) -> list[tuple[LeadView, datetime]]:
    out = []
    for i in range(n):
        tier = rng.choices(["high", "medium", "low"], [2, 3, 5])[0]
        account = f"ACCT-{rng.randrange(400)}" if rng.random() < 0.15 else None
        domain = rng.choice(DOMAINS)
        employees: Any = rng.choice([rng.randint(1, 20000), str(rng.randint(1, 9000)), "1,200", None, "n/a"])
        fields = {
            "email": f"p{i}@{domain}",
            "country": rng.choice(COUNTRIES),
            "industry": rng.choice(INDUSTRIES),
            "employees": employees,
            "title": rng.choice(TITLES),
            "source": rng.choice(SOURCES),
            "segment": "enterprise" if isinstance(employees, int) and employees >= 1000 else "smb",
            "tier": tier,
            "account_id": account,
            "attributes": {"pipeline": "inbound"},
        }
        at = START + timedelta(minutes=rng.randrange(7 * 24 * 60))
        out.append((LeadView(f"L-{i}", fields, account, domain, tier), at))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    pact = Pact()
    emea = BusinessCalendar(
        CalendarSpec("Europe/London", parse_hours({"mon-fri": "08:00-18:00"}), country="GB")
    )
    always = BusinessCalendar(CalendarSpec("America/New_York", parse_hours({"mon-sun": "00:00-24:00"})))
    calendars = {"default": pact.business_calendar("default"), "emea": emea, "around-the-clock": always}
    roster = parse_roster(make_roster(args.reps, args.teams, args.rules, rng), None)
    t0 = clock.perf_counter()
    rules = RoutingRules.from_roster(roster, calendars)
    compile_s = clock.perf_counter() - t0
    leads = make_leads(args.leads, rng)
    for cal in calendars.values():  # warm the calendars' year tables (built once per year, not per decision)
        cal.is_open(START)
    load = Load(
        assigned_today={r.id: rng.randrange(0, 30) for r in roster.reps},
        open_leads={r.id: rng.randrange(0, 150) for r in roster.reps},
    )
    owners = {d: f"rep-{rng.randrange(args.reps):03d}" for d in DOMAINS[:3]}

    def account_owner(lead: LeadView) -> str | None:
        return owners.get(lead.email_domain or "")

    def run(rules: RoutingRules) -> tuple[float, list[float], list[Decision]]:
        runs: list[float] = []
        for _ in range(3):
            ledger = Ledger()
            t0 = clock.perf_counter()
            for lead, at in leads:  # decisions are dropped, as a service would after storing them
                route(lead, at, rules, ledger, load, account_owner)
            runs.append(clock.perf_counter() - t0)
        ledger = Ledger()
        decisions = [route(lead, at, rules, ledger, load, account_owner) for lead, at in leads]  # untimed
        return len(leads) / min(runs), runs, decisions

    with console.status("mixed rules"):
        rate, runs, decisions = run(rules)
    data = make_roster(args.reps, args.teams, args.rules, random.Random(args.seed))
    data["routing"]["rules"] = deep_rules(args.rules, sorted(data["teams"]))
    with console.status("deep rules"):
        deep_rate, deep_runs, _ = run(RoutingRules.from_roster(parse_roster(data, None), calendars))

    kinds = Counter(d.kind for d in decisions)
    mean_rule = sum((d.rule or 0) + 1 for d in decisions) / len(decisions)
    skipped = sum(len(d.skipped) for d in decisions) / len(decisions)
    n = len(leads)
    title = f"routing: {args.reps} reps in {args.teams} teams, {args.rules} rules, {n:,} leads"
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("decisions/s, mixed rules (best of 3)", f"{rate:,.0f}")
    table.add_row("µs per decision, mixed rules", f"{1e6 / rate:.1f}")
    table.add_row("runs (s)", ", ".join(f"{r:.2f}" for r in runs))
    table.add_row("mean deciding rule (1-based)", f"{mean_rule:.1f}")
    table.add_row("mean skipped entries", f"{skipped:.2f}")
    for kind in ("round_robin", "account_owner", "after_hours", "queue"):
        table.add_row(f"kind {kind}", f"{kinds[kind] / n:.1%}")
    table.add_row(f"decisions/s, deep rules (all {args.rules} tested)", f"{deep_rate:,.0f}")
    table.add_row("µs per decision, deep rules", f"{1e6 / deep_rate:.1f}")
    table.add_row("runs (s), deep rules", ", ".join(f"{r:.2f}" for r in deep_runs))
    table.add_row("RoutingRules.from_roster", f"{compile_s * 1e3:.1f} ms")
    console.print(table)
    goal = 50_000
    for what, r in (("mixed", rate), ("deep", deep_rate)):
        console.print(f"{what}: goal ≥ {goal:,}/s: [{'green' if r >= goal else 'red'}]{r:,.0f}/s[/]")


if __name__ == "__main__":
    main()
