"""The demo company: its knobs (`CompanyProfile`) and its roster (`DEMO_ROSTER_YAML`, read back as `REPS`).
The market it sells into is `demo.market`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import yaml


@dataclass(frozen=True)
class CompanyProfile:
    """The demo company's knobs. Shares are of leads unless the name says otherwise."""

    name: str = "Acme"
    timezone: str = "America/New_York"
    holiday_country: str = "US"
    hours: tuple[int, int] = (9, 17)
    source_mix: tuple[tuple[str, float], ...] = (
        ("content", 0.35),
        ("webinar", 0.25),
        ("demo_request", 0.15),
        ("event", 0.12),
        ("paid_search", 0.05),
        ("referral", 0.03),
        ("outbound", 0.05),
    )
    good_fit_share: float = 0.60
    account_share: float = 0.20  # leads in an account of 2-5 leads
    duplicate_share: float = 0.01  # same email, or the same person at the same account
    competitor_share: float = 0.004
    invalid_contact_share: float = 0.01
    # per handoff
    never_touched_share: float = 0.03
    automated_share: float = 0.05  # of touches: automated sequence emails
    slow_reps: tuple[str, ...] = ("felix", "omar")
    pending_share: float = 0.035
    recycle_share: float = 0.085
    disqualify_share: float = 0.05
    reject_good_fit: float = 0.04  # rejection odds of a good-fit MQL, and of a poorer one
    reject_poor_fit: float = 0.38
    short_touch_share: float = 0.19  # disqualify/recycle short of the minimum touches
    late_disposition_share: float = 0.10
    mql_to_sql: tuple[tuple[str, float], ...] = (
        ("demo_request", 0.50),
        ("content", 0.10),
        ("webinar", 0.20),
        ("event", 0.175),
        ("paid_search", 0.25),
        ("referral", 0.35),
        ("outbound", 0.30),
    )
    sql_to_opp: float = 0.50
    close_rate: float = 0.25
    avg_deal: float = 25_000.0
    reengage_share: float = 0.40  # recycled leads that come back within 30 days
    # lead volume by calendar month (Jan..Dec); weekends and holidays get `off_day_weight`
    seasonality: tuple[float, ...] = (0.9, 1.0, 1.1, 1.05, 1.0, 0.95, 0.85, 0.8, 1.1, 1.15, 1.05, 0.75)
    off_day_weight: float = 0.12
    after_hours_share: float = 0.18  # business-day leads created outside 09:00-17:00
    cut_at_horizon: bool = True  # drop events after start + months (the demo's "now")

    def share(self, table: tuple[tuple[str, float], ...], key: str, default: float = 0.0) -> float:
        return next((value for name, value in table if name == key), default)


DEMO_ROSTER_YAML = """\
# The demo company's roster (team.yaml) under the default pact: two SDR teams, eight reps.
marketing: {owner: dana@acme.example}

teams:
  sdr-enterprise: {calendar: default, manager: maria@acme.example, after_hours: sdr-smb}
  sdr-smb: {calendar: default, manager: li@acme.example}

reps:
  - {id: eva, name: Eva Lind, email: eva@acme.example, team: sdr-enterprise, weight: 2,
     capacity: {per_day: 25, open: 80}, calendar: default, active: true}
  - {id: grace, name: Grace Kim, email: grace@acme.example, team: sdr-enterprise, weight: 1,
     capacity: {per_day: 20, open: 60}}
  - {id: omar, name: Omar Haddad, email: omar@acme.example, team: sdr-enterprise, weight: 1,
     capacity: {per_day: 20, open: 60}}
  - {id: ana, name: Ana Ruiz, email: ana@acme.example, team: sdr-smb, weight: 2,
     capacity: {per_day: 40, open: 120}, calendar: default, active: true}
  - {id: ben, name: Ben Okafor, email: ben@acme.example, team: sdr-smb, weight: 2,
     capacity: {per_day: 40, open: 120}, time_off: [{from: 2026-12-21, to: 2026-12-31}]}
  - {id: chloe, name: Chloe Martin, email: chloe@acme.example, team: sdr-smb, weight: 1,
     capacity: {per_day: 30, open: 90}}
  - {id: dev, name: Dev Patel, email: dev@acme.example, team: sdr-smb, weight: 1,
     capacity: {per_day: 30, open: 90}}
  - {id: felix, name: Felix Braun, email: felix@acme.example, team: sdr-smb, weight: 1,
     capacity: {per_day: 30, open: 90}}

accounts: {}

routing:
  rules:
    - {when: {field: account_id, op: exists}, to: account_owner}
    - {when: {field: employees, op: ">=", value: 1000}, to: sdr-enterprise}
    - {to: sdr-smb}
  reassign_on_breach: false
  match_accounts_by: [account_id]
"""


@dataclass(frozen=True)
class Rep:
    id: str
    team: str
    weight: float
    time_off: tuple[tuple[date, date], ...] = ()

    def off_on(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.time_off)


def _roster_reps(text: str) -> tuple[Rep, ...]:
    data = yaml.safe_load(text)
    reps = []
    for item in data["reps"]:
        spans = tuple((span["from"], span["to"]) for span in item.get("time_off", ()))
        reps.append(Rep(str(item["id"]), str(item["team"]), float(item.get("weight", 1)), spans))
    return tuple(reps)


REPS: tuple[Rep, ...] = _roster_reps(DEMO_ROSTER_YAML)
ENTERPRISE_TEAM, SMB_TEAM = "sdr-enterprise", "sdr-smb"
