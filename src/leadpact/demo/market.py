"""The demo company's market: draws one lead's person and firmographics at a time.

The fit class comes first (good fit = fit >= 50 under the default rules, or a poorer fit, some interns and
students), the fields follow the class, and a few tries make the class hold. Companies get unique names and
domains by construction, so emails are unique without remembering past leads; accounts and duplicates use
small bounded pools. `persona_issues` is what a rep sees wrong with a lead.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from math import gcd
from typing import Any

from leadpact.demo.company import CompanyProfile
from leadpact.demo.gate import FIT_INDUSTRIES, FIT_SENIOR, FIT_TARGET_FUNCTIONS, fit_points
from leadpact.demo.names import (
    COMPETITORS,
    COUNTRIES_OTHER,
    FIRST_NAMES,
    FUNCTIONS_OTHER,
    INDUSTRIES_OTHER,
    LAST_NAMES,
    PREFIXES,
    REGION,
    ROOTS,
    SUFFIXES,
    pick,
    title_for,
    weighted,
)


@dataclass(frozen=True)
class Firm:
    company: str
    domain: str
    industry: str
    employees: int
    annual_revenue: int
    country: str


@dataclass
class Account:
    id: str
    firm: Firm
    slots: int  # leads still to come
    emails: list[str] = field(default_factory=list)
    people: list[tuple[str, str]] = field(default_factory=list)
    rep: str | None = None


@dataclass
class Person:
    first_name: str
    last_name: str
    job_function: str
    seniority: str
    title: str


class Market:
    """Draws leads' people and companies; bounded memory whatever the number of leads."""

    MAX_OPEN_ACCOUNTS = 64
    RECENT = 256

    def __init__(self, profile: CompanyProfile, rng: random.Random) -> None:
        self.profile = profile
        self.rng = rng
        self.space = len(PREFIXES) * len(ROOTS) * len(SUFFIXES)
        step = 7_919 * 104_729
        while gcd(step, self.space) != 1:
            step += 1
        self.step = step
        self.offset = rng.randrange(self.space)
        self.companies = 0
        self.accounts = 0
        self.open_accounts: list[Account] = []
        self.recent: deque[dict[str, Any]] = deque(maxlen=self.RECENT)

    # -- companies ----------------------------------------------------------------------------------------
    def _company_name(self) -> tuple[str, str]:
        n = self.companies
        self.companies += 1
        k = (n * self.step + self.offset) % self.space
        p, rest = divmod(k, len(ROOTS) * len(SUFFIXES))
        r, s = divmod(rest, len(SUFFIXES))
        prefix, root, suffix = PREFIXES[p], ROOTS[r], SUFFIXES[s]
        name = f"{prefix}{root} {suffix}"
        domain = f"{prefix}{root}{suffix}".lower()
        lap = n // self.space
        if lap:
            name, domain = f"{name} {lap + 1}", f"{domain}{lap + 1}"
        return name, domain + ".example"

    def firm(self, good: bool, size: str) -> Firm:
        """A new company's firmographics; its name is taken when the lead is kept (see `named`)."""
        rng = self.rng
        employees = _employees(rng, size)
        share = 0.68 if good else 0.45
        industry = pick(rng, FIT_INDUSTRIES) if rng.random() < share else pick(rng, INDUSTRIES_OTHER)
        country = _country(rng, 0.9 if good else 0.75)
        revenue = int(round(employees * rng.uniform(90_000, 320_000), -5))
        return Firm("", "", industry, employees, revenue, country)

    def named(self, firm: Firm) -> Firm:
        name, domain = self._company_name()
        return Firm(name, domain, firm.industry, firm.employees, firm.annual_revenue, firm.country)

    # -- people -------------------------------------------------------------------------------------------
    def person(self, good: bool, junior: bool) -> Person:
        rng = self.rng
        first, last = pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES)
        if junior:
            function = pick(rng, FIT_TARGET_FUNCTIONS) if rng.random() < 0.7 else pick(rng, FUNCTIONS_OTHER)
            return Person(first, last, function, "intern", title_for(rng, function, "intern"))
        target = 0.93 if good else 0.5
        function = (
            weighted(rng, (("marketing", 0.5), ("sales", 0.3), ("revops", 0.2)))
            if rng.random() < target
            else pick(rng, FUNCTIONS_OTHER)
        )
        senior = 0.92 if good else 0.45
        seniority = (
            weighted(rng, (("manager", 0.45), ("director", 0.3), ("vp", 0.15), ("c_level", 0.1)))
            if rng.random() < senior
            else weighted(rng, (("individual", 0.7), ("entry", 0.3)))
        )
        return Person(first, last, function, seniority, title_for(rng, function, seniority))

    # -- leads --------------------------------------------------------------------------------------------
    def draw(self, num: int) -> LeadDraft:
        """One lead's person and company (no source, campaign or times yet)."""
        rng, p = self.rng, self.profile
        if self.recent and rng.random() < p.duplicate_share:
            return self._duplicate(num)
        if rng.random() < p.competitor_share:
            return self._competitor(num)
        account = self._account()
        good = rng.random() < p.good_fit_share
        person, firm = self._persona(good, account.firm if account is not None else None)
        if account is None:
            firm = self.named(firm)
        invalid = rng.random() < p.invalid_contact_share
        email = self._email(person, firm, account, num, invalid)
        fields = _fields(email, person, firm, account.id if account is not None else None)
        draft = LeadDraft(fields, fit_points(fields) >= 50, account=account, invalid=invalid)
        self.recent.append(fields)
        return draft

    def _persona(self, good: bool, firm: Firm | None) -> tuple[Person, Firm]:
        rng = self.rng
        person, drawn = self.person(False, False), firm
        for _ in range(12):
            if good:
                size = "large" if rng.random() < 0.12 else "mid"
                person = self.person(True, False)
            else:
                kind = weighted(
                    rng,
                    (("small", 0.30), ("persona", 0.28), ("huge", 0.08), ("junior", 0.12), ("mixed", 0.22)),
                )
                size = {
                    "small": "small" if rng.random() < 0.6 else "micro",
                    "huge": "huge",
                    "persona": "large" if rng.random() < 0.2 else "mid",
                }.get(kind) or weighted(
                    rng, (("micro", 0.2), ("small", 0.3), ("mid", 0.35), ("large", 0.1), ("huge", 0.05))
                )
                person = self.person(kind == "small", kind == "junior")
            drawn = firm if firm is not None else self.firm(good, size)
            points = fit_points(
                {
                    "employees": drawn.employees,
                    "job_function": person.job_function,
                    "seniority": person.seniority,
                    "industry": drawn.industry,
                    "country": drawn.country,
                    "title": person.title,
                }
            )
            if (points >= 50) == good:
                break
        assert drawn is not None
        return person, drawn

    def _account(self) -> Account | None:
        rng, p = self.rng, self.profile
        opens = p.account_share / 3.5  # an account holds 2-5 leads, 3.5 on average
        joins = (p.account_share - opens) / 0.9  # a little eager, so the pool of open accounts drains
        x = rng.random()
        if x < joins:
            if not self.open_accounts:
                return None
            i = int(rng.random() * len(self.open_accounts))
            account = self.open_accounts[i]
            account.slots -= 1
            if account.slots <= 0:
                self.open_accounts.pop(i)
            return account
        if x < joins + opens and len(self.open_accounts) < self.MAX_OPEN_ACCOUNTS:
            self.accounts += 1
            good = rng.random() < 0.8
            firm = self.named(self.firm(good, "large" if rng.random() < 0.2 else "mid"))
            account = Account(f"ACCT-{self.accounts:05d}", firm, slots=rng.randint(2, 5) - 1)
            self.open_accounts.append(account)
            return account
        return None

    def _email(self, person: Person, firm: Firm, account: Account | None, num: int, invalid: bool) -> str:
        if invalid:
            junk = pick(self.rng, ("asdf", "test", "noreply", "qwerty", "none"))
            return f"{junk}{num}@mailinator.example"
        email = f"{person.first_name}.{person.last_name}@{firm.domain}".lower()
        if account is not None:
            letters = "abcdefghjkmnprstvw"
            i = 0
            while email in account.emails:
                middle = letters[i % len(letters)] * (1 + i // len(letters))
                email = f"{person.first_name}.{middle}.{person.last_name}@{firm.domain}".lower()
                i += 1
            account.emails.append(email)
            account.people.append((person.first_name, person.last_name))
        return email

    def _duplicate(self, num: int) -> LeadDraft:
        rng = self.rng
        original = self.recent[int(rng.random() * len(self.recent))]
        fields = dict(original)
        if fields.get("account_id") and rng.random() < 0.5:  # the same person again, another address
            first, last = str(fields["first_name"]), str(fields["last_name"])
            domain = str(fields["email"]).rsplit("@", 1)[1]
            fields["email"] = f"{first[0]}{last}{num % 100}@{domain}".lower()
        return LeadDraft(fields, fit_points(fields) >= 50, duplicate=True)

    def _competitor(self, num: int) -> LeadDraft:
        rng = self.rng
        name, domain = COMPETITORS[int(rng.random() * len(COMPETITORS))]
        person = self.person(True, False)
        firm = Firm(name, domain, "saas", _employees(rng, "mid"), 40_000_000, "US")
        email = f"{person.first_name[0]}{person.last_name}{num}@{domain}".lower()
        fields = _fields(email, person, firm, None)
        return LeadDraft(fields, fit_points(fields) >= 50, competitor=True)


@dataclass
class LeadDraft:
    fields: dict[str, Any]
    good: bool  # fit >= 50 under the default rules
    account: Account | None = None
    duplicate: bool = False
    competitor: bool = False
    invalid: bool = False


def _fields(email: str, person: Person, firm: Firm, account_id: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "email": email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "company": firm.company,
        "title": person.title,
        "job_function": person.job_function,
        "seniority": person.seniority,
        "industry": firm.industry,
        "employees": firm.employees,
        "annual_revenue": firm.annual_revenue,
        "country": firm.country,
        "region": region_of(firm.country),
    }
    if account_id is not None:
        fields["account_id"] = account_id
    return fields


def _employees(rng: random.Random, size: str) -> int:
    low, high = {
        "micro": (5, 49),
        "small": (50, 199),
        "mid": (200, 999),
        "large": (1000, 5000),
        "huge": (5001, 60000),
    }[size]
    value = int(low * (high / low) ** rng.random())
    return int(round(value, -1)) if value > 100 else value


def _country(rng: random.Random, target: float) -> str:
    if rng.random() >= target:
        return pick(rng, COUNTRIES_OTHER)
    return weighted(
        rng,
        (("US", 0.62), ("CA", 0.07), ("GB", 0.12), ("DE", 0.07), ("FR", 0.04), ("NL", 0.04), ("AU", 0.04)),
    )


def region_of(country: str) -> str:
    return REGION.get(country, "EMEA")


def persona_issues(fields: dict[str, Any]) -> list[str]:
    """What a rep sees wrong with a lead, as the pact's reason codes."""
    issues = []
    if fields.get("job_function") not in FIT_TARGET_FUNCTIONS or fields.get("seniority") not in FIT_SENIOR:
        issues.append("wrong_job_function")
    employees = fields.get("employees") or 0
    if not 200 <= employees <= 5000:
        issues.append("wrong_company_size")
    if fields.get("industry") not in FIT_INDUSTRIES:
        issues.append("wrong_industry")
    return issues
